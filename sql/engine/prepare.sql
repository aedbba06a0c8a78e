-- Shared inputs of every indicator computation (small), built once per run. The large
-- inputs (sql/engine/input_*.sql) are built only when an indicator file names them.
-- `eng_periods(period, m_start, m_end, prev_end, zoning_year, months_after)` is created
-- by the engine before this script: every month of the run here (its zoning years);
-- each batch's own months before periods.sql and the batch's indicators.

-- Month index (months since year 0): stocks work on integer months.
CREATE OR REPLACE TEMP MACRO eng_month_idx(d) AS year(d) * 12 + month(d) - 1;

-- Person ids as integers: joins, windows and distinct counts on 64-char hex strings cost
-- several times more than on BIGINT. Each input script maps the persons it brings. The
-- mapping is temporary: random hex strings barely compress, and compressing them is slow.
CREATE OR REPLACE TEMP TABLE eng_pid (person_id VARCHAR, pid BIGINT);

-- The persons of table `tbl` not mapped yet, with the next integer ids
-- (`INSERT INTO eng_pid FROM eng_new_pids('eng_l_reg')`).
CREATE OR REPLACE TEMP MACRO eng_new_pids(tbl) AS TABLE
SELECT person_id, (SELECT coalesce(max(pid), 0) FROM eng_pid) + row_number() OVER () AS pid
FROM (SELECT DISTINCT person_id FROM query_table(tbl) WHERE person_id IS NOT NULL) n
ANTI JOIN eng_pid USING (person_id);

-- Communes as an enum of the reference's codes (two bytes a row, not a string): the
-- national stock is written and read faster, and placing units in areas joins on a small
-- integer. A code the reference does not know
-- becomes null, which places the unit as an unknown commune does: national level only.
CREATE OR REPLACE TEMP TYPE eng_commune_type AS ENUM (
    SELECT DISTINCT commune_code FROM ref.communes WHERE commune_code IS NOT NULL ORDER BY 1
);
CREATE OR REPLACE TEMP MACRO eng_commune(code) AS TRY_CAST(code AS eng_commune_type);

-- Sets of codes (a person's operators at a date) as bit masks: grouping spells on the
-- bit_or of an integer is several times faster than on list_sort(list_distinct(list(code))).
-- eng_bits(codes): a bit
-- per distinct code of the list; eng_bit_sets(masks, codes): the sorted codes of each
-- distinct mask of the list, to decode the masks once per set after grouping.
CREATE OR REPLACE TEMP MACRO eng_bits(codes) AS TABLE
SELECT code,
       CASE WHEN n <= 62 THEN 1::BIGINT << (n - 1)::INTEGER
            ELSE error('more than 62 codes: their sets no longer fit a BIGINT') END AS bit
FROM (SELECT code, row_number() OVER (ORDER BY code) AS n
      FROM (SELECT DISTINCT unnest(codes) AS code));

CREATE OR REPLACE TEMP MACRO eng_bit_sets(masks, codes) AS TABLE
SELECT s.mask, list(b.code ORDER BY b.code) AS codes
FROM (SELECT DISTINCT unnest(masks) AS mask) s
JOIN eng_bits(codes) b ON s.mask & b.bit <> 0
GROUP BY s.mask;

-- Areas: communes grouped by the set of territories they belong to in a zoning year
-- (région, département, committee). Facts are counted per (period, area) in small hash
-- tables, then each level is a sum over areas: exact, because a unit sits in one commune,
-- hence one area, per period. Area 0: unknown commune or no territory (national level
-- only).
CREATE OR REPLACE TABLE eng_work.eng_commune_terr AS
WITH years AS (SELECT DISTINCT coalesce(zoning_year, -1) AS zy FROM eng_periods)
SELECT y.zy, eng_commune(c.commune_code) AS commune_code, 'REG' AS level,
       c.region_code AS territory_code
FROM years y, ref.communes c WHERE c.region_code IS NOT NULL
UNION
SELECT y.zy, eng_commune(c.commune_code), 'DEP', c.departement_code
FROM years y, ref.communes c WHERE c.departement_code IS NOT NULL
UNION
SELECT b.zoning_year, eng_commune(b.commune_code), 'BASSIN', b.bassin_code
FROM ref.bassins b JOIN years y ON y.zy = b.zoning_year
WHERE b.bassin_code IS NOT NULL AND eng_commune(b.commune_code) IS NOT NULL;

CREATE OR REPLACE TABLE eng_work.eng_area_of AS
SELECT zy, commune_code, dense_rank() OVER (ORDER BY sig) AS area
FROM (SELECT zy, commune_code,
             list(level || ':' || territory_code ORDER BY level, territory_code) AS sig
      FROM eng_commune_terr GROUP BY zy, commune_code);

CREATE OR REPLACE TABLE eng_work.eng_area_territories AS
SELECT DISTINCT m.area, t.level, t.territory_code
FROM eng_area_of m JOIN eng_commune_terr t USING (zy, commune_code)
UNION ALL
SELECT area, 'NAT', 'FR' FROM (SELECT DISTINCT area FROM eng_area_of UNION SELECT 0);

-- Profiles: the combinations of a unit's operators and its person's attributes (the
-- breakdowns of sql/indicators/vocabulary.toml with source "registration"), numbered.
-- Territory spells (operator null) and the stock carry one integer, `profile`, instead of
-- those columns: they take few combinations, and one integer per row is several times
-- cheaper to write, group and read than their strings and lists. The roll-up decodes it
-- after counting. sql/engine/input_terr.sql and stock.sql add their combinations when
-- built; the table is empty until then, so decoding works for every indicator.
-- (__PROFILE__ and the like are filled in by the engine from the vocabulary.)
CREATE OR REPLACE TABLE eng_work.eng_profiles (profile INTEGER, __PROFILE_DDL__);

-- The profile of row `r` (a table alias), compared with IS NOT DISTINCT FROM: null fields
-- match (territory spells: no operator).
CREATE OR REPLACE TEMP MACRO eng_profile_key(r) AS __PROFILE_KEY(r)__;

-- The combinations of table `tbl` not numbered yet, with the next integers
-- (`INSERT INTO eng_profiles FROM eng_new_profiles('eng_terr_wide')`).
CREATE OR REPLACE TEMP MACRO eng_new_profiles(tbl) AS TABLE
SELECT (SELECT coalesce(max(profile), 0) FROM eng_profiles) + row_number() OVER ()
           AS profile, n.*
FROM (SELECT DISTINCT __PROFILE__ FROM query_table(tbl)) n
ANTI JOIN eng_profiles a ON eng_profile_key(a) IS NOT DISTINCT FROM eng_profile_key(n);

-- The rows of table `tbl` with their profile columns replaced by `profile`.
CREATE OR REPLACE TEMP MACRO eng_with_profile(tbl) AS TABLE
SELECT t.* EXCLUDE (__PROFILE__), a.profile
FROM query_table(tbl) t
JOIN eng_profiles a ON eng_profile_key(a) IS NOT DISTINCT FROM eng_profile_key(t);

-- The other way round, for the roll-up: the rows of `tbl` (facts or their counts) with the
-- columns `profile` stands for filled in; a column the row carries itself wins.
CREATE OR REPLACE TEMP MACRO eng_decode_profile(tbl) AS TABLE
SELECT f.* EXCLUDE (__PROFILE__), __PROFILE_COALESCE(f, a)__
FROM query_table(tbl) f LEFT JOIN eng_profiles a USING (profile);

-- A person's place at a date, for indicator files: each row of `units` (with columns
-- `period`, `pid` and `ref_date`) with the commune of the person's territory spell at
-- ref_date (sql/engine/input_terr.sql), their `profile` then, their `age_band` in the year
-- of `period`, and `registered_since`, the date of the registration giving that territory
-- (null, like the others, for a person with no registration by then: such a unit counts
-- at the national level only, its attributes unknown). These four replace any column of
-- the same name `units` has: a unit counts where its person is placed. A profile from a
-- territory spell has no operator: a file breaking down by operator returns its own.
CREATE OR REPLACE TEMP MACRO eng_placed(units) AS TABLE
SELECT u.*, t.commune_code, t.profile, eng_age_band(u.period, t.birth_year) AS age_band,
       t.registration_date AS registered_since
