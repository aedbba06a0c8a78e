-- CAP_OUTFLOW: distinct persons with an exit_date in M and not active at the end of M.
-- exit_reason and the territory come from the person's last exit in M (latest exit_date,
-- then latest registration); operators are those whose spells ended in M.
WITH exits AS (
    -- A person with a single spell (most of them) passes straight through.
    SELECT p.period, p.m_end, r.pid, r.exit_date AS ref_date, r.exit_reason,
           [r.operator] AS operator
    FROM eng_reg r
    JOIN eng_periods p ON r.exit_date BETWEEN p.m_start AND p.m_end
    ANTI JOIN eng_reg_multi m ON m.pid = r.pid
    UNION ALL
    SELECT p.period, p.m_end, r.pid,
           max(r.exit_date),
           arg_max_null(r.exit_reason, (r.exit_date, r.registration_date,
                                        r.registration_id, r.operator)),
           list_sort(list_distinct(list(r.operator)))
    FROM eng_reg r
    JOIN eng_periods p ON r.exit_date BETWEEN p.m_start AND p.m_end
    SEMI JOIN eng_reg_multi m ON m.pid = r.pid
    GROUP BY p.period, p.m_end, r.pid
),
gone AS (
    SELECT e.* FROM exits e
    ANTI JOIN eng_stock s ON s.ref_date = e.m_end AND s.pid = e.pid
)
SELECT u.period, t.commune_code, 1 AS num, u.operator, u.exit_reason,
       t.attr, eng_age_band(u.period, t.birth_year) AS age_band
FROM gone u
JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
