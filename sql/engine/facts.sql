-- The unit-level facts an indicator file yields: one row per unit (person, diagnostic,
-- pathway, offer, answer) and period. `num` is 1 for a count, 0/1 for a rate's
-- numerator, the value for a median. Breakdown columns left out are null. A row with
-- `breakdown` set (a "slice", declared in the catalog) contributes to that
-- (breakdown, breakdown_value) only: that is how a rate broken down by an attribute of the
-- outcome (e.g. action_type) keeps its whole population as denominator. List columns
-- (operator, allowance, pathway_type) put a unit under each of their values. `attr`, from
-- the stock or a territory spell, stands for the columns of eng_attr (operator, sex,
-- education, allowance, disabled_worker, qpv, zrr, category): the roll-up decodes it
-- after counting; a column of those the file yields itself wins over that of `attr`.
-- The commune is stored as its territorial cell (eng_cellmap, zoning of the period's
-- year): the roll-up then groups on a small integer. Communes come as eng_commune_type
-- (the engine's tables) or as code strings, read as that enum: a code the reference does
-- not know is null, placed at the national level only.

-- Every column an indicator file may yield, with its type (the file's SELECT is read BY
-- NAME against it: columns it leaves out are null).
CREATE OR REPLACE TABLE eng_work.eng_facts_in (
    period DATE NOT NULL,
    commune_code eng_commune_type,
    num DOUBLE,
    breakdown VARCHAR,
    breakdown_value VARCHAR,
    operator VARCHAR[],
    sex VARCHAR,
    age_band eng_age_band_type,
    education VARCHAR,
    allowance VARCHAR[],
    disabled_worker VARCHAR,
    qpv VARCHAR,
    zrr VARCHAR,
    seniority eng_seniority_type,
    category VARCHAR,
    pathway_type VARCHAR[],
    exit_reason VARCHAR,
    action_type VARCHAR,
    attr INTEGER
);

-- The facts are stored with only the columns the file yields and the roll-up uses
-- (__COLUMNS__, filled in by the engine), counted per grouping set (__GROUP_BY__, `gset`
-- names a row's set): the attributes together ('attr'), each of age_band, seniority,
-- exit_reason, action_type, pathway_type on its own, slice rows by (breakdown, value)
-- ('slice'); `units` the units a row stands for. The national stock's ~37M person-months
-- make ~1.9M rows (7.5M when every column was counted together). Every row keeps its
-- `breakdown`: slice rows count in their slice only. One row per unit, null columns
-- included, needed a compressed table that cost several times as much to write and to
-- read back. The file runs once. Periods still waiting for later months ($months_after)
-- are left out.
CREATE OR REPLACE TEMP TABLE eng_facts_rows AS
SELECT __COLUMNS__, coalesce(m.cell, 0) AS cell, __GSET__ AS gset, count(*) AS units
FROM ((FROM eng_facts_in) UNION ALL BY NAME (
__INDICATOR__
)) f
JOIN eng_periods p ON p.period = f.period AND p.months_after >= $months_after
LEFT JOIN eng_cellmap m
  ON m.zy = coalesce(p.zoning_year, -1) AND m.commune_code = eng_commune(f.commune_code)
GROUP BY __GROUP_BY__;

-- What the roll-up reads: every column (null where the file yields none), `units`, and
-- `val`, the value a median's histograms count (__VAL__: num for a median, else null).
CREATE OR REPLACE TEMP VIEW eng_facts AS
SELECT *, __VAL__ AS val FROM (
    SELECT * EXCLUDE (commune_code), NULL::INTEGER AS cell, NULL::VARCHAR AS gset,
           NULL::BIGINT AS units
    FROM eng_facts_in
    UNION ALL BY NAME
    SELECT * FROM eng_facts_rows
);
