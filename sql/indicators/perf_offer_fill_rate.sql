-- PERF_OFFER_FILL_RATE (taux de pourvoi): offers closed in M as POURVUE over offers closed
-- in M (latest version of each offer), placed in the workplace commune.
SELECT p.period, o.commune_code, CASE WHEN o.closing_reason = 'POURVUE' THEN 1 ELSE 0 END AS num,
       [o.operator] AS operator
FROM eng_offers o
JOIN eng_periods p ON o.closed_date BETWEEN p.m_start AND p.m_end
