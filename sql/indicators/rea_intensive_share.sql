-- REA_INTENSIVE_SHARE: among persons with a pathway active at the end of M, the share with an
-- intensive one (RENFORCE, GLOBAL, INTENSIF, CEJ). The operator slices compare, for each
-- referent operator, its persons in an intensive pathway with it to its persons in any
-- pathway with it.
WITH active AS (
    SELECT p.period, p.m_end AS ref_date, x.pid, x.operator, x.n_path,
           (x.pathway_type IN ('RENFORCE', 'GLOBAL', 'INTENSIF', 'CEJ'))::INTEGER AS num
    FROM eng_path x
    JOIN eng_periods p
      ON x.start_date <= p.m_end AND (x.end_date IS NULL OR x.end_date > p.m_end)
),
-- One row per person; a person with a single pathway (most of them) passes straight
-- through, keeping its operator for the slice.
persons AS (
    SELECT period, ref_date, pid, num, operator FROM active WHERE n_path = 1
    UNION ALL
    SELECT period, ref_date, pid, max(num), NULL
    FROM active WHERE n_path > 1 GROUP BY period, ref_date, pid
),
-- Placed once (territory at the end of M), then read for the headline and the slices.
placed AS (
    SELECT u.period, u.num, u.operator, t.commune_code, t.attr,
           eng_age_band(u.period, t.birth_year) AS age_band
    FROM persons u
    LEFT JOIN eng_terr t
      ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
),
-- Persons with several pathways: one row per referent operator.
multi_slices AS (
    SELECT period, ref_date, pid, operator, max(num) AS num
    FROM active WHERE n_path > 1 GROUP BY period, ref_date, pid, operator
)
SELECT period, commune_code, num, NULL AS breakdown, NULL AS breakdown_value, attr,
       age_band
FROM placed
UNION ALL
-- A slice row counts in its slice only: no attributes to group it by.
SELECT period, commune_code, num, 'operator', operator, NULL, NULL
FROM placed WHERE operator IS NOT NULL
UNION ALL
SELECT u.period, t.commune_code, u.num, 'operator', u.operator, NULL, NULL
FROM multi_slices u
LEFT JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
