-- PERF_ACCESS_6M: cohort of persons with a registration_date in M, from their first one in M
-- (day r, which also places them): share with a hire dated from r to r + 6 calendar months
-- inclusive. Published once M+6 is loaded (catalog: months_after = 6).
WITH cohort AS (
    SELECT p.period, r.pid, min(r.registration_date) AS ref_date,
           list_sort(list_distinct(list(r.operator))) AS operator
    FROM eng_reg r
    JOIN eng_periods p ON r.registration_date BETWEEN p.m_start AND p.m_end
    GROUP BY p.period, r.pid
),
hired AS (
    SELECT DISTINCT c.period, c.pid
    FROM cohort c
    JOIN eng_hires h
      ON h.pid = c.pid
     AND h.hire_date BETWEEN c.ref_date AND CAST(c.ref_date + INTERVAL 6 MONTH AS DATE)
)
SELECT u.period, t.commune_code, CASE WHEN h.pid IS NULL THEN 0 ELSE 1 END AS num,
       u.operator, t.attr, eng_age_band(u.period, t.birth_year) AS age_band
FROM cohort u
LEFT JOIN hired h ON h.period = u.period AND h.pid = u.pid
JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
