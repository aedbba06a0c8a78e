-- PERF_OFFER_FILL_DELAY: for offers filled (closed as POURVUE) in M, days from posting to
-- closing; median. Placed in the workplace commune.
SELECT p.period, o.commune_code, (o.closed_date - o.posted_date)::DOUBLE AS num,
       [o.operator] AS operator
FROM eng_offers o
JOIN eng_periods p ON o.closed_date BETWEEN p.m_start AND p.m_end
WHERE o.closing_reason = 'POURVUE'
