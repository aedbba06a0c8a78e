-- Every publishable territory with its label and parent (the attachment département for a
-- committee), used to label exports and to compare a territory with its parents.
CREATE OR REPLACE TABLE ref.territories AS
SELECT 'NAT' AS level, 'FR' AS territory_code, 'France' AS territory_name,
       NULL::VARCHAR AS parent_level, NULL::VARCHAR AS parent_code
UNION ALL
SELECT 'REG', region_code, region_name, 'NAT', 'FR' FROM ref.regions
UNION ALL
SELECT 'DEP', departement_code, departement_name, 'REG', region_code FROM ref.departements
UNION ALL
SELECT DISTINCT ON (bassin_code) 'BASSIN', bassin_code, bassin_name, 'DEP', departement_code
FROM ref.bassins ORDER BY 1, 2;
