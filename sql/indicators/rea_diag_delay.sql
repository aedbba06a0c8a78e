-- REA_DIAG_DELAY: for each diagnostic dated in M, days from the person's latest registration
-- on or before the diagnostic (same day = 0) to the diagnostic; median. A diagnostic of a
-- person with no registration by then has no delay: left out of the median and counted in
-- the slice registration = 'none' (denominator = their number, no value; national level
-- only, having no territory). Operator: the one that made the diagnostic.
WITH diagnostics AS (
    SELECT p.period, g.pid, g.diagnostic_date AS ref_date, [g.operator] AS operator
    FROM eng_diag g
    JOIN eng_periods p ON g.diagnostic_date BETWEEN p.m_start AND p.m_end
)
SELECT period, commune_code, (ref_date - registered_since)::DOUBLE AS num,
       CASE WHEN registered_since IS NULL THEN 'registration' END AS slice,
       CASE WHEN registered_since IS NULL THEN 'none' END AS slice_value,
       operator, profile, age_band
FROM eng_placed(diagnostics)
