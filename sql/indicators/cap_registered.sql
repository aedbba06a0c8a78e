-- CAP_REGISTERED: distinct persons active at the end of M, in their territory at that date.
SELECT p.period, s.commune_code, 1 AS num,
       s.attr, eng_age_band(p.period, s.birth_year) AS age_band,
       s.seniority
FROM eng_periods p
JOIN eng_stock s ON s.ref_date = p.m_end
