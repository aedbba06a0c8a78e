-- stock_prev: persons active at the end of M-1, placed in their territory then (attributes
-- of that date, age band of M's year, zoning of M's year). The shared denominator of the
-- rates over the M-1 stock: its counts are computed once per run, and each of those rates
-- selects its numerator units from this population (`eng_pop_stock_prev`, keyed by pid).
SELECT p.period, s.pid, s.commune_code, s.attr,
       eng_age_band(p.period, s.birth_year) AS age_band, s.seniority
FROM eng_periods p
JOIN eng_stock s ON s.ref_date = p.prev_end
