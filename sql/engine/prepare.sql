-- Shared inputs of one indicator computation, built once per run as temporary tables.
-- `eng_periods(period, m_start, m_end, prev_end, zoning_year, months_after)` is created
-- by the engine before this script (the periods to compute).

-- Month index (months since year 0): stocks work on integer months.
CREATE OR REPLACE TEMP MACRO eng_month_idx(d) AS year(d) * 12 + month(d) - 1;

-- Dates at which stocks are taken: end of each period, and end of the month before it
-- (denominators of the return rates).
CREATE OR REPLACE TEMP TABLE eng_refdates AS
SELECT DISTINCT ref_date, eng_month_idx(ref_date) AS ref_idx FROM (
    SELECT m_end AS ref_date FROM eng_periods
    UNION ALL
    SELECT prev_end FROM eng_periods
);

-- Latest delivered version of each spell or event (operator + id): the row of the latest
-- delivery month. A delivery (operator, month) is replaced whole on reload, so within one
-- operator and month there is one version; `loaded_at` never decides. Picking the row id
-- by a narrow aggregate and fetching the rows by id is several times faster than a window
-- over the wide rows.
CREATE OR REPLACE TEMP TABLE eng_l_reg AS
SELECT r.* FROM staging.registrations r
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.registrations
           GROUP BY operator, registration_id) k ON k.rid = r.rowid;

CREATE OR REPLACE TEMP TABLE eng_l_path AS
SELECT s.person_id, s.operator, s.pathway_id, s.pathway_type, s.start_date, s.end_date
FROM staging.pathways s
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.pathways
           GROUP BY operator, pathway_id) k ON k.rid = s.rowid;

CREATE OR REPLACE TEMP TABLE eng_l_diag AS
SELECT e.person_id, e.operator, e.diagnostic_id, e.diagnostic_date
FROM staging.diagnostics e
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.diagnostics
           GROUP BY operator, diagnostic_id) k ON k.rid = e.rowid;

CREATE OR REPLACE TEMP TABLE eng_l_hires AS
SELECT e.person_id, e.operator, e.hire_id, e.hire_date,
       (e.contract_type IN ('CDI', 'CREATION') OR coalesce(e.contract_months, 0) >= 6)
           AS durable
FROM staging.hires e
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.hires
           GROUP BY operator, hire_id) k ON k.rid = e.rowid;

CREATE OR REPLACE TEMP TABLE eng_l_actions AS
SELECT e.person_id, e.operator, e.action_id, e.action_type, e.start_date
FROM staging.actions e
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.actions
           GROUP BY operator, action_id) k ON k.rid = e.rowid;

CREATE OR REPLACE TEMP TABLE eng_l_sat AS
SELECT e.person_id, e.operator, e.response_id, e.respondent_type, e.commune_code,
       e.response_date, e.score
FROM staging.satisfaction e
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.satisfaction
           GROUP BY operator, response_id) k ON k.rid = e.rowid;

-- Person ids as integers, mapped once on the latest versions: joins, windows and distinct
-- counts on 64-char hex strings cost several times more than on BIGINT.
CREATE OR REPLACE TEMP TABLE eng_pid AS
SELECT person_id, row_number() OVER () AS pid
FROM (
    SELECT person_id FROM eng_l_reg
    UNION SELECT person_id FROM eng_l_path
    UNION SELECT person_id FROM eng_l_diag
    UNION SELECT person_id FROM eng_l_hires
    UNION SELECT person_id FROM eng_l_actions
    UNION SELECT person_id FROM eng_l_sat WHERE person_id IS NOT NULL
);

-- Registration spells with the person attributes already coded as breakdown values.
-- `first_idx`..`last_idx`: the months (eng_month_idx) at whose end the spell is active,
-- so stocks expand spells over integer months instead of range-joining dates. `n_reg`: the
-- person's number of spells; a person with one spell is their own territory.
CREATE OR REPLACE TEMP TABLE eng_reg AS
SELECT
    p.pid,
    r.operator,
    r.registration_id,
    r.registration_date,
    r.exit_date,
    r.exit_reason,
    coalesce(h.commune_code, r.commune_code) AS commune_code,
    coalesce(r.sex, 'unknown') AS sex,
    r.birth_year,
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
    CASE WHEN r.operator = 'FT' THEN coalesce(r.category, 'unknown') END AS ft_category,
    eng_month_idx(r.registration_date) AS first_idx,
    CASE WHEN r.exit_date IS NULL THEN 2147483647 ELSE eng_month_idx(r.exit_date) - 1 END
        AS last_idx,
    count(*) OVER (PARTITION BY p.pid) AS n_reg
FROM eng_l_reg r
JOIN eng_pid p USING (person_id)
-- Ingestion maps old codes already; mapping again keeps history loaded before that exact.
LEFT JOIN ref.commune_history h ON h.code = r.commune_code
LEFT JOIN ref.communes c ON c.commune_code = coalesce(h.commune_code, r.commune_code);

-- The spell that gives a person's territory from each registration date on: the latest
-- registration_date, then the greatest registration_id (then operator, for equal ids of
-- two operators). Used with ASOF JOIN on (pid, date >= registration_date). `category` is
-- that of the latest FT registration started by then ('none' without any).
CREATE OR REPLACE TEMP TABLE eng_terr AS
SELECT pid, registration_date, commune_code, sex, birth_year, education, allowance,
       disabled_worker, qpv, zrr, coalesce(category, 'none') AS category
