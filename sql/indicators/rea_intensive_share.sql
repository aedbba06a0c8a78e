-- REA_INTENSIVE_SHARE: among persons with a pathway active at the end of M, the share with an
-- intensive one (RENFORCE, GLOBAL, INTENSIF, CEJ). The operator slices compare, for each
-- referent operator, its persons in an intensive pathway with it to its persons in any
-- pathway with it.
SELECT period, commune_code, profile, age_band,
       list_has_any(pathway_type, ['RENFORCE', 'GLOBAL', 'INTENSIF', 'CEJ'])::INTEGER AS num
FROM eng_placed(eng_in_pathway)
UNION ALL BY NAME
-- A slice row counts in its slice only.
SELECT period, commune_code, 'operator' AS slice, operator AS slice_value,
       list_has_any(pathway_type, ['RENFORCE', 'GLOBAL', 'INTENSIF', 'CEJ'])::INTEGER AS num
FROM eng_placed(eng_in_pathway_by_operator)
