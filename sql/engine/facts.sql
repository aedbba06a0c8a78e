-- The unit-level facts an indicator file yields: one row per unit (person, diagnostic,
-- pathway, offer, answer) and period. `num` is 1 for a count, 0/1 for a rate's
-- numerator, the value for a median. Breakdown columns left out are null. A row with
-- `slice` set (a slice declared in the catalog) contributes to that (slice, slice_value)
-- only: that is how a rate broken down by an attribute of the outcome (e.g. action_type)
-- keeps its whole population as denominator. List columns (`many` in the vocabulary) put
-- a unit under each of their values. `profile` stands for the unit's operators and its
-- person's attributes (eng_profiles): the roll-up decodes it after counting; a column of
-- those the file yields itself wins over that of `profile`.
-- The commune is stored as its area (eng_area_of, zoning of the period's year): the
-- roll-up then groups on a small integer. Communes come as eng_commune_type (the engine's
-- tables) or as code strings, read as that enum: a code the reference does not know is
-- null, placed at the national level only.

-- Every column an indicator file may yield, with its type (the file's SELECT is read BY
-- NAME against it: columns it leaves out are null). __FACT_DDL__: a column per breakdown
-- of the vocabulary.
CREATE OR REPLACE TABLE eng_work.eng_facts_in (
    period DATE NOT NULL,
    commune_code eng_commune_type,
    num DOUBLE,
    slice VARCHAR,
    slice_value VARCHAR,
    __FACT_DDL__,
    profile INTEGER
);

-- The facts are stored with only the columns the file yields and the roll-up uses
-- (__COLUMNS__, filled in by the engine), counted per grouping set (__GROUP_BY__, `gset`
-- names a row's set): the profile and its columns together ('profile'), each breakdown
-- counted alone on its own, slice rows by (slice, value) ('slice'); `units` the units a
-- row stands for. Counting every column together would multiply the rows, and one row
-- per unit costs several times as much to write and read back. Every row keeps its `slice`: slice rows count in their slice
-- only. The file runs once. Periods still waiting for later months ($months_after) are
-- left out.
CREATE OR REPLACE TEMP TABLE eng_facts_rows AS
SELECT __COLUMNS__, coalesce(m.area, 0) AS area, __GSET__ AS gset, count(*) AS units
FROM ((FROM eng_facts_in) UNION ALL BY NAME (
__INDICATOR__
)) f
JOIN eng_periods p ON p.period = f.period AND p.months_after >= $months_after
LEFT JOIN eng_area_of m
  ON m.zy = coalesce(p.zoning_year, -1) AND m.commune_code = eng_commune(f.commune_code)
GROUP BY __GROUP_BY__;

-- What the roll-up reads: every column (null where the file yields none), `units`, and
-- `val`, the value a median's histograms count (__VAL__: num for a median, else null).
CREATE OR REPLACE TEMP VIEW eng_facts AS
SELECT *, __VAL__ AS val FROM (
    SELECT * EXCLUDE (commune_code), NULL::INTEGER AS area, NULL::VARCHAR AS gset,
           NULL::BIGINT AS units
    FROM eng_facts_in
    UNION ALL BY NAME
    SELECT * FROM eng_facts_rows
);
