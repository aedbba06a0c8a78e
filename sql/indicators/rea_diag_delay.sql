-- REA_DIAG_DELAY: for each diagnostic dated in M, days from the person's latest registration
-- on or before the diagnostic (same day = 0) to the diagnostic; median. A diagnostic of a
-- person with no registration by then has no delay: left out of the median and counted in
-- the slice registration = 'none' (denominator = their number, no value; national level
-- only, having no territory). Operator: the one that made the diagnostic.
WITH diags AS (
    SELECT p.period, g.pid, g.operator, g.diagnostic_date
    FROM eng_diag g
    JOIN eng_periods p ON g.diagnostic_date BETWEEN p.m_start AND p.m_end
)
SELECT u.period, t.commune_code,
       (u.diagnostic_date - t.registration_date)::DOUBLE AS num,
       CASE WHEN t.pid IS NULL THEN 'registration' END AS breakdown,
       CASE WHEN t.pid IS NULL THEN 'none' END AS breakdown_value,
       [u.operator] AS operator,
       t.attr, eng_age_band(u.period, t.birth_year) AS age_band
FROM diags u
LEFT JOIN eng_terr t
  ON u.pid = t.pid AND u.diagnostic_date >= t.registration_date
 AND u.diagnostic_date < t.until_date
