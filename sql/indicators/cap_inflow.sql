-- CAP_INFLOW: distinct persons with a registration_date in M. The person is placed at their
-- first registration date in M (territory: latest registration started on or before it)
-- and counted under every operator they registered with in M.
WITH per_person AS (
    SELECT p.period, r.pid, min(r.registration_date) AS ref_date,
           list_sort(list_distinct(list(r.operator))) AS operator
    FROM eng_reg r
    JOIN eng_periods p ON r.registration_date BETWEEN p.m_start AND p.m_end
    GROUP BY p.period, r.pid
)
SELECT u.period, t.commune_code, 1 AS num, u.operator,
       t.attr, eng_age_band(u.period, t.birth_year) AS age_band
FROM per_person u
JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
