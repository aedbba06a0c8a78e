-- eng_stock: every person active at each stock date (end of a period, end of the month
-- before), with the operators following them, the earliest start of their active spells
-- (seniority), and their territory and attributes at that date. Shared by every stock
-- indicator and every rate over the M-1 stock, so the expensive part runs once.
-- Only persons with several active spells need a grouping; the others (most of them)
-- pass straight through.
CREATE OR REPLACE TEMP TABLE eng_stock AS
WITH active AS (
    SELECT d.ref_date, r.pid, r.operator, r.registration_date
    FROM eng_reg r
    JOIN eng_refdates d
      ON r.registration_date <= d.ref_date
     AND (r.exit_date IS NULL OR r.exit_date > d.ref_date)
),
per_person AS (
    SELECT ref_date, pid, list(DISTINCT operator ORDER BY operator) AS operator,
           min(registration_date) AS first_start
    FROM active
    GROUP BY ref_date, pid
)
SELECT a.ref_date, a.pid, a.operator, a.first_start,
       t.registration_date AS last_registration_date,
       t.commune_code, t.sex, t.birth_year, t.education, t.allowance, t.disabled_worker,
       t.qpv, t.zrr, t.category
FROM per_person a
ASOF JOIN eng_terr t ON a.pid = t.pid AND a.ref_date >= t.registration_date;
