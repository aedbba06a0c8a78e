-- CAP_OUTFLOW: distinct persons with an exit_date in M and not active at the end of M.
-- exit_reason and the territory come from the person's last exit in M (latest exit_date,
-- then latest registration); operators are those whose spells ended in M.
WITH exits AS (
    SELECT p.period, r.pid, max(r.exit_date) AS ref_date,
           arg_max_null(r.exit_reason, (r.exit_date, r.registration_date,
                                        r.registration_id, r.operator)) AS exit_reason,
           list_sort(list_distinct(list(r.operator))) AS operator
    FROM eng_reg r
    JOIN eng_periods p ON r.exit_date BETWEEN p.m_start AND p.m_end
    GROUP BY p.period, r.pid
),
gone AS (
    SELECT e.* FROM exits e
    ANTI JOIN eng_stock_end s ON s.period = e.period AND s.pid = e.pid
)
SELECT period, commune_code, 1 AS num, operator, exit_reason, profile, age_band
FROM eng_placed(gone)
