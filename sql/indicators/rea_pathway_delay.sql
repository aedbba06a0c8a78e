-- REA_PATHWAY_DELAY: for each pathway started in M, days from the person's latest diagnostic
-- on or before the start (same day = 0); median. Pathways with no such diagnostic are left
-- out of the median and counted in the slice diagnostic = 'none' (denominator = their
-- number, no value). Operator: the pathway's referent; territory at the start date.
WITH started AS (
    SELECT p.period, x.pid, x.start_date AS ref_date, [x.operator] AS operator,
           [x.pathway_type] AS pathway_type
    FROM eng_path x
    JOIN eng_periods p ON x.start_date BETWEEN p.m_start AND p.m_end
),
with_diagnostic AS (
    SELECT s.*, g.diagnostic_date
    FROM started s
    ASOF LEFT JOIN eng_diag g ON s.pid = g.pid AND s.ref_date >= g.diagnostic_date
)
SELECT period, commune_code, (ref_date - diagnostic_date)::DOUBLE AS num,
       CASE WHEN diagnostic_date IS NULL THEN 'diagnostic' END AS slice,
       CASE WHEN diagnostic_date IS NULL THEN 'none' END AS slice_value,
       operator, pathway_type, profile, age_band
FROM eng_placed(with_diagnostic)
