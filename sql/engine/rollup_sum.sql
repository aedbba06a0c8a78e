-- Areas -> every level: each (period, area) count is added to the territories of the
-- area (NAT for every area, unknown communes and persons without a territory included;
-- REG, DEP, BASSIN from the commune, the zoning of the period's year). Levels are thus
-- computed from communes, never from a lower level; a unit sits in one area per period,
-- so the sums are exact distinct counts.
INSERT INTO eng_out
SELECT c.period, $code, t.level, t.territory_code, c.breakdown, c.breakdown_value,
       sum(c.n)::BIGINT AS numerator,
       CASE $aggregation WHEN 'count' THEN NULL ELSE sum(c.d)::BIGINT END AS denominator,
       CASE $aggregation WHEN 'count' THEN sum(c.n) ELSE sum(c.n) / sum(c.d) END AS value,
       $unit
FROM eng_counts c
JOIN eng_area_territories t USING (area)
GROUP BY c.period, t.level, t.territory_code, c.breakdown, c.breakdown_value
HAVING sum(c.d) > 0 AND ($aggregation <> 'count' OR sum(c.n) > 0);
