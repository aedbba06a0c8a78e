-- eng_terr: built by the engine the first time an indicator file names it (or eng_placed).
-- The spell that gives a person's territory from each registration date on: the latest
-- registration_date, then the greatest registration_id (then operator, for equal ids of
-- two operators). `until_date`: the next territory spell's registration date (9999-12-31
-- for the last), so a date's spell is found by a plain join on the person,
-- `d >= registration_date AND d < until_date`: a hash join, where an ASOF join sorts
-- both sides. Its attributes are the person's (CONTRACT §4), `category` included.
-- A person with a single spell (most of them) has it as their territory from its date
-- on; only persons with several spells go through the windows, which run over narrow
-- columns and the row id, the wide rows fetched by id.
-- The attributes are stored as `profile` (operator null): see eng_profiles.
CREATE OR REPLACE TEMP TABLE eng_terr_k AS
SELECT r.rowid AS rid
FROM eng_reg r SEMI JOIN eng_reg_multi USING (pid)
QUALIFY row_number() OVER (
    PARTITION BY pid, registration_date ORDER BY registration_id DESC, operator DESC
) = 1;

CREATE OR REPLACE TEMP TABLE eng_terr_wide AS
SELECT pid, registration_date, DATE '9999-12-31' AS until_date, commune_code, birth_year,
       NULL::VARCHAR[] AS operator, __ATTRIBUTES__
FROM eng_reg ANTI JOIN eng_reg_multi USING (pid)
UNION ALL
SELECT r.pid, r.registration_date,
       coalesce(lead(r.registration_date) OVER (PARTITION BY r.pid
                                                ORDER BY r.registration_date),
                DATE '9999-12-31') AS until_date,
       r.commune_code, r.birth_year, NULL::VARCHAR[] AS operator, __ATTRIBUTES(r)__
FROM eng_reg r SEMI JOIN eng_terr_k k ON k.rid = r.rowid;

-- New profiles get the next integers.
INSERT INTO eng_profiles FROM eng_new_profiles('eng_terr_wide');

CREATE OR REPLACE TEMP TABLE eng_terr AS FROM eng_with_profile('eng_terr_wide');

DROP TABLE temp.eng_terr_k;
DROP TABLE temp.eng_terr_wide;
