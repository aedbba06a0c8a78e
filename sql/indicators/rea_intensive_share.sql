-- REA_INTENSIVE_SHARE: among persons with a pathway active at the end of M, the share with an
-- intensive one (RENFORCE, GLOBAL, INTENSIF, CEJ). The operator slices compare, for each
-- referent operator, its persons in an intensive pathway with it to its persons in any
-- pathway with it.
WITH active AS (
    SELECT p.period, p.m_end AS ref_date, x.pid, x.operator,
           x.pathway_type IN ('RENFORCE', 'GLOBAL', 'INTENSIF', 'CEJ') AS intensive
    FROM eng_path x
    JOIN eng_periods p
      ON x.start_date <= p.m_end AND (x.end_date IS NULL OR x.end_date > p.m_end)
),
per_person AS (
    SELECT period, ref_date, pid, NULL AS slice_operator,
           max(intensive::INTEGER) AS num
    FROM active GROUP BY period, ref_date, pid
    UNION ALL
    SELECT period, ref_date, pid, operator, max(intensive::INTEGER)
    FROM active GROUP BY period, ref_date, pid, operator
)
SELECT u.period, t.commune_code, u.num,
       CASE WHEN u.slice_operator IS NOT NULL THEN 'operator' END AS breakdown,
       u.slice_operator AS breakdown_value,
       -- A slice row counts in its slice only: no attributes to group it by.
       CASE WHEN u.slice_operator IS NULL THEN t.attr END AS attr,
       CASE WHEN u.slice_operator IS NULL THEN eng_age_band(u.period, t.birth_year) END
           AS age_band
FROM per_person u
LEFT JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
