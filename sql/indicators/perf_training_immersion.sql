-- PERF_TRAINING_IMMERSION: persons active at the end of M-1 with an action (training or
-- immersion) started in M, over all persons active at the end of M-1 (catalog:
-- denominator = stock_prev). The action_type slices keep that whole population as
-- denominator: share who started a FORMATION, share who started an IMMERSION. Yields the
-- numerators' persons, as rows of the population.
WITH started AS (
    SELECT p.period, a.pid,
           bool_or(a.action_type = 'FORMATION') AS formation,
           bool_or(a.action_type = 'IMMERSION') AS immersion
    FROM eng_actions a
    JOIN eng_periods p ON a.start_date BETWEEN p.m_start AND p.m_end
    GROUP BY p.period, a.pid
),
starters AS (
    SELECT s.*, a.formation, a.immersion
    FROM eng_pop_stock_prev s
    JOIN started a ON a.period = s.period AND a.pid = s.pid
)
SELECT period, commune_code, 1 AS num, profile, age_band, seniority
FROM starters
UNION ALL BY NAME
-- A slice row counts in its slice only.
SELECT period, commune_code, 1 AS num, 'action_type' AS slice, 'FORMATION' AS slice_value
FROM starters WHERE formation
UNION ALL BY NAME
SELECT period, commune_code, 1 AS num, 'action_type' AS slice, 'IMMERSION' AS slice_value
FROM starters WHERE immersion
