-- eng_actions: built by the engine the first time an indicator file names it.
-- Every event delivered: events have no versions (see SHARED_TABLES, engine.py).
CREATE OR REPLACE TEMP TABLE eng_l_actions AS
SELECT e.person_id, e.operator, e.action_id, e.action_type, e.start_date
FROM staging.actions e;

-- Persons not mapped yet get the next integer ids.
INSERT INTO eng_pid FROM eng_new_pids('eng_l_actions');

CREATE OR REPLACE TEMP TABLE eng_actions AS
SELECT p.pid, e.operator, e.action_id, e.action_type, e.start_date
FROM eng_l_actions e JOIN eng_pid p USING (person_id);

DROP TABLE temp.eng_l_actions;
