-- eng_stock: every person active at each stock date (end of a period, end of the month
-- before), with the operators following them, their `seniority` (since the earliest start
-- of their active spells), the date of their latest registration, and their territory and
-- profile at that date. Built once per batch of months (compute_batches) for all its
-- dates, shared by every stock indicator and every rate over the M-1 stock; indicator
-- files read it through the views eng_stock_end and eng_stock_prev_end (below). Spells
-- are expanded over the integer months at whose end they are active (no range join on
-- dates). A person with a single spell (most of them) is their own territory and passes
-- straight through; only persons with several spells are grouped per date and placed on
-- their territory timeline (eng_terr). The operators and attributes are stored as
-- `profile` (see eng_profiles).

-- Persons with several spells, per stock date: operators, first start, then the territory
-- spell (the latest started by that date) with its attributes. A person's operators at a
-- date are grouped as a bit mask (eng_bits), decoded once per distinct set.
CREATE OR REPLACE TEMP TABLE eng_stock_multi AS
WITH bounds AS (SELECT min(ref_idx) AS lo, max(ref_idx) AS hi FROM eng_refdates),
ops AS (FROM eng_bits((SELECT list(DISTINCT operator) FROM eng_reg))),
multi AS (
    SELECT r.pid, o.bit, r.registration_date,
           unnest(range(greatest(r.first_idx, b.lo), least(r.last_idx, b.hi) + 1))
               AS ref_idx
    FROM eng_reg r JOIN ops o ON o.code = r.operator CROSS JOIN bounds b
    SEMI JOIN eng_reg_multi m ON m.pid = r.pid
    WHERE r.first_idx <= b.hi AND r.last_idx >= b.lo
),
multi_person AS (
    SELECT d.ref_date, m.pid, bit_or(m.bit) AS ops, min(m.registration_date) AS first_start
    FROM multi m JOIN eng_refdates d USING (ref_idx)
    GROUP BY d.ref_date, m.pid
),
op_sets AS (
    FROM eng_bit_sets((SELECT list(DISTINCT ops) FROM multi_person),
                      (SELECT list(code) FROM ops))
)
SELECT a.ref_date, a.pid, o.codes AS operator, a.first_start,
       t.registration_date AS last_registration_date, t.commune_code, t.birth_year,
       __ATTRIBUTES(x)__
FROM multi_person a
JOIN op_sets o ON o.mask = a.ops
JOIN eng_terr t
  ON a.pid = t.pid AND a.ref_date >= t.registration_date AND a.ref_date < t.until_date
JOIN eng_profiles x ON x.profile = t.profile;

-- Persons with a single spell: its operator and attributes are theirs.
CREATE OR REPLACE TEMP VIEW eng_stock_single AS
SELECT pid, registration_date, commune_code, birth_year, first_idx, last_idx,
       [operator] AS operator, __ATTRIBUTES__
FROM eng_reg ANTI JOIN eng_reg_multi USING (pid);

-- New profiles get the next integers.
CREATE OR REPLACE TEMP VIEW eng_stock_profiles AS
SELECT __PROFILE__ FROM eng_stock_single
UNION ALL
SELECT __PROFILE__ FROM eng_stock_multi;

INSERT INTO eng_profiles FROM eng_new_profiles('eng_stock_profiles');

CREATE OR REPLACE TABLE eng_work.eng_stock AS
WITH bounds AS (SELECT min(ref_idx) AS lo, max(ref_idx) AS hi FROM eng_refdates),
single AS (
    SELECT s.pid, s.registration_date, s.commune_code, s.birth_year, s.profile,
           unnest(range(greatest(s.first_idx, b.lo), least(s.last_idx, b.hi) + 1))
               AS ref_idx
    FROM eng_with_profile('eng_stock_single') s, bounds b
    WHERE s.first_idx <= b.hi AND s.last_idx >= b.lo
)
-- The earliest start serves the seniority only: not stored (one date less per row).
SELECT * EXCLUDE (first_start), eng_seniority(first_start, ref_date) AS seniority
FROM (
SELECT d.ref_date, s.pid, s.registration_date AS first_start,
       s.registration_date AS last_registration_date, s.commune_code, s.birth_year,
       s.profile
FROM single s JOIN eng_refdates d USING (ref_idx)
UNION ALL
SELECT ref_date, pid, first_start, last_registration_date, commune_code, birth_year,
       profile
FROM eng_with_profile('eng_stock_multi')
);

DROP VIEW eng_stock_profiles;
DROP VIEW eng_stock_single;
DROP TABLE temp.eng_stock_multi;

-- What indicator files read: the persons active at the end of each period M
-- (eng_stock_end) and at the end of M-1 (eng_stock_prev_end, the population of the rates
-- over the M-1 stock), each with `period` = M, their territory's commune and their profile
-- at that date, their age band in M's year, their seniority and the date of their latest
-- registration.
CREATE OR REPLACE TEMP MACRO eng_stock_at(month_before) AS TABLE
SELECT p.period, s.ref_date, s.pid, s.commune_code, s.profile,
       eng_age_band(p.period, s.birth_year) AS age_band, s.seniority,
       s.last_registration_date
FROM eng_periods p
JOIN eng_stock s ON s.ref_date = CASE WHEN month_before THEN p.prev_end ELSE p.m_end END;

CREATE OR REPLACE TEMP VIEW eng_stock_end AS FROM eng_stock_at(false);
CREATE OR REPLACE TEMP VIEW eng_stock_prev_end AS FROM eng_stock_at(true);
