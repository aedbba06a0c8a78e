-- PERF_RETURN_DURABLE: as PERF_RETURN_EMPLOYMENT, counting durable hires only (CDI,
-- CREATION, or a contract of 6 months or more) dated in M.
WITH hired AS (
    SELECT DISTINCT p.period, h.pid
    FROM eng_hires h
    JOIN eng_periods p ON h.hire_date BETWEEN p.m_start AND p.m_end
    WHERE h.durable
)
SELECT s.period, s.commune_code, 1 AS num, s.profile, s.age_band, s.seniority
FROM eng_pop_stock_prev s
SEMI JOIN hired h ON h.period = s.period AND h.pid = s.pid
