-- CAP_INFLOW: distinct persons with a registration_date in M, placed at their first
-- registration date in M (territory: latest registration started on or before it) and
-- counted under every operator they registered with in M: the population `inflow`.
SELECT period, commune_code, 1 AS num, operator, profile, age_band
FROM eng_pop_inflow
