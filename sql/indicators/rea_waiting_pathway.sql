-- REA_WAITING_PATHWAY: persons active at the end of M who had a diagnostic since their
-- latest registration (D1 = the first one, on or after that registration's day, by the end
-- of M) and no pathway started from D1 (its day included) to the end of M. A pathway
-- started before D1 does not end the wait, even if still active.
WITH diagnosed AS (
    SELECT p.period, s.*, g.diagnostic_date AS first_diagnostic
    FROM eng_periods p
    JOIN eng_stock s ON s.ref_date = p.m_end
    ASOF JOIN eng_diag g
      ON s.pid = g.pid AND s.last_registration_date <= g.diagnostic_date
    WHERE g.diagnostic_date <= s.ref_date
)
SELECT u.period, u.commune_code, 1 AS num,
       u.operator, u.sex, eng_age_band(u.period, u.birth_year) AS age_band, u.education,
       u.allowance, u.disabled_worker, u.qpv, u.zrr,
       eng_seniority(u.first_start, u.ref_date) AS seniority, u.category
FROM diagnosed u
ASOF LEFT JOIN eng_path x ON u.pid = x.pid AND u.ref_date >= x.start_date
WHERE x.start_date IS NULL OR x.start_date < u.first_diagnostic
