-- PERF_EMPLOYER_SATISFACTION: EMPLOYER answers dated in M scoring 3 or 4, over EMPLOYER
-- answers dated in M (unit: the answer), placed in the employer's commune.
SELECT p.period, e.commune_code, CASE WHEN e.score >= 3 THEN 1 ELSE 0 END AS num,
       [e.operator] AS operator
FROM eng_sat e
JOIN eng_periods p ON e.response_date BETWEEN p.m_start AND p.m_end
WHERE e.respondent_type = 'EMPLOYER'
