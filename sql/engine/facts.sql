-- The unit-level facts an indicator file yields: one row per unit (person, diagnostic,
-- pathway, offer, answer) and period. `num` is 1 for a count, 0/1 for a rate's
-- numerator, the value for a median. Breakdown columns left out are null. A row with
-- `breakdown` set (a "slice", declared in the catalog) contributes to that
-- (breakdown, breakdown_value) only: that is how a rate broken down by an attribute of the
-- outcome (e.g. action_type) keeps its whole population as denominator. List columns
-- (operator, allowance, pathway_type) put a unit under each of their values. `attr`, from
-- the stock, stands for the columns of eng_attr (operator, sex, education, allowance,
-- disabled_worker, qpv, zrr, category): the roll-up decodes it after counting.
-- The commune is stored as its territorial cell (eng_cellmap, zoning of the period's
-- year): the roll-up then groups on a small integer.
CREATE OR REPLACE TABLE eng_work.eng_facts (
    period DATE NOT NULL,
    cell INTEGER NOT NULL,
    num DOUBLE,
    breakdown VARCHAR,
    breakdown_value VARCHAR,
    operator VARCHAR[],
    sex VARCHAR,
    age_band VARCHAR,
    education VARCHAR,
    allowance VARCHAR[],
    disabled_worker VARCHAR,
    qpv VARCHAR,
    zrr VARCHAR,
    seniority VARCHAR,
    category VARCHAR,
    pathway_type VARCHAR[],
    exit_reason VARCHAR,
    action_type VARCHAR,
    attr INTEGER,
    units BIGINT NOT NULL DEFAULT 1
);

-- The columns an indicator file may yield, to give the ones it leaves out (null).
CREATE OR REPLACE TABLE eng_work.eng_facts_in AS
SELECT NULL::VARCHAR AS commune_code, * EXCLUDE (cell, units) FROM eng_facts LIMIT 0;

-- The engine puts the indicator file's SELECT in place of the marker below. Periods
-- still waiting for later months ($months_after) are left out here; slice rows are
-- added by facts_slices.sql.
INSERT INTO eng_facts BY NAME
SELECT f.* EXCLUDE (commune_code), coalesce(m.cell, 0) AS cell
FROM ((FROM eng_facts_in) UNION ALL BY NAME (
__INDICATOR__
)) f
JOIN eng_periods p ON p.period = f.period AND p.months_after >= $months_after
LEFT JOIN eng_cellmap m
  ON m.zy = coalesce(p.zoning_year, -1) AND m.commune_code = f.commune_code
WHERE f.breakdown IS NULL;
