-- Reference geography and code lists into schema `ref` (CONTRACT §3).
-- $dir is the reference folder; bassins_<year>.csv files are loaded by Python (one per year).
CREATE OR REPLACE TABLE ref.regions AS
SELECT region_code, region_name
FROM read_csv($dir || '/regions.csv', header = true, all_varchar = true);

CREATE OR REPLACE TABLE ref.departements AS
SELECT departement_code, departement_name, region_code
FROM read_csv($dir || '/departements.csv', header = true, all_varchar = true);

-- zrr: true for classified communes, false for unclassified, null for partly classified
-- ones (the commune alone cannot say whether a person lives in the classified part).
CREATE OR REPLACE TABLE ref.communes AS
SELECT commune_code, commune_name, departement_code, region_code, zone_emploi_code,
       CAST(population AS BIGINT) AS population,
       CASE zrr_status_2017 WHEN 'C' THEN true WHEN 'NC' THEN false END AS zrr
FROM read_csv($dir || '/communes.csv', header = true, all_varchar = true);

-- Any commune-level code (current, merged, municipal arrondissement) -> current commune.
CREATE OR REPLACE TABLE ref.commune_history AS
SELECT code, code_type, commune_code_cog2025 AS commune_code
FROM read_csv($dir || '/commune_code_lookup_cog2025.csv', header = true, all_varchar = true);

CREATE OR REPLACE TABLE ref.zones_emploi AS
SELECT zone_emploi_code, zone_emploi_name
FROM read_csv($dir || '/zones_emploi.csv', header = true, all_varchar = true);

CREATE OR REPLACE TABLE ref.rome_codes AS
SELECT rome_code, rome_label, domaine_code, domaine_label
FROM read_csv($dir || '/rome_codes.csv', header = true, all_varchar = true);

CREATE TABLE IF NOT EXISTS ref.bassins (
    zoning_year INTEGER, commune_code VARCHAR, bassin_code VARCHAR, bassin_name VARCHAR,
    departement_code VARCHAR
);
DELETE FROM ref.bassins;
