-- REA_WAITING_PATHWAY: persons active at the end of M who had a diagnostic since their
-- latest registration (D1 = the first one, on or after that registration's day, by the end
-- of M) and no pathway started from D1 (its day included) to the end of M. A pathway
-- started before D1 does not end the wait, even if still active. Joins on the person with
-- date windows as conditions: diagnostics and pathways are few, the stock is large.
WITH first_diagnostic AS (
    SELECT s.period, s.pid, min(g.diagnostic_date) AS first_diagnostic
    FROM eng_stock_end s
    JOIN eng_diag g
      ON g.pid = s.pid
     AND g.diagnostic_date >= s.last_registration_date
     AND g.diagnostic_date <= s.ref_date
    GROUP BY s.period, s.pid
)
SELECT s.period, s.commune_code, 1 AS num, s.profile, s.age_band, s.seniority
FROM eng_stock_end s
JOIN first_diagnostic d ON d.period = s.period AND d.pid = s.pid
ANTI JOIN eng_path x
  ON x.pid = s.pid
 AND x.start_date >= d.first_diagnostic
 AND x.start_date <= s.ref_date
