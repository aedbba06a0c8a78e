-- Slice rows of an indicator that declares slices: they only count under their own
-- (breakdown, breakdown_value), so they are stored already counted per cell and value
-- (`units`), which keeps e.g. the whole M-1 stock as the denominator of each action type
-- without storing it once more per type. Grouping on `num` keeps medians exact.
INSERT INTO eng_facts_slices BY NAME
SELECT f.period, coalesce(m.cell, 0) AS cell, f.breakdown, f.breakdown_value, f.num,
       count(*) AS units
FROM ((FROM eng_facts_in) UNION ALL BY NAME (
__INDICATOR__
)) f
JOIN eng_periods p ON p.period = f.period AND p.months_after >= $months_after
LEFT JOIN eng_cellmap m
  ON m.zy = coalesce(p.zoning_year, -1) AND m.commune_code = f.commune_code
WHERE f.breakdown IS NOT NULL
GROUP BY ALL;
