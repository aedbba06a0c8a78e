-- eng_in_pathway_by_operator: the persons of eng_in_pathway, one row per referent operator,
-- with the types of their active pathways with that operator. A person with a single
-- pathway passes straight through, as in sql/engine/in_pathway.sql.
CREATE OR REPLACE TEMP TABLE eng_in_pathway_by_operator AS
SELECT period, ref_date, pid, operator, [pathway_type] AS pathway_type
FROM eng_path_active WHERE n_path = 1
UNION ALL
SELECT period, ref_date, pid, operator, list_sort(list_distinct(list(pathway_type)))
FROM eng_path_active WHERE n_path > 1
GROUP BY period, ref_date, pid, operator;
