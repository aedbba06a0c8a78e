-- eng_hires: built by the engine the first time an indicator file names it.
-- Every event delivered: events have no versions (see SHARED_TABLES, engine.py).
CREATE OR REPLACE TEMP TABLE eng_l_hires AS
SELECT e.person_id, e.operator, e.hire_id, e.hire_date,
       (e.contract_type IN ('CDI', 'CREATION') OR coalesce(e.contract_months, 0) >= 6)
           AS durable
FROM staging.hires e;

-- Persons not mapped yet get the next integer ids.
INSERT INTO eng_pid FROM eng_new_pids('eng_l_hires');

CREATE OR REPLACE TEMP TABLE eng_hires AS
SELECT p.pid, e.operator, e.hire_id, e.hire_date, e.durable
FROM eng_l_hires e JOIN eng_pid p USING (person_id);

DROP TABLE temp.eng_l_hires;
