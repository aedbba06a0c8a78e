-- stock_prev: persons active at the end of M-1, placed in their territory then (profile
-- of that date, age band of M's year, zoning of M's year). The shared denominator of the
-- rates over the M-1 stock: its counts are computed once per batch of months, and each of
-- those rates selects its numerator units from this population (`eng_pop_stock_prev`,
-- keyed by pid).
SELECT period, pid, commune_code, profile, age_band, seniority
FROM eng_stock_prev_end
