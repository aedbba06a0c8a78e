-- A rate over a shared population (catalog `denominator`): the indicator file yields its
-- numerator's units only (their counts are in eng_counts); the denominator of each
-- (period, area, breakdown, value) is the population's count there (eng_denominator,
-- computed once per batch of months for every rate sharing it). A slice value takes the
-- population's total as denominator, in every area, including where none of its units
-- occurs. Periods still waiting for later months ($months_after) are left out, as for the
-- facts.
CREATE OR REPLACE TEMP TABLE eng_counts AS
SELECT period, area, breakdown, breakdown_value, n, 0 AS d
FROM eng_counts
UNION ALL
SELECT c.period, c.area, c.breakdown, c.breakdown_value, 0, c.d
FROM eng_denominator c
JOIN eng_periods p ON p.period = c.period AND p.months_after >= $months_after
WHERE list_contains($breakdowns::VARCHAR[], c.breakdown)
UNION ALL
SELECT c.period, c.area, s.breakdown, s.value, 0, c.d
FROM eng_denominator c
JOIN eng_periods p ON p.period = c.period AND p.months_after >= $months_after
CROSS JOIN (
    SELECT unnest($slice_values::STRUCT(breakdown VARCHAR, value VARCHAR)[],
                  recursive := true)
) s
WHERE c.breakdown = 'total';
