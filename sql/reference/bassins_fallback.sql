-- Without any committee zoning file: INSEE zone d'emploi 2020 cut along département
-- borders (`<dep>-<ze>`), valid for every year (zoning_year 0).
INSERT INTO ref.bassins
SELECT 0, c.commune_code, c.departement_code || '-' || c.zone_emploi_code,
       z.zone_emploi_name || ' (' || d.departement_name || ')', c.departement_code
FROM ref.communes c
JOIN ref.zones_emploi z USING (zone_emploi_code)
JOIN ref.departements d USING (departement_code);
