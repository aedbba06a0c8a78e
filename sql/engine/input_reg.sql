-- eng_reg: built by the engine the first time an indicator file names it.
-- Latest delivered version of each spell or event (operator + id): the row of the latest
-- delivery month. A delivery (operator, month) is replaced whole on reload, so within one
-- operator and month there is one version; `loaded_at` never decides. The row id is picked
-- by a narrow aggregate and the rows fetched by id: a window over the wide rows is slower.
CREATE OR REPLACE TEMP TABLE eng_l_reg AS
SELECT r.* FROM staging.registrations r
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.registrations
           GROUP BY operator, registration_id) k ON k.rid = r.rowid;

-- Persons not mapped yet get the next integer ids.
INSERT INTO eng_pid FROM eng_new_pids('eng_l_reg');

-- Registration spells with the person attributes already coded as breakdown values: one
-- column per breakdown of sql/indicators/vocabulary.toml with source "registration", named
-- after it (the engine carries them with the person as their `profile`).
-- `first_idx`..`last_idx`: the months (eng_month_idx) at whose end the spell is active,
-- so stocks expand spells over integer months instead of range-joining dates.
CREATE OR REPLACE TEMP TABLE eng_reg AS
SELECT
    p.pid,
    r.operator,
    r.registration_id,
    r.registration_date,
    r.exit_date,
    r.exit_reason,
    eng_commune(coalesce(h.commune_code, r.commune_code)) AS commune_code,
    coalesce(r.sex, 'unknown') AS sex,
    r.birth_year::SMALLINT AS birth_year,
    CASE
        WHEN r.education_level IN ('1', '2', '3') THEN 'infra_bac'
        WHEN r.education_level = '4' THEN 'bac'
        WHEN r.education_level IN ('5', '6', '7', '8') THEN 'sup_bac'
        ELSE 'unknown'
    END AS education,
    CASE WHEN coalesce(r.allowance_are OR r.allowance_ass OR r.allowance_rsa
                       OR r.allowance_aah OR r.allowance_cej, false)
         THEN list_concat(
            CASE WHEN r.allowance_are THEN ['ARE'] ELSE [] END,
            CASE WHEN r.allowance_ass THEN ['ASS'] ELSE [] END,
            CASE WHEN r.allowance_rsa THEN ['RSA'] ELSE [] END,
            CASE WHEN r.allowance_aah THEN ['AAH'] ELSE [] END,
            CASE WHEN r.allowance_cej THEN ['CEJ'] ELSE [] END)
         ELSE ['none']
    END::VARCHAR[] AS allowance,
    CASE r.disabled_worker WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END
        AS disabled_worker,
    CASE r.qpv_resident WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END AS qpv,
    CASE coalesce(r.zrr_resident, c.zrr) WHEN true THEN 'yes' WHEN false THEN 'no'
        ELSE 'unknown' END AS zrr,
    -- That of an FT spell; a spell of another operator gives none (CONTRACT §4: the
    -- attributes are those of the spell giving the territory).
    CASE WHEN r.operator = 'FT' THEN coalesce(r.category, 'unknown') ELSE 'none' END
        AS category,
    eng_month_idx(r.registration_date) AS first_idx,
    CASE WHEN r.exit_date IS NULL THEN 2147483647 ELSE eng_month_idx(r.exit_date) - 1 END
        AS last_idx
FROM eng_l_reg r
JOIN eng_pid p USING (person_id)
-- Ingestion maps old codes already; mapping again keeps history loaded before that exact.
LEFT JOIN ref.commune_history h ON h.code = r.commune_code
LEFT JOIN ref.communes c ON c.commune_code = coalesce(h.commune_code, r.commune_code);

DROP TABLE temp.eng_l_reg;

-- Persons with several spells (few): a person with one spell is their own territory, so
-- stocks and territory spells group only these. Counted on the integer id.
CREATE OR REPLACE TEMP TABLE eng_reg_multi AS
SELECT pid FROM eng_reg GROUP BY pid HAVING count(*) > 1;
