-- eng_path: built by the engine the first time an indicator file names it.
CREATE OR REPLACE TEMP TABLE eng_l_path AS
SELECT s.person_id, s.operator, s.pathway_id, s.pathway_type, s.start_date, s.end_date
FROM staging.pathways s
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.pathways
           GROUP BY operator, pathway_id) k ON k.rid = s.rowid;

-- Persons not mapped yet get the next integer ids.
INSERT INTO eng_pid FROM eng_new_pids('eng_l_path');

-- Accompaniment spells; the delivering operator is the referent. `n_path`: the person's
-- number of pathways (a person with one needs no grouping per date).
CREATE OR REPLACE TEMP TABLE eng_path AS
SELECT p.pid, s.operator, s.pathway_id, s.pathway_type, s.start_date, s.end_date,
       count(*) OVER (PARTITION BY p.pid) AS n_path
FROM eng_l_path s JOIN eng_pid p USING (person_id);

DROP TABLE temp.eng_l_path;
