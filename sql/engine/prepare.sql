-- Shared inputs of one indicator computation, built once per run as temporary tables.
-- `eng_periods(period, m_start, m_end, prev_end, zoning_year, months_after)` is created
-- by the engine before this script (the periods to compute).

-- Dates at which stocks are taken: end of each period, and end of the month before it
-- (denominators of the return rates).
CREATE OR REPLACE TEMP TABLE eng_refdates AS
SELECT DISTINCT ref_date FROM (
    SELECT m_end AS ref_date FROM eng_periods
    UNION ALL
    SELECT prev_end FROM eng_periods
);

-- Person ids as integers, mapped once: joins and distinct counts on 64-char hex strings
-- cost several times more than on BIGINT.
CREATE OR REPLACE TEMP TABLE eng_pid AS
SELECT person_id, row_number() OVER () AS pid
FROM (
    SELECT person_id FROM staging.registrations
    UNION SELECT person_id FROM staging.pathways
    UNION SELECT person_id FROM staging.diagnostics
    UNION SELECT person_id FROM staging.hires
    UNION SELECT person_id FROM staging.actions
    UNION SELECT person_id FROM staging.satisfaction WHERE person_id IS NOT NULL
);

-- Registration spells in their latest delivered version (operator + id), with the
-- person attributes already coded as breakdown values.
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
    list_concat(
        CASE WHEN r.allowance_are THEN ['ARE'] ELSE [] END,
        CASE WHEN r.allowance_ass THEN ['ASS'] ELSE [] END,
        CASE WHEN r.allowance_rsa THEN ['RSA'] ELSE [] END,
        CASE WHEN r.allowance_aah THEN ['AAH'] ELSE [] END,
        CASE WHEN r.allowance_cej THEN ['CEJ'] ELSE [] END
    )::VARCHAR[] AS allowance,
    CASE r.disabled_worker WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END
        AS disabled_worker,
    CASE r.qpv_resident WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END AS qpv,
    CASE coalesce(r.zrr_resident, c.zrr) WHEN true THEN 'yes' WHEN false THEN 'no'
        ELSE 'unknown' END AS zrr,
    CASE WHEN r.operator = 'FT' THEN coalesce(r.category, 'unknown') END AS ft_category
FROM (
    SELECT * FROM staging.registrations
    QUALIFY row_number() OVER (
        PARTITION BY operator, registration_id ORDER BY delivery_month DESC, loaded_at DESC
    ) = 1
) r
JOIN eng_pid p USING (person_id)
-- Ingestion maps old codes already; mapping again keeps history loaded before that exact.
LEFT JOIN ref.commune_history h ON h.code = r.commune_code
LEFT JOIN ref.communes c ON c.commune_code = coalesce(h.commune_code, r.commune_code);

-- The spell that gives a person's territory from each registration date on: the latest
-- registration_date, then the greatest registration_id (then operator, for equal ids of
-- two operators). Used with ASOF JOIN on (pid, date >= registration_date). `category` is
-- that of the latest FT registration started by then ('none' without any).
CREATE OR REPLACE TEMP TABLE eng_terr AS
SELECT pid, registration_date, commune_code, sex, birth_year, education,
       CASE WHEN len(allowance) = 0 THEN ['none'] ELSE allowance END AS allowance,
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

-- Accompaniment spells, latest version; the delivering operator is the referent.
CREATE OR REPLACE TEMP TABLE eng_path AS
SELECT p.pid, s.operator, s.pathway_id, s.pathway_type, s.start_date, s.end_date
FROM (
    SELECT * FROM staging.pathways
    QUALIFY row_number() OVER (
        PARTITION BY operator, pathway_id ORDER BY delivery_month DESC, loaded_at DESC
    ) = 1
) s
JOIN eng_pid p USING (person_id);

-- Job offers, latest version.
CREATE OR REPLACE TEMP TABLE eng_offers AS
SELECT o.operator, o.offer_id, coalesce(h.commune_code, o.commune_code) AS commune_code,
       o.posted_date, o.closed_date, o.closing_reason
FROM (
    SELECT * FROM staging.job_offers
    QUALIFY row_number() OVER (
        PARTITION BY operator, offer_id ORDER BY delivery_month DESC, loaded_at DESC
    ) = 1
) o
LEFT JOIN ref.commune_history h ON h.code = o.commune_code;

-- Events: all of them (one row per operator + id, in case an id was delivered twice).
CREATE OR REPLACE TEMP TABLE eng_diag AS
SELECT p.pid, e.operator, e.diagnostic_id, e.diagnostic_date
FROM (
    SELECT * FROM staging.diagnostics
    QUALIFY row_number() OVER (
        PARTITION BY operator, diagnostic_id ORDER BY delivery_month DESC, loaded_at DESC
    ) = 1
) e
JOIN eng_pid p USING (person_id);

CREATE OR REPLACE TEMP TABLE eng_hires AS
SELECT p.pid, e.operator, e.hire_id, e.hire_date,
       (e.contract_type IN ('CDI', 'CREATION') OR coalesce(e.contract_months, 0) >= 6)
           AS durable
FROM (
    SELECT * FROM staging.hires
    QUALIFY row_number() OVER (
        PARTITION BY operator, hire_id ORDER BY delivery_month DESC, loaded_at DESC
    ) = 1
) e
JOIN eng_pid p USING (person_id);

CREATE OR REPLACE TEMP TABLE eng_actions AS
SELECT p.pid, e.operator, e.action_id, e.action_type, e.start_date
FROM (
    SELECT * FROM staging.actions
    QUALIFY row_number() OVER (
        PARTITION BY operator, action_id ORDER BY delivery_month DESC, loaded_at DESC
    ) = 1
) e
JOIN eng_pid p USING (person_id);

CREATE OR REPLACE TEMP TABLE eng_sat AS
SELECT p.pid, e.operator, e.response_id, e.respondent_type,
       coalesce(h.commune_code, e.commune_code) AS commune_code,
       e.response_date, e.score
FROM (
    SELECT * FROM staging.satisfaction
    QUALIFY row_number() OVER (
        PARTITION BY operator, response_id ORDER BY delivery_month DESC, loaded_at DESC
    ) = 1
) e
LEFT JOIN eng_pid p USING (person_id)
LEFT JOIN ref.commune_history h ON h.code = e.commune_code;

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
