-- Facts -> (period, cell, breakdown, breakdown_value, val) counts: `n` (the numerator's
-- units: sum of num) and `d` (units); `val` is a median's value (its histograms: the
-- number of units with each value), null for a count or a rate. One grouping per
-- breakdown (a branch whose breakdown the catalog does not list is pruned by its
-- constant filter). A null attribute is 'unknown'; list attributes put a unit under
-- each of their values. Rows with `breakdown` set are slices: they count there only.
-- Each branch reads the rows of its grouping set (`gset`, sql/engine/facts.sql): the
-- attribute set for the total and the attributes, its own set for a column counted on its
-- own, the slice set for slices.
-- The branches stay one per breakdown, alike in shape: one branch unnesting the names of
-- the attributes and picking each by CASE measured slower (CAP_REGISTERED at 6M persons:
-- 1.45 s instead of 0.9 s).
-- Keys are a date, a small integer and a short string: the hash tables stay small. Each
-- branch scans eng_facts itself (a shared CTE would be materialised with every column).
-- Facts carrying `attr` (stock or territory-spell operators and attributes) are first
-- counted per (period, cell, attr), a small integer key, and decoded through eng_attr
-- after counting (eng_decode_attr: a column the fact yields itself wins over that of
-- `attr`, a null one falls back to it). The attribute branches below read those counts
-- and the other facts' own columns from eng_attr_facts.
-- Facts yielding none of those columns themselves (stock indicators) are grouped on
-- (period, cell, attr) alone: with eight null keys the grouping took longer (the
-- national CAP_REGISTERED: 1.3 s instead of 0.9 s with the decoding).
CREATE OR REPLACE TEMP TABLE eng_attr_counts AS
SELECT period, cell, val, attr, NULL::VARCHAR[] AS operator, NULL::VARCHAR AS sex,
       NULL::VARCHAR AS education, NULL::VARCHAR[] AS allowance,
       NULL::VARCHAR AS disabled_worker, NULL::VARCHAR AS qpv, NULL::VARCHAR AS zrr,
       NULL::VARCHAR AS category, sum(num * units) AS n, sum(units) AS d
FROM eng_facts
WHERE gset = 'attr' AND breakdown IS NULL AND attr IS NOT NULL
  AND coalesce(operator, allowance) IS NULL
  AND coalesce(sex, education, disabled_worker, qpv, zrr, category) IS NULL
GROUP BY period, cell, val, attr
UNION ALL
SELECT period, cell, val, attr, operator, sex, education, allowance, disabled_worker, qpv,
       zrr, category, sum(num * units), sum(units)
FROM eng_facts
WHERE gset = 'attr' AND breakdown IS NULL AND attr IS NOT NULL
  AND (coalesce(operator, allowance) IS NOT NULL
       OR coalesce(sex, education, disabled_worker, qpv, zrr, category) IS NOT NULL)
GROUP BY ALL;

-- Stored once and read by every attribute branch (as a view, each branch re-scanned the
-- facts for their rows without `attr`).
CREATE OR REPLACE TEMP TABLE eng_attr_facts AS
SELECT period, cell, val, operator, sex, education, allowance, disabled_worker, qpv, zrr,
       category, n, d
FROM eng_decode_attr('eng_attr_counts')
UNION ALL
SELECT period, cell, val, operator, sex, education, allowance, disabled_worker, qpv, zrr,
       category, num * units, units
FROM eng_facts WHERE gset = 'attr' AND breakdown IS NULL AND attr IS NULL;

-- $breakdowns: the catalog's breakdowns plus 'total'; $slices: the catalog's slices.
CREATE OR REPLACE TEMP TABLE eng_cells AS
SELECT period, cell, 'total' AS breakdown, 'total' AS breakdown_value,
       val, sum(num * units) AS n, sum(units) AS d
