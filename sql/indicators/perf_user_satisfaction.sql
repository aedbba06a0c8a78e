-- PERF_USER_SATISFACTION: PERSON answers dated in M scoring 3 or 4, over PERSON answers dated
-- in M (unit: the answer). Placed in the person's territory at the answer's date.
WITH answers AS (
    SELECT p.period, e.pid, e.operator, e.response_date, e.score
    FROM eng_sat e
    JOIN eng_periods p ON e.response_date BETWEEN p.m_start AND p.m_end
    WHERE e.respondent_type = 'PERSON'
)
SELECT u.period, t.commune_code, CASE WHEN u.score >= 3 THEN 1 ELSE 0 END AS num,
       [u.operator] AS operator,
       t.attr, eng_age_band(u.period, t.birth_year) AS age_band
FROM answers u
LEFT JOIN eng_terr t
  ON u.pid = t.pid AND u.response_date >= t.registration_date AND u.response_date < t.until_date