FROM (SELECT COLUMNS(lambda c: c NOT IN ('commune_code', 'profile', 'age_band',
                                          'registered_since'))
      FROM query_table(units)) u
LEFT JOIN eng_terr t
  ON u.pid = t.pid AND u.ref_date >= t.registration_date AND u.ref_date < t.until_date;

-- Breakdown values computed from dates, as enums: one byte per stock row and fact, and a
-- cheaper key to group on than strings. The roll-up reads them as strings.
CREATE OR REPLACE TEMP TYPE eng_age_band_type AS ENUM ('<26', '26-49', '50+', 'unknown');
CREATE OR REPLACE TEMP TYPE eng_seniority_type AS ENUM ('<6m', '6-11m', '12-23m', '24m+');

CREATE OR REPLACE TEMP MACRO eng_age_band(period, birth_year) AS
    CASE
        WHEN birth_year IS NULL THEN 'unknown'::eng_age_band_type
        WHEN year(period) - birth_year < 26 THEN '<26'::eng_age_band_type
        WHEN year(period) - birth_year <= 49 THEN '26-49'::eng_age_band_type
        ELSE '50+'::eng_age_band_type
    END;

-- Whole calendar months from `since` to `d`, with the clamping of PERF_ACCESS_6M's
-- "6 calendar months after": 2023-08-31 + 6 months = 2024-02-29, so at a month end a
-- month started on a later day (29th-31st) is complete.
CREATE OR REPLACE TEMP MACRO eng_months_between(since, d) AS
    (year(d) - year(since)) * 12 + month(d) - month(since)
    - CASE WHEN day(d) < day(since) AND d <> last_day(d) THEN 1 ELSE 0 END;

CREATE OR REPLACE TEMP MACRO eng_seniority(since, d) AS
    CASE
        WHEN since IS NULL THEN NULL
        WHEN eng_months_between(since, d) < 6 THEN '<6m'::eng_seniority_type
        WHEN eng_months_between(since, d) < 12 THEN '6-11m'::eng_seniority_type
        WHEN eng_months_between(since, d) < 24 THEN '12-23m'::eng_seniority_type
        ELSE '24m+'::eng_seniority_type
    END;
