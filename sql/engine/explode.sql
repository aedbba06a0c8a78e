-- Facts -> (period, area, breakdown, breakdown_value, val) counts in eng_counts: `n` (the
-- numerator's units: sum of num) and `d` (units); `val` is a median's value (its
-- histograms: the number of units with each value), null for a count or a rate.
-- A null attribute is 'unknown'; list attributes put a unit under each of their values.
-- Rows with `slice` set count in their slice only.
-- Facts carrying `profile` are first counted per (period, area, profile), a small integer
-- key, and decoded through eng_profiles after counting (eng_decode_profile: a column the
-- fact yields itself wins over that of `profile`, a null one falls back to it). Facts
-- yielding none of the profile's columns themselves (stock indicators) are grouped on that
-- key alone: null keys still cost their share of the grouping.
CREATE OR REPLACE TEMP TABLE eng_profile_counts AS
SELECT period, area, val, profile, __PROFILE_NULLS__, sum(num * units) AS n,
       sum(units) AS d
FROM eng_facts
WHERE gset = 'profile' AND slice IS NULL AND profile IS NOT NULL AND __PROFILE_ALL_NULL__
GROUP BY period, area, val, profile
UNION ALL
SELECT period, area, val, profile, __PROFILE__, sum(num * units), sum(units)
FROM eng_facts
WHERE gset = 'profile' AND slice IS NULL AND profile IS NOT NULL
  AND NOT (__PROFILE_ALL_NULL__)
GROUP BY ALL;

-- Stored once and read by every profile breakdown's branch.
CREATE OR REPLACE TEMP TABLE eng_profile_facts AS
SELECT period, area, val, __PROFILE__, n, d
FROM eng_decode_profile('eng_profile_counts')
UNION ALL
SELECT period, area, val, __PROFILE__, num * units, units
FROM eng_facts WHERE gset = 'profile' AND slice IS NULL AND profile IS NULL;

-- One branch per breakdown the indicator publishes (__BRANCHES__, written by the engine
-- from the vocabulary): each reads the rows of its grouping set (sql/engine/facts.sql),
-- the profile's columns from eng_profile_facts. Each branch scans its input itself: a
-- shared CTE would be materialised with every column. $slices: the catalog's slices.
CREATE OR REPLACE TEMP TABLE eng_counts AS
SELECT period, area, 'total' AS breakdown, 'total' AS breakdown_value,
       val, sum(num * units) AS n, sum(units) AS d
FROM eng_facts WHERE gset = 'profile' AND slice IS NULL GROUP BY ALL
__BRANCHES__
UNION ALL
SELECT period, area, slice, slice_value, val, sum(num * units), sum(units)
FROM eng_facts WHERE gset = 'slice' AND list_contains($slices::VARCHAR[], slice)
GROUP BY ALL;
