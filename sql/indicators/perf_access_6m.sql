-- PERF_ACCESS_6M: cohort of persons with a registration_date in M, from their first one in M
-- (day r, which also places them: the population `inflow`, its denominator in the
-- catalog): share with a hire dated from r to r + 6 calendar months inclusive. Published
-- once M+6 is loaded (catalog: months_after = 6). Yields the cohort's hired persons.
SELECT c.period, c.commune_code, 1 AS num, c.operator, c.profile, c.age_band
FROM eng_pop_inflow c
SEMI JOIN eng_hires h
  ON h.pid = c.pid
 AND h.hire_date BETWEEN c.ref_date AND CAST(c.ref_date + INTERVAL 6 MONTH AS DATE)
