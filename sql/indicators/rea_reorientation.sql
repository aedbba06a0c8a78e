-- REA_REORIENTATION: pathways started in M whose person's previous pathway (the latest
-- strictly earlier start; among same-day starts the greatest pathway_id, then operator)
-- had another referent operator or another type and was active on at least one of the 90
-- days before the start (end_date null, or after start - 90 days and after its own start:
-- one ending on its start day is active on no day). Counted in pathways, placed in the
-- person's territory at the start date.
WITH previous AS (
    SELECT pid, start_date, end_date, operator, pathway_type
    FROM eng_path
    QUALIFY row_number() OVER (
        PARTITION BY pid, start_date ORDER BY pathway_id DESC, operator DESC) = 1
),
started AS (
    SELECT p.period, x.pid, x.operator, x.pathway_type, x.start_date AS ref_date
    FROM eng_path x
    JOIN eng_periods p ON x.start_date BETWEEN p.m_start AND p.m_end
),
reoriented AS (
    SELECT s.*
    FROM started s
    ASOF JOIN previous q ON s.pid = q.pid AND s.ref_date > q.start_date
    WHERE (q.operator <> s.operator OR q.pathway_type <> s.pathway_type)
      AND (q.end_date IS NULL
           OR (q.end_date > s.ref_date - INTERVAL 90 DAY AND q.end_date > q.start_date))
)
SELECT period, commune_code, 1 AS num, [operator] AS operator,
       [pathway_type] AS pathway_type, profile, age_band
FROM eng_placed(reoriented)