FROM eng_facts WHERE gset = 'attr' AND breakdown IS NULL GROUP BY ALL
UNION ALL
SELECT period, cell, 'sex', coalesce(sex, 'unknown'), val, sum(n), sum(d)
FROM eng_attr_facts WHERE list_contains($breakdowns::VARCHAR[], 'sex') GROUP BY ALL
UNION ALL
SELECT period, cell, 'age_band', coalesce(age_band, 'unknown'), val, sum(num * units),
       sum(units)
FROM eng_facts WHERE gset = 'age_band' AND breakdown IS NULL
  AND list_contains($breakdowns::VARCHAR[], 'age_band') GROUP BY ALL
UNION ALL
SELECT period, cell, 'education', coalesce(education, 'unknown'), val, sum(n), sum(d)
FROM eng_attr_facts WHERE list_contains($breakdowns::VARCHAR[], 'education') GROUP BY ALL
UNION ALL
SELECT period, cell, 'disabled_worker', coalesce(disabled_worker, 'unknown'), val, sum(n),
       sum(d)
FROM eng_attr_facts WHERE list_contains($breakdowns::VARCHAR[], 'disabled_worker') GROUP BY ALL
UNION ALL
SELECT period, cell, 'qpv', coalesce(qpv, 'unknown'), val, sum(n), sum(d)
FROM eng_attr_facts WHERE list_contains($breakdowns::VARCHAR[], 'qpv') GROUP BY ALL
UNION ALL
SELECT period, cell, 'zrr', coalesce(zrr, 'unknown'), val, sum(n), sum(d)
FROM eng_attr_facts WHERE list_contains($breakdowns::VARCHAR[], 'zrr') GROUP BY ALL
UNION ALL
SELECT period, cell, 'seniority', coalesce(seniority, 'unknown'), val, sum(num * units),
       sum(units)
FROM eng_facts WHERE gset = 'seniority' AND breakdown IS NULL
  AND list_contains($breakdowns::VARCHAR[], 'seniority') GROUP BY ALL
UNION ALL
SELECT period, cell, 'category', coalesce(category, 'unknown'), val, sum(n), sum(d)
FROM eng_attr_facts WHERE list_contains($breakdowns::VARCHAR[], 'category') GROUP BY ALL
UNION ALL
SELECT period, cell, 'exit_reason', coalesce(exit_reason, 'unknown'), val, sum(num * units),
       sum(units)
FROM eng_facts WHERE gset = 'exit_reason' AND breakdown IS NULL
  AND list_contains($breakdowns::VARCHAR[], 'exit_reason') GROUP BY ALL
UNION ALL
SELECT period, cell, 'action_type', coalesce(action_type, 'unknown'), val, sum(num * units),
       sum(units)
FROM eng_facts WHERE gset = 'action_type' AND breakdown IS NULL
  AND list_contains($breakdowns::VARCHAR[], 'action_type') GROUP BY ALL
UNION ALL
SELECT period, cell, 'operator', v, val, sum(n), sum(d)
FROM (SELECT period, cell, val, n, d, unnest(coalesce(operator, ['unknown'])) AS v
      FROM eng_attr_facts
      WHERE list_contains($breakdowns::VARCHAR[], 'operator'))
GROUP BY ALL
UNION ALL
SELECT period, cell, 'allowance', v, val, sum(n), sum(d)
FROM (SELECT period, cell, val, n, d, unnest(coalesce(allowance, ['unknown'])) AS v
      FROM eng_attr_facts
      WHERE list_contains($breakdowns::VARCHAR[], 'allowance'))
GROUP BY ALL
UNION ALL
SELECT period, cell, 'pathway_type', v, val, sum(num * units), sum(units)
FROM (SELECT period, cell, val, num, units, unnest(coalesce(pathway_type, ['unknown'])) AS v
      FROM eng_facts
      WHERE gset = 'pathway_type' AND breakdown IS NULL
        AND list_contains($breakdowns::VARCHAR[], 'pathway_type'))
GROUP BY ALL
UNION ALL
SELECT period, cell, breakdown, breakdown_value, val, sum(num * units), sum(units)
FROM eng_facts WHERE gset = 'slice' AND list_contains($slices::VARCHAR[], breakdown)
GROUP BY ALL;
