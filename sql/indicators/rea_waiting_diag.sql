-- REA_WAITING_DIAG: persons active at the end of M with no diagnostic from their latest
-- registration (its own day included) to the end of M. Written as an anti join on the
-- person with the date window as a join condition: diagnostics are few, the stock is large.
SELECT p.period, s.commune_code, 1 AS num,
       s.attr, eng_age_band(p.period, s.birth_year) AS age_band,
       s.seniority
FROM eng_periods p
JOIN eng_stock s ON s.ref_date = p.m_end
ANTI JOIN eng_diag g
  ON g.pid = s.pid
 AND g.diagnostic_date >= s.last_registration_date
 AND g.diagnostic_date <= s.ref_date
