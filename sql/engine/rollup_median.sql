-- Histograms -> every level (cells added to their territories as for sums), then the
-- exact median from the cumulated counts: the value at rank (n + 1) / 2 and the one at
-- rank n / 2 + 1 (the same for odd n), averaged. Denominator: every unit, valued or not.
INSERT INTO eng_out
WITH placed AS (
    SELECT c.period, t.level, t.territory_code, c.breakdown, c.breakdown_value, c.val,
           sum(c.c) AS c
    FROM eng_cells c
    JOIN eng_cellterr t USING (cell)
    GROUP BY ALL
),
ranked AS (
    SELECT *,
        sum(c) FILTER (WHERE val IS NOT NULL) OVER (
            PARTITION BY period, level, territory_code, breakdown, breakdown_value
            ORDER BY val ASC NULLS LAST ROWS UNBOUNDED PRECEDING) AS cum,
        sum(c) FILTER (WHERE val IS NOT NULL) OVER (
            PARTITION BY period, level, territory_code, breakdown, breakdown_value) AS n_vals
    FROM placed
)
SELECT period, $code, level, territory_code, breakdown, breakdown_value,
       NULL::BIGINT AS numerator, sum(c)::BIGINT AS denominator,
       (min(val) FILTER (WHERE cum >= (n_vals + 1) // 2)
        + min(val) FILTER (WHERE cum >= n_vals // 2 + 1)) / 2 AS value,
       $unit
FROM ranked
GROUP BY period, level, territory_code, breakdown, breakdown_value
HAVING sum(c) > 0;
