-- eng_offers: built by the engine the first time an indicator file names it.
-- Job offers, latest version.
CREATE OR REPLACE TEMP TABLE eng_offers AS
SELECT o.operator, o.offer_id, eng_commune(coalesce(h.commune_code, o.commune_code))
           AS commune_code,
       o.posted_date, o.closed_date, o.closing_reason
FROM staging.job_offers o
SEMI JOIN (SELECT arg_max(rowid, delivery_month) AS rid FROM staging.job_offers
           GROUP BY operator, offer_id) k ON k.rid = o.rowid
LEFT JOIN ref.commune_history h ON h.code = o.commune_code;
