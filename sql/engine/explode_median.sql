-- Facts -> (period, commune, breakdown, breakdown_value) cells of a median, each cell
-- keeping its values (medians are taken on the collected values at every level).
-- $breakdowns: the catalog's breakdowns plus 'total', taken from the fact columns;
-- $slices: breakdowns the indicator file emits itself as rows with `breakdown` set;
-- $months_after: loaded months needed after the period. A null attribute is 'unknown'.
CREATE OR REPLACE TEMP TABLE eng_cells AS
WITH reduced AS (
    SELECT f.* EXCLUDE (num), NULL::DOUBLE AS n, 1 AS d, num AS vals
    FROM eng_facts f
    JOIN eng_periods p ON p.period = f.period AND p.months_after >= $months_after
),
exploded AS (
    SELECT period, commune_code, n, d, vals, breakdown IS NOT NULL AS is_slice,
        unnest(CASE
            WHEN breakdown IS NOT NULL THEN [{'b': breakdown, 'v': breakdown_value}]
            ELSE list_concat(
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
            )
        END) AS bv
    FROM reduced
)
SELECT period, commune_code, bv.b AS breakdown, bv.v AS breakdown_value,
       NULL::DOUBLE AS n, sum(d) AS d, list(vals) AS vals
FROM exploded
WHERE CASE WHEN is_slice THEN list_contains($slices::VARCHAR[], bv.b)
           ELSE list_contains($breakdowns::VARCHAR[], bv.b) END
GROUP BY ALL;
