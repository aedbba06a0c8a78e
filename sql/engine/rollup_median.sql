-- Histograms -> every level (areas added to their territories as for sums), then the
-- exact median from the cumulated counts: the value at rank (n + 1) / 2 and the one at
-- rank n / 2 + 1 (the same for odd n), averaged. Denominator: every unit, valued or not.
-- Territories and (breakdown, value) pairs are numbered first, and each histogram
-- (period, territory, breakdown value) gets one integer, `g`: the per-territory histograms
-- (millions of rows for a national year of diagnostics) are then grouped, sorted and
-- joined on that small key, and each one's count is joined in rather than computed by a
-- second window.
INSERT INTO eng_out
WITH terr AS (
    SELECT area, level, territory_code,
           dense_rank() OVER (ORDER BY level, territory_code) AS tid
    FROM eng_area_territories
),
bv AS (
    SELECT breakdown, breakdown_value, row_number() OVER () AS bvid
    FROM (SELECT DISTINCT breakdown, breakdown_value FROM eng_counts)
),
-- g = (month index * nt + tid) * nb + bvid: distinct for distinct triples.
sizes AS (
    SELECT (SELECT max(tid) FROM terr) + 1 AS nt, (SELECT count(*) FROM bv) + 1 AS nb
),
placed AS (
    SELECT (eng_month_idx(c.period)::BIGINT * s.nt + t.tid) * s.nb + b.bvid AS g, c.val,
           sum(c.d) AS c
    FROM eng_counts c
    JOIN bv b USING (breakdown, breakdown_value)
    JOIN terr t USING (area)
    CROSS JOIN sizes s
    GROUP BY ALL
),
totals AS (
    SELECT g, sum(c) AS d, sum(c) FILTER (WHERE val IS NOT NULL) AS n_vals
    FROM placed
    GROUP BY g
),
ranked AS (
    SELECT *,
        sum(c) FILTER (WHERE val IS NOT NULL) OVER (
            PARTITION BY g ORDER BY val ASC NULLS LAST ROWS UNBOUNDED PRECEDING) AS cum
    FROM placed
),
medians AS (
    SELECT r.g,
           (min(r.val) FILTER (WHERE r.cum >= (t.n_vals + 1) // 2)
            + min(r.val) FILTER (WHERE r.cum >= t.n_vals // 2 + 1)) / 2 AS value
    FROM ranked r
    JOIN totals t USING (g)
    GROUP BY r.g
),
decoded AS (
    SELECT t.g, t.d, m.value, t.g // (s.nt * s.nb) AS month_idx,
           (t.g // s.nb) % s.nt AS tid, t.g % s.nb AS bvid
    FROM totals t
    JOIN medians m USING (g)
    CROSS JOIN sizes s
    WHERE t.d > 0
)
SELECT make_date((x.month_idx // 12)::INTEGER, (x.month_idx % 12 + 1)::INTEGER, 1),
       $code, n.level, n.territory_code, b.breakdown, b.breakdown_value,
       NULL::BIGINT AS numerator, x.d::BIGINT AS denominator, x.value, $unit
FROM decoded x
JOIN (SELECT DISTINCT tid, level, territory_code FROM terr) n USING (tid)
JOIN bv b USING (bvid);
