-- eng_terr: built by the engine the first time an indicator file names it.
-- The spell that gives a person's territory from each registration date on: the latest
-- registration_date, then the greatest registration_id (then operator, for equal ids of
-- two operators). Used with ASOF JOIN on (pid, date >= registration_date). `category` is
-- that of the latest FT registration started by then ('none' without any).
-- The windows run over narrow columns and the row id; the wide rows are fetched by id.
CREATE OR REPLACE TABLE eng_work.eng_terr AS
WITH k AS (
    SELECT rowid AS rid,
        last_value(ft_category IGNORE NULLS) OVER (
            PARTITION BY pid ORDER BY registration_date, registration_id, operator
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS category
    FROM eng_reg
    QUALIFY row_number() OVER (
        PARTITION BY pid, registration_date ORDER BY registration_id DESC, operator DESC
    ) = 1
)
SELECT r.pid, r.registration_date, r.commune_code, r.sex, r.birth_year, r.education,
       r.allowance, r.disabled_worker, r.qpv, r.zrr, coalesce(k.category, 'none') AS category
FROM eng_reg r JOIN k ON k.rid = r.rowid;
