-- Every publishable territory with its label and parent (the attachment département for a
-- committee), used to label exports and to compare a territory with its parents.
-- A committee's attachment département: zoning files give each commune's own département
-- (a committee spanning several départements has several), so it is read from the
-- latest zoning holding the committee: the département its code names (CLPE<dep><nn>)
-- when that is one of its départements, else the one with most of its communes (then the
-- smallest code): always the same parent, whatever the order the rows come in.
CREATE OR REPLACE TABLE ref.territories AS
WITH per_departement AS (
    SELECT bassin_code, zoning_year, departement_code, any_value(bassin_name) AS bassin_name,
           count(*) AS communes
    FROM ref.bassins
    GROUP BY bassin_code, zoning_year, departement_code
    QUALIFY zoning_year = max(zoning_year) OVER (PARTITION BY bassin_code)
)
SELECT 'NAT' AS level, 'FR' AS territory_code, 'France' AS territory_name,
       NULL::VARCHAR AS parent_level, NULL::VARCHAR AS parent_code
UNION ALL
SELECT 'REG', region_code, region_name, 'NAT', 'FR' FROM ref.regions
UNION ALL
SELECT 'DEP', departement_code, departement_name, 'REG', region_code FROM ref.departements
UNION ALL
SELECT 'BASSIN', bassin_code, min(bassin_name), 'DEP',
       first(departement_code ORDER BY starts_with(bassin_code, 'CLPE' || departement_code) DESC,
                                       communes DESC, departement_code)
FROM per_departement
GROUP BY bassin_code
ORDER BY 1, 2;
