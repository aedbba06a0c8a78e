-- REA_WAITING_DIAG: persons active at the end of M with no diagnostic from their latest
-- registration (its own day included) to the end of M. The latest diagnostic on or before
-- the end of M decides: none, or one before the latest registration, means waiting.
SELECT p.period, s.commune_code, 1 AS num,
       s.operator, s.sex, eng_age_band(p.period, s.birth_year) AS age_band, s.education,
       s.allowance, s.disabled_worker, s.qpv, s.zrr,
       eng_seniority(s.first_start, s.ref_date) AS seniority, s.category
FROM eng_periods p
JOIN eng_stock s ON s.ref_date = p.m_end
ASOF LEFT JOIN eng_diag g ON s.pid = g.pid AND s.ref_date >= g.diagnostic_date
WHERE g.diagnostic_date IS NULL OR g.diagnostic_date < s.last_registration_date
