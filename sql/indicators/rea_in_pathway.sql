-- REA_IN_PATHWAY: distinct persons with a pathway active at the end of M, under each
-- referent operator and each type of their active pathways. Territory at the end of M;
-- a person with no registration has none (national level only).
SELECT period, commune_code, 1 AS num, operator, pathway_type, profile, age_band
FROM eng_placed(eng_in_pathway)
