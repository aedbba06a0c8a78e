-- What follows from the periods computed now (`eng_periods`), made again when a run turns
-- to another set of months (`compute_batches`): prepare.sql's tables hold for all of them.

-- Dates at which stocks are taken: end of each period, and end of the month before it
-- (denominators of the return rates).
CREATE OR REPLACE TABLE eng_work.eng_refdates AS
SELECT DISTINCT ref_date, eng_month_idx(ref_date) AS ref_idx FROM (
    SELECT m_end AS ref_date FROM eng_periods
    UNION ALL
    SELECT prev_end FROM eng_periods
);
