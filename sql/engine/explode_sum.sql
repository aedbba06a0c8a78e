-- Facts -> (period, cell, breakdown, breakdown_value) counts of a count or a rate: one
-- grouping per breakdown (a branch whose breakdown the catalog does not list is pruned by
-- its constant filter). A null attribute is 'unknown'; list attributes put a unit under
-- each of their values. Rows with `breakdown` set are slices: they count there only.
-- $breakdowns: the catalog's breakdowns plus 'total'; $slices: the catalog's slices.
-- Keys are a date, a small integer and a short string: the hash tables stay small.
CREATE OR REPLACE TEMP TABLE eng_cells AS
WITH f AS (SELECT * FROM eng_facts),
main AS (SELECT * FROM eng_facts WHERE breakdown IS NULL)
SELECT period, cell, 'total' AS breakdown, 'total' AS breakdown_value,
       sum(num) AS n, count(*) AS d
FROM main GROUP BY ALL
UNION ALL
SELECT period, cell, 'sex', coalesce(sex, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'sex') GROUP BY ALL
UNION ALL
SELECT period, cell, 'age_band', coalesce(age_band, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'age_band') GROUP BY ALL
UNION ALL
SELECT period, cell, 'education', coalesce(education, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'education') GROUP BY ALL
UNION ALL
SELECT period, cell, 'disabled_worker', coalesce(disabled_worker, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'disabled_worker') GROUP BY ALL
UNION ALL
SELECT period, cell, 'qpv', coalesce(qpv, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'qpv') GROUP BY ALL
UNION ALL
SELECT period, cell, 'zrr', coalesce(zrr, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'zrr') GROUP BY ALL
UNION ALL
SELECT period, cell, 'seniority', coalesce(seniority, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'seniority') GROUP BY ALL
UNION ALL
SELECT period, cell, 'category', coalesce(category, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'category') GROUP BY ALL
UNION ALL
SELECT period, cell, 'exit_reason', coalesce(exit_reason, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'exit_reason') GROUP BY ALL
UNION ALL
SELECT period, cell, 'action_type', coalesce(action_type, 'unknown'), sum(num), count(*)
FROM main WHERE list_contains($breakdowns::VARCHAR[], 'action_type') GROUP BY ALL
UNION ALL
SELECT period, cell, 'operator', v, sum(num), count(*)
FROM (SELECT period, cell, num, unnest(coalesce(operator, ['unknown'])) AS v FROM main
      WHERE list_contains($breakdowns::VARCHAR[], 'operator'))
GROUP BY ALL
UNION ALL
SELECT period, cell, 'allowance', v, sum(num), count(*)
FROM (SELECT period, cell, num, unnest(coalesce(allowance, ['unknown'])) AS v FROM main
      WHERE list_contains($breakdowns::VARCHAR[], 'allowance'))
GROUP BY ALL
UNION ALL
SELECT period, cell, 'pathway_type', v, sum(num), count(*)
FROM (SELECT period, cell, num, unnest(coalesce(pathway_type, ['unknown'])) AS v FROM main
      WHERE list_contains($breakdowns::VARCHAR[], 'pathway_type'))
GROUP BY ALL
UNION ALL
SELECT period, cell, breakdown, breakdown_value, sum(num), count(*)
FROM f WHERE breakdown IS NOT NULL AND list_contains($slices::VARCHAR[], breakdown)
GROUP BY ALL;
