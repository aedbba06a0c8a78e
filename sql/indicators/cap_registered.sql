-- CAP_REGISTERED: distinct persons active at the end of M, in their territory at that date.
SELECT period, commune_code, 1 AS num, profile, age_band, seniority
FROM eng_stock_end
