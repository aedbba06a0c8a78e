-- REA_WAITING_DIAG: persons active at the end of M with no diagnostic from their latest
-- registration (its own day included) to the end of M. Written as an anti join on the
-- person with the date window as a join condition: diagnostics are few, the stock is large.
SELECT s.period, s.commune_code, 1 AS num, s.profile, s.age_band, s.seniority
FROM eng_stock_end s
ANTI JOIN eng_diag g
  ON g.pid = s.pid
 AND g.diagnostic_date >= s.last_registration_date
 AND g.diagnostic_date <= s.ref_date
