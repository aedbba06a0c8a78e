-- Histograms -> every level (cells added to their territories as for sums), then the
-- exact median from the cumulated counts: the value at rank (n + 1) / 2 and the one at
-- rank n / 2 + 1 (the same for odd n), averaged. Denominator: every unit, valued or not.
-- Territories and (breakdown, value) pairs are numbered first: the per-territory
-- histograms (~6M rows for a national year of diagnostics) are then grouped and sorted on
-- small integers, and each one's count is joined in rather than computed by a second
-- window (REA_DIAG_DELAY at 6M persons: 4.6 s with string keys and two windows, 3.6 s).
INSERT INTO eng_out
WITH terr AS (
    SELECT cell, level, territory_code,
           dense_rank() OVER (ORDER BY level, territory_code) AS tid
    FROM eng_cellterr
),
bv AS (
    SELECT breakdown, breakdown_value, row_number() OVER () AS bvid
    FROM (SELECT DISTINCT breakdown, breakdown_value FROM eng_cells)
),
placed AS (
    SELECT c.period, t.tid, b.bvid, c.val, sum(c.c) AS c
    FROM eng_cells c
    JOIN bv b USING (breakdown, breakdown_value)
    JOIN terr t USING (cell)
    GROUP BY ALL
),
totals AS (
    SELECT period, tid, bvid, sum(c) AS d, sum(c) FILTER (WHERE val IS NOT NULL) AS n_vals
    FROM placed
    GROUP BY ALL
),
ranked AS (
    SELECT *,
        sum(c) FILTER (WHERE val IS NOT NULL) OVER (
            PARTITION BY period, tid, bvid ORDER BY val ASC NULLS LAST
            ROWS UNBOUNDED PRECEDING) AS cum
    FROM placed
),
medians AS (
    SELECT r.period, r.tid, r.bvid,
           (min(r.val) FILTER (WHERE r.cum >= (t.n_vals + 1) // 2)
            + min(r.val) FILTER (WHERE r.cum >= t.n_vals // 2 + 1)) / 2 AS value
    FROM ranked r
    JOIN totals t USING (period, tid, bvid)
    GROUP BY r.period, r.tid, r.bvid
)
SELECT t.period, $code, n.level, n.territory_code, b.breakdown, b.breakdown_value,
       NULL::BIGINT AS numerator, t.d::BIGINT AS denominator, m.value, $unit
FROM totals t
JOIN medians m USING (period, tid, bvid)
JOIN (SELECT DISTINCT tid, level, territory_code FROM terr) n USING (tid)
JOIN bv b USING (bvid)
WHERE t.d > 0;
