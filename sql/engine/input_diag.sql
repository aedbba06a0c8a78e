-- eng_diag: built by the engine the first time an indicator file names it.
-- Every event delivered: events have no versions (see SHARED_TABLES, engine.py).
CREATE OR REPLACE TEMP TABLE eng_l_diag AS
SELECT e.person_id, e.operator, e.diagnostic_id, e.diagnostic_date
FROM staging.diagnostics e;

-- Persons not mapped yet get the next integer ids.
INSERT INTO eng_pid FROM eng_new_pids('eng_l_diag');

CREATE OR REPLACE TEMP TABLE eng_diag AS
SELECT p.pid, e.operator, e.diagnostic_id, e.diagnostic_date
FROM eng_l_diag e JOIN eng_pid p USING (person_id);

DROP TABLE temp.eng_l_diag;
