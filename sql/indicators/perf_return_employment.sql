-- PERF_RETURN_EMPLOYMENT: persons active at the end of M-1 (placed there, attributes then)
-- with at least one hire dated in M, over all persons active at the end of M-1 (catalog:
-- denominator = stock_prev). Yields the numerator's persons, as rows of that population.
WITH hired AS (
    SELECT DISTINCT p.period, h.pid
    FROM eng_hires h
    JOIN eng_periods p ON h.hire_date BETWEEN p.m_start AND p.m_end
)
SELECT s.period, s.commune_code, 1 AS num, s.profile, s.age_band, s.seniority
FROM eng_pop_stock_prev s
SEMI JOIN hired h ON h.period = s.period AND h.pid = s.pid
