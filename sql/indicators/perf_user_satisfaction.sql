-- PERF_USER_SATISFACTION: PERSON answers dated in M scoring 3 or 4, over PERSON answers dated
-- in M (unit: the answer). Placed in the person's territory at the answer's date.
WITH answers AS (
    SELECT p.period, e.pid, e.response_date AS ref_date, [e.operator] AS operator,
           CASE WHEN e.score >= 3 THEN 1 ELSE 0 END AS num
    FROM eng_sat e
    JOIN eng_periods p ON e.response_date BETWEEN p.m_start AND p.m_end
    WHERE e.respondent_type = 'PERSON'
)
SELECT period, commune_code, num, operator, profile, age_band
FROM eng_placed(answers)
