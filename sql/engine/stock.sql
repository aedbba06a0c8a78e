-- eng_stock: every person active at each stock date (end of a period, end of the month
-- before), with the operators following them, the earliest start of their active spells
-- (seniority), and their territory and attributes at that date. Built once per run for
-- all dates, shared by every stock indicator and every rate over the M-1 stock.
-- Spells are expanded over the integer months at whose end they are active (no range join
-- on dates). A person with a single spell (most of them) is their own territory and
-- passes straight through; only persons with several spells are grouped per date and
-- placed with an ASOF join on their territory timeline.
CREATE OR REPLACE TABLE eng_work.eng_stock AS
WITH bounds AS (SELECT min(ref_idx) AS lo, max(ref_idx) AS hi FROM eng_refdates),
single AS (
    SELECT r.*, unnest(range(greatest(r.first_idx, b.lo), least(r.last_idx, b.hi) + 1))
               AS ref_idx
    FROM eng_reg r, bounds b
    WHERE r.n_reg = 1 AND r.first_idx <= b.hi AND r.last_idx >= b.lo
),
multi AS (
    SELECT r.pid, r.operator, r.registration_date,
           unnest(range(greatest(r.first_idx, b.lo), least(r.last_idx, b.hi) + 1))
               AS ref_idx
    FROM eng_reg r, bounds b
    WHERE r.n_reg > 1 AND r.first_idx <= b.hi AND r.last_idx >= b.lo
),
multi_person AS (
    SELECT d.ref_date, m.pid, list_sort(list_distinct(list(m.operator))) AS operator,
           min(m.registration_date) AS first_start
    FROM multi m JOIN eng_refdates d USING (ref_idx)
    GROUP BY d.ref_date, m.pid
)
SELECT d.ref_date, s.pid, [s.operator] AS operator, s.registration_date AS first_start,
       s.registration_date AS last_registration_date,
       s.commune_code, s.sex, s.birth_year, s.education, s.allowance, s.disabled_worker,
       s.qpv, s.zrr, coalesce(s.ft_category, 'none') AS category
FROM single s JOIN eng_refdates d USING (ref_idx)
UNION ALL
SELECT a.ref_date, a.pid, a.operator, a.first_start,
       t.registration_date AS last_registration_date,
       t.commune_code, t.sex, t.birth_year, t.education, t.allowance, t.disabled_worker,
       t.qpv, t.zrr, t.category
FROM multi_person a
ASOF JOIN eng_terr t ON a.pid = t.pid AND a.ref_date >= t.registration_date;
