-- inflow: persons with a registration_date in M, placed at their first registration date
-- in M (`ref_date`; territory: the latest registration started on or before it) and under
-- every operator they registered with in M. CAP_INFLOW counts them; PERF_ACCESS_6M
-- follows them for six months (its denominator).
WITH registered AS (
    SELECT p.period, r.pid, min(r.registration_date) AS ref_date,
           list_sort(list_distinct(list(r.operator))) AS operator
    FROM eng_reg r
    JOIN eng_periods p ON r.registration_date BETWEEN p.m_start AND p.m_end
    GROUP BY p.period, r.pid
)
SELECT period, pid, ref_date, commune_code, operator, profile, age_band
FROM eng_placed(registered)
