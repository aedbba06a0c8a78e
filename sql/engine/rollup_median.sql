-- Cells -> every level, each straight from communes: NAT takes every cell (unknown
-- communes and persons without a territory included), REG and DEP through ref.communes,
-- BASSIN through the committee zoning of the period's year. A unit sits in one commune
-- per period, so summing communes is exact; medians are taken on the collected values.
CREATE OR REPLACE TEMP TABLE eng_levels AS
WITH placed AS (
    SELECT c.period, 'NAT' AS level, 'FR' AS territory_code, c.breakdown,
           c.breakdown_value, c.n, c.d, c.vals
    FROM eng_cells c
    UNION ALL
    SELECT c.period, 'REG', g.region_code, c.breakdown, c.breakdown_value, c.n, c.d, c.vals
    FROM eng_cells c JOIN ref.communes g USING (commune_code)
    UNION ALL
    SELECT c.period, 'DEP', g.departement_code, c.breakdown, c.breakdown_value, c.n, c.d,
           c.vals
    FROM eng_cells c JOIN ref.communes g USING (commune_code)
    UNION ALL
    SELECT c.period, 'BASSIN', b.bassin_code, c.breakdown, c.breakdown_value, c.n, c.d,
           c.vals
    FROM eng_cells c
    JOIN eng_periods p USING (period)
    JOIN ref.bassins b ON b.commune_code = c.commune_code AND b.zoning_year = p.zoning_year
)
SELECT period, level, territory_code, breakdown, breakdown_value,
       NULL::DOUBLE AS n, sum(d)::BIGINT AS d, list_median(flatten(list(vals))) AS med
FROM placed
GROUP BY ALL;

INSERT INTO eng_out
SELECT period, $code, level, territory_code, breakdown, breakdown_value,
       CASE $aggregation WHEN 'median' THEN NULL ELSE n::BIGINT END AS numerator,
       CASE $aggregation WHEN 'count' THEN NULL ELSE d END AS denominator,
       CASE $aggregation
           WHEN 'count' THEN n
           WHEN 'rate' THEN n / d
           ELSE med
       END AS value,
       $unit
FROM eng_levels
WHERE d > 0 AND ($aggregation <> 'count' OR n > 0);
