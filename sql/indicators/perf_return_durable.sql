-- PERF_RETURN_DURABLE: as PERF_RETURN_EMPLOYMENT, counting durable hires only (CDI,
-- CREATION, or a contract of 6 months or more) dated in M.
WITH hired AS (
    SELECT DISTINCT p.period, h.pid
    FROM eng_hires h
    JOIN eng_periods p ON h.hire_date BETWEEN p.m_start AND p.m_end
    WHERE h.durable
)
SELECT p.period, s.commune_code, CASE WHEN h.pid IS NULL THEN 0 ELSE 1 END AS num,
       s.attr, eng_age_band(p.period, s.birth_year) AS age_band,
       s.seniority
FROM eng_periods p
JOIN eng_stock s ON s.ref_date = p.prev_end
LEFT JOIN hired h ON h.period = p.period AND h.pid = s.pid
