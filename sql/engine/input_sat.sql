-- eng_sat: built by the engine the first time an indicator file names it.
-- Every event delivered: events have no versions (see SHARED_TABLES, engine.py).
CREATE OR REPLACE TEMP TABLE eng_l_sat AS
SELECT e.person_id, e.operator, e.response_id, e.respondent_type, e.commune_code,
       e.response_date, e.score
FROM staging.satisfaction e;

-- Persons not mapped yet get the next integer ids.
INSERT INTO eng_pid FROM eng_new_pids('eng_l_sat');

CREATE OR REPLACE TEMP TABLE eng_sat AS
SELECT p.pid, e.operator, e.response_id, e.respondent_type,
       eng_commune(coalesce(h.commune_code, e.commune_code)) AS commune_code,
       e.response_date, e.score
FROM eng_l_sat e
LEFT JOIN eng_pid p USING (person_id)
LEFT JOIN ref.commune_history h ON h.code = e.commune_code;

DROP TABLE temp.eng_l_sat;
