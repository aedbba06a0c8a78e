-- eng_in_pathway: the persons with a pathway active at the end of each period M (started
-- by then, not ended by then), one row each, with `period` = M, `ref_date` = the end of
-- M, the set of their referent operators and the set of their active pathways' types.
-- A person with a single pathway (most of them) passes straight through: grouping every
-- person-month on its own costs several times as much as grouping those with several.
-- eng_path_active (the pathways active at the end of each period) is kept for
-- sql/engine/in_pathway_by_operator.sql.
CREATE OR REPLACE TEMP VIEW eng_path_active AS
SELECT p.period, p.m_end AS ref_date, x.pid, x.operator, x.pathway_type, x.n_path
FROM eng_path x
JOIN eng_periods p
  ON x.start_date <= p.m_end AND (x.end_date IS NULL OR x.end_date > p.m_end);

CREATE OR REPLACE TEMP TABLE eng_in_pathway AS
SELECT period, ref_date, pid, [operator] AS operator, [pathway_type] AS pathway_type
FROM eng_path_active WHERE n_path = 1
UNION ALL
SELECT period, ref_date, pid, list_sort(list_distinct(list(operator))),
       list_sort(list_distinct(list(pathway_type)))
FROM eng_path_active WHERE n_path > 1
GROUP BY period, ref_date, pid;

