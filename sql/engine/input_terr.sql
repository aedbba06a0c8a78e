-- eng_terr: built by the engine the first time an indicator file names it.
-- The spell that gives a person's territory from each registration date on: the latest
-- registration_date, then the greatest registration_id (then operator, for equal ids of
-- two operators). `until_date`: the next territory spell's registration date (9999-12-31
-- for the last), so a date's spell is found by a plain join on the person,
-- `d >= registration_date AND d < until_date`: a hash join, where an ASOF join sorts
-- both sides (3 times slower on 17M national pathway-months). Its attributes are the
-- person's (CONTRACT §4), `category` included: that of the spell when it is an FT one,
-- 'none' otherwise (an earlier FT spell, ended or not, does not lend it its category).
-- A person with a single spell (most of them) has it as their territory from its date
-- on; only persons with several spells go through the windows, which run over narrow
-- columns and the row id, the wide rows fetched by id.
-- The attributes are stored as `attr`, an entry of eng_attr (operator null): indicator
-- files pass it on to their facts, the roll-up decodes it after counting.
CREATE OR REPLACE TEMP TABLE eng_terr_k AS
SELECT r.rowid AS rid
FROM eng_reg r SEMI JOIN eng_reg_multi USING (pid)
QUALIFY row_number() OVER (
    PARTITION BY pid, registration_date ORDER BY registration_id DESC, operator DESC
) = 1;

CREATE OR REPLACE TEMP TABLE eng_terr_wide AS
SELECT pid, registration_date, DATE '9999-12-31' AS until_date, commune_code, birth_year,
       NULL::VARCHAR[] AS operator, sex, education, allowance, disabled_worker, qpv, zrr,
       coalesce(ft_category, 'none') AS category
FROM eng_reg ANTI JOIN eng_reg_multi USING (pid)
UNION ALL
SELECT r.pid, r.registration_date,
       coalesce(lead(r.registration_date) OVER (PARTITION BY r.pid
                                                ORDER BY r.registration_date),
                DATE '9999-12-31') AS until_date,
       r.commune_code, r.birth_year, NULL::VARCHAR[] AS operator,
       r.sex, r.education, r.allowance, r.disabled_worker, r.qpv, r.zrr,
       coalesce(r.ft_category, 'none') AS category
FROM eng_reg r SEMI JOIN eng_terr_k k ON k.rid = r.rowid;

-- New attribute combinations get the next integers.
INSERT INTO eng_attr FROM eng_new_attrs('eng_terr_wide');

CREATE OR REPLACE TEMP TABLE eng_terr AS FROM eng_with_attr('eng_terr_wide');

DROP TABLE temp.eng_terr_k;
DROP TABLE temp.eng_terr_wide;
