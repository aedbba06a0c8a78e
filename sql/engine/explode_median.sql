-- Facts -> (period, cell, breakdown, breakdown_value, value) histograms of a median: the
-- number of units with each value. Medians stay exact (taken on the whole multiset at
-- every level) while the roll-up moves one row per distinct value, not per unit.
-- $breakdowns: the catalog's breakdowns plus 'total', taken from the fact columns;
-- $slices: breakdowns the indicator file emits itself as rows with `breakdown` set.
-- A null attribute is 'unknown'; a null value counts in the denominator only. `attr`
-- (stock or territory-spell operators and attributes) is decoded by eng_decode_attr.
CREATE OR REPLACE TEMP TABLE eng_cells AS
WITH exploded AS (
    SELECT period, cell, num, units,
        -- Only the breakdowns the catalog lists are unnested (filtering the rows
        -- afterwards: 2.5 s instead of 2.1 s for REA_DIAG_DELAY at 6M persons).
        unnest(CASE
            WHEN breakdown IS NOT NULL THEN
                CASE WHEN list_contains($slices::VARCHAR[], breakdown)
                     THEN [{'b': breakdown, 'v': breakdown_value}] ELSE [] END
            ELSE list_filter(list_concat(
                [{'b': 'total', 'v': 'total'},
                 {'b': 'sex', 'v': coalesce(sex, 'unknown')},
                 {'b': 'age_band', 'v': coalesce(age_band, 'unknown')},
                 {'b': 'education', 'v': coalesce(education, 'unknown')},
                 {'b': 'disabled_worker', 'v': coalesce(disabled_worker, 'unknown')},
                 {'b': 'qpv', 'v': coalesce(qpv, 'unknown')},
                 {'b': 'zrr', 'v': coalesce(zrr, 'unknown')},
                 {'b': 'seniority', 'v': coalesce(seniority, 'unknown')},
                 {'b': 'category', 'v': coalesce(category, 'unknown')},
                 {'b': 'exit_reason', 'v': coalesce(exit_reason, 'unknown')},
                 {'b': 'action_type', 'v': coalesce(action_type, 'unknown')}],
                list_transform(coalesce(operator, ['unknown']),
                               lambda x: {'b': 'operator', 'v': x}),
                list_transform(coalesce(allowance, ['unknown']),
                               lambda x: {'b': 'allowance', 'v': x}),
                list_transform(coalesce(pathway_type, ['unknown']),
                               lambda x: {'b': 'pathway_type', 'v': x})
            ), lambda x: list_contains($breakdowns::VARCHAR[], x.b))
        END) AS bv
    FROM eng_decode_attr('eng_facts')
)
SELECT period, cell, bv.b AS breakdown, bv.v AS breakdown_value, num AS val,
       sum(units) AS c
FROM exploded
GROUP BY ALL;
