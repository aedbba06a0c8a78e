-- inflow: persons with a registration_date in M, placed at their first registration date
-- in M (`ref_date`; territory: the latest registration started on or before it) and under
-- every operator they registered with in M. CAP_INFLOW counts them; PERF_ACCESS_6M
-- follows them for six months (its denominator).
WITH per_person AS (
    -- A person with a single spell (most of them) passes straight through.
    SELECT p.period, r.pid, r.registration_date AS ref_date, [r.operator] AS operator
    FROM eng_reg r
    JOIN eng_periods p ON r.registration_date BETWEEN p.m_start AND p.m_end
    ANTI JOIN eng_reg_multi m ON m.pid = r.pid
    UNION ALL
    SELECT p.period, r.pid, min(r.registration_date),
           list_sort(list_distinct(list(r.operator)))
    FROM eng_reg r
    JOIN eng_periods p ON r.registration_date BETWEEN p.m_start AND p.m_end
    SEMI JOIN eng_reg_multi m ON m.pid = r.pid
    GROUP BY p.period, r.pid
)
SELECT u.period, u.pid, u.ref_date, t.commune_code, u.operator, t.attr,
       eng_age_band(u.period, t.birth_year) AS age_band
FROM per_person u
JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
