-- REA_PATHWAY_DELAY: for each pathway started in M, days from the person's latest diagnostic
-- on or before the start (same day = 0); median. Pathways with no such diagnostic are left
-- out of the median and counted in the slice diagnostic = 'none' (denominator = their
-- number, no value). Operator: the pathway's referent; territory at the start date.
WITH started AS (
    SELECT p.period, x.pid, x.operator, x.pathway_type, x.start_date
    FROM eng_path x
    JOIN eng_periods p ON x.start_date BETWEEN p.m_start AND p.m_end
),
with_diag AS (
    SELECT s.*, g.diagnostic_date
    FROM started s
    ASOF LEFT JOIN eng_diag g ON s.pid = g.pid AND s.start_date >= g.diagnostic_date
)
SELECT u.period, t.commune_code,
       (u.start_date - u.diagnostic_date)::DOUBLE AS num,
       CASE WHEN u.diagnostic_date IS NULL THEN 'diagnostic' END AS breakdown,
       CASE WHEN u.diagnostic_date IS NULL THEN 'none' END AS breakdown_value,
       [u.operator] AS operator, [u.pathway_type] AS pathway_type,
       t.attr, eng_age_band(u.period, t.birth_year) AS age_band
FROM with_diag u
LEFT JOIN eng_terr t
  ON u.pid = t.pid AND u.start_date >= t.registration_date AND u.start_date < t.until_date