FROM (
    SELECT *,
        last_value(ft_category IGNORE NULLS) OVER (
            PARTITION BY pid ORDER BY registration_date, registration_id, operator
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS category
    FROM eng_reg
    QUALIFY row_number() OVER (
        PARTITION BY pid, registration_date ORDER BY registration_id DESC, operator DESC
    ) = 1
);

-- Accompaniment spells; the delivering operator is the referent. `n_path`: the person's
-- number of pathways (a person with one needs no grouping per date).
CREATE OR REPLACE TEMP TABLE eng_path AS
SELECT p.pid, s.operator, s.pathway_id, s.pathway_type, s.start_date, s.end_date,
       count(*) OVER (PARTITION BY p.pid) AS n_path
FROM eng_l_path s JOIN eng_pid p USING (person_id);

-- Job offers, latest version.
CREATE OR REPLACE TEMP TABLE eng_offers AS
SELECT o.operator, o.offer_id, coalesce(h.commune_code, o.commune_code) AS commune_code,
       o.posted_date, o.closed_date, o.closing_reason
FROM staging.job_offers o
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.job_offers
           GROUP BY operator, offer_id) k ON k.rid = o.rowid
LEFT JOIN ref.commune_history h ON h.code = o.commune_code;

-- Events: all of them (one row per operator + id, in case an id was delivered twice).
CREATE OR REPLACE TEMP TABLE eng_diag AS
SELECT p.pid, e.operator, e.diagnostic_id, e.diagnostic_date
FROM eng_l_diag e JOIN eng_pid p USING (person_id);

CREATE OR REPLACE TEMP TABLE eng_hires AS
SELECT p.pid, e.operator, e.hire_id, e.hire_date, e.durable
FROM eng_l_hires e JOIN eng_pid p USING (person_id);

CREATE OR REPLACE TEMP TABLE eng_actions AS
SELECT p.pid, e.operator, e.action_id, e.action_type, e.start_date
FROM eng_l_actions e JOIN eng_pid p USING (person_id);

CREATE OR REPLACE TEMP TABLE eng_sat AS
SELECT p.pid, e.operator, e.response_id, e.respondent_type,
       coalesce(h.commune_code, e.commune_code) AS commune_code,
       e.response_date, e.score
FROM eng_l_sat e
LEFT JOIN eng_pid p USING (person_id)
LEFT JOIN ref.commune_history h ON h.code = e.commune_code;

-- Territorial cells: communes grouped by the set of territories they belong to in a
-- zoning year (région, département, committee). Facts are counted per (period, cell) in
-- small hash tables, then each level is a sum over cells: exact, because a unit sits in
-- one commune, hence one cell, per period. Cell 0: unknown commune or no territory
-- (national level only).
CREATE OR REPLACE TEMP TABLE eng_commune_terr AS
WITH years AS (SELECT DISTINCT coalesce(zoning_year, -1) AS zy FROM eng_periods)
SELECT y.zy, c.commune_code, 'REG' AS level, c.region_code AS territory_code
FROM years y, ref.communes c WHERE c.region_code IS NOT NULL
UNION
SELECT y.zy, c.commune_code, 'DEP', c.departement_code
FROM years y, ref.communes c WHERE c.departement_code IS NOT NULL
UNION
SELECT b.zoning_year, b.commune_code, 'BASSIN', b.bassin_code
FROM ref.bassins b JOIN years y ON y.zy = b.zoning_year
WHERE b.bassin_code IS NOT NULL;

CREATE OR REPLACE TEMP TABLE eng_cellmap AS
SELECT zy, commune_code, dense_rank() OVER (ORDER BY sig) AS cell
FROM (SELECT zy, commune_code,
             list(level || ':' || territory_code ORDER BY level, territory_code) AS sig
      FROM eng_commune_terr GROUP BY zy, commune_code);

CREATE OR REPLACE TEMP TABLE eng_cellterr AS
SELECT DISTINCT m.cell, t.level, t.territory_code
FROM eng_cellmap m JOIN eng_commune_terr t USING (zy, commune_code)
UNION ALL
SELECT cell, 'NAT', 'FR' FROM (SELECT DISTINCT cell FROM eng_cellmap UNION SELECT 0);

-- Breakdown values computed from dates.
CREATE OR REPLACE TEMP MACRO eng_age_band(period, birth_year) AS
    CASE
        WHEN birth_year IS NULL THEN 'unknown'
        WHEN year(period) - birth_year < 26 THEN '<26'
        WHEN year(period) - birth_year <= 49 THEN '26-49'
        ELSE '50+'
    END;

-- Whole months elapsed from `since` to `d`.
CREATE OR REPLACE TEMP MACRO eng_months_between(since, d) AS
    (year(d) - year(since)) * 12 + month(d) - month(since)
    - CASE WHEN day(d) < day(since) THEN 1 ELSE 0 END;

CREATE OR REPLACE TEMP MACRO eng_seniority(since, d) AS
    CASE
        WHEN since IS NULL THEN NULL
        WHEN eng_months_between(since, d) < 6 THEN '<6m'
        WHEN eng_months_between(since, d) < 12 THEN '6-11m'
        WHEN eng_months_between(since, d) < 24 THEN '12-23m'
        ELSE '24m+'
    END;
