-- REA_IN_PATHWAY: distinct persons with a pathway active at the end of M, under each
-- referent operator and each type of their active pathways. Territory at the end of M;
-- a person with no registration has none (national level only).
-- Persons with a single pathway pass straight through; only the others are grouped.
WITH per_person AS (
    SELECT p.period, p.m_end AS ref_date, x.pid, [x.operator] AS operator,
           [x.pathway_type] AS pathway_type
    FROM eng_path x
    JOIN eng_periods p
      ON x.start_date <= p.m_end AND (x.end_date IS NULL OR x.end_date > p.m_end)
    WHERE x.n_path = 1
    UNION ALL
    SELECT p.period, p.m_end AS ref_date, x.pid,
           list_sort(list_distinct(list(x.operator))) AS operator,
           list_sort(list_distinct(list(x.pathway_type))) AS pathway_type
    FROM eng_path x
    JOIN eng_periods p
      ON x.start_date <= p.m_end AND (x.end_date IS NULL OR x.end_date > p.m_end)
    WHERE x.n_path > 1
    GROUP BY p.period, p.m_end, x.pid
)
SELECT u.period, t.commune_code, 1 AS num, u.operator, u.pathway_type,
       t.attr, eng_age_band(u.period, t.birth_year) AS age_band
FROM per_person u
LEFT JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date
