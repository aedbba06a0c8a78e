"""Benchmark of the indicator engine on a national-scale synthetic year.

Builds staging data directly with DuckDB SQL (no generator): N persons (~15 % followed by
two operators), 12 monthly snapshots of registrations, pathways and offers, and a year of
events. Then, each in its own process so peak RSS is measured separately:

- floor: the DuckDB scan floor, every staging column the catalog needs read once (one
  `max()` per column, all tables);
- naive: CAP_REGISTERED as GROUPING SETS + count(DISTINCT) over person-months;
- ours_cap: CAP_REGISTERED through the engine (4 levels, all breakdowns, 12 months);
- ours_all: the whole catalog (18 indicators, 4 levels, all breakdowns, 12 months).

Figures, where the time goes and how the engine is made fast: docs/performance.md.

Usage: python bench/bench_indicators.py [--persons 6000000] [--db PATH] [--memory 3GB]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUILD_SQL = """
CREATE OR REPLACE TEMP TABLE b_communes AS
SELECT row_number() OVER (ORDER BY commune_code) - 1 AS i, commune_code FROM ref.communes;
CREATE OR REPLACE TEMP TABLE b_months AS
SELECT m::DATE AS m, (m + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE AS e
FROM range(DATE '2024-01-01', DATE '2025-01-01', INTERVAL 1 MONTH) t(m);
CREATE OR REPLACE TEMP TABLE b_persons AS
SELECT i AS p, md5(i::VARCHAR) || md5((i + 1000000007)::VARCHAR) AS person_id,
       CASE WHEN random() < 0.5 THEN 'F' ELSE 'M' END AS sex,
       1955 + (random() * 50)::INT AS birth_year,
       ((random() * 8)::INT + 1)::VARCHAR AS education_level,
       (random() * (SELECT count(*) - 1 FROM b_communes))::INT AS ci,
       -- Drawn per person here: a random() inside the unnest below is drawn once.
       random() < 0.15 AS two_operators
FROM range($persons) t(i);
CREATE OR REPLACE TEMP TABLE b_spells AS
SELECT s.*, (s.reg_date + (random() * 400)::INT) AS exit_raw, random() < 0.5 AS exits
FROM (
    SELECT p.*, k,
           CASE WHEN k = 0 THEN (CASE WHEN random() < 0.8 THEN 'FT' ELSE 'APEC' END)
                ELSE ['ML', 'CD', 'CE'][1 + (random() * 2)::INT] END AS operator,
           'R' || p.p || '_' || k AS registration_id,
           (DATE '2022-01-01' + (random() * 1095)::INT) AS reg_date
    FROM b_persons p, unnest(CASE WHEN p.two_operators THEN [0, 1] ELSE [0] END) u(k)
) s;
INSERT INTO staging.registrations
SELECT s.registration_id, s.person_id, s.reg_date,
       CASE WHEN s.exits AND s.exit_raw <= mo.e THEN s.exit_raw END,
       CASE WHEN s.exits AND s.exit_raw <= mo.e THEN 'EMPLOI' END,
       c.commune_code, s.sex, s.birth_year, s.education_level,
       CASE WHEN s.operator = 'FT' THEN 'A' END,
       random() < 0.4, random() < 0.05, random() < 0.1, random() < 0.03, s.operator = 'ML',
       random() < 0.08, random() < 0.1, NULL,
       s.operator, mo.m, 'bench', now()
FROM b_spells s JOIN b_months mo
  ON s.reg_date <= mo.e AND (NOT s.exits OR s.exit_raw >= mo.m)
JOIN b_communes c ON c.i = s.ci;
CREATE OR REPLACE TEMP TABLE b_paths AS
SELECT person_id, operator, 'P' || registration_id AS pathway_id,
       ['SUIVI', 'GUIDE', 'RENFORCE', 'GLOBAL', 'INTENSIF', 'SOCIAL', 'CEJ'][
           1 + (random() * 6)::INT] AS pathway_type,
       reg_date + (random() * 90)::INT AS start_date, random() < 0.5 AS ends,
       reg_date + (random() * 90)::INT + (random() * 300)::INT AS end_raw
FROM b_spells WHERE random() < 0.5;
INSERT INTO staging.pathways
SELECT pathway_id, person_id, pathway_type, start_date,
       CASE WHEN ends AND end_raw <= mo.e AND end_raw >= start_date THEN end_raw END,
       operator, mo.m, 'bench', now()
FROM b_paths JOIN b_months mo
  ON start_date <= mo.e AND (NOT ends OR end_raw >= mo.m);
INSERT INTO staging.diagnostics
SELECT 'D' || registration_id, person_id, d, 'PRO', operator, date_trunc('month', d), 'bench',
       now()
FROM (SELECT *, reg_date + (random() * 60)::INT AS d FROM b_spells WHERE random() < 0.7)
WHERE d BETWEEN DATE '2024-01-01' AND DATE '2024-12-31';
INSERT INTO staging.hires
SELECT 'H' || p, person_id, d, ['CDI', 'CDD', 'CTT', 'IAE'][1 + (random() * 3)::INT],
       (random() * 12)::INT, 'FT', date_trunc('month', d), 'bench', now()
FROM (SELECT *, DATE '2024-01-01' + (random() * 365)::INT AS d FROM b_persons
      WHERE random() < 0.3);
INSERT INTO staging.actions
SELECT 'A' || p, person_id, CASE WHEN random() < 0.6 THEN 'FORMATION' ELSE 'IMMERSION' END,
       d, NULL, 'FT', date_trunc('month', d), 'bench', now()
FROM (SELECT *, DATE '2024-01-01' + (random() * 365)::INT AS d FROM b_persons
      WHERE random() < 0.1);
INSERT INTO staging.satisfaction
SELECT 'S' || p, 'PERSON', person_id, NULL, NULL, d, 1 + (random() * 3)::INT, 'FT',
       date_trunc('month', d), 'bench', now()
FROM (SELECT *, DATE '2024-01-01' + (random() * 365)::INT AS d FROM b_persons
      WHERE random() < 0.05);
INSERT INTO staging.satisfaction
SELECT 'E' || x.i, 'EMPLOYER', NULL, '12345678901234', c.commune_code, d,
       1 + (random() * 3)::INT, 'FT', date_trunc('month', d), 'bench', now()
FROM (SELECT i, DATE '2024-01-01' + (random() * 365)::INT AS d,
             (random() * 30000)::INT AS ci FROM range($persons // 50) t(i)) x
JOIN b_communes c ON c.i = x.ci;
CREATE OR REPLACE TEMP TABLE b_offers AS
SELECT 'O' || x.i AS offer_id, c.commune_code, posted, random() < 0.8 AS closes,
       posted + (random() * 120)::INT AS closed_raw
FROM (SELECT i, DATE '2023-07-01' + (random() * 549)::INT AS posted,
             (random() * 30000)::INT AS ci FROM range($persons // 4) t(i)) x
JOIN b_communes c ON c.i = x.ci;
INSERT INTO staging.job_offers
SELECT offer_id, '12345678901234', commune_code, NULL, posted,
       CASE WHEN closes AND closed_raw <= mo.e THEN closed_raw END,
       CASE WHEN closes AND closed_raw <= mo.e THEN
           CASE WHEN random() < 0.7 THEN 'POURVUE' ELSE 'ANNULEE' END END,
       1, 'FT', mo.m, 'bench', now()
FROM b_offers JOIN b_months mo ON posted <= mo.e AND (NOT closes OR closed_raw >= mo.m);
"""

# The scan floor: one pass over every staging column the catalog reads (one aggregate per
# column, so each is really decoded; a hash of a few columns would skip most of them).
FLOOR_COLUMNS = {
    "registrations": "registration_id person_id registration_date exit_date exit_reason "
                     "commune_code sex birth_year education_level category allowance_are "
                     "allowance_ass allowance_rsa allowance_aah allowance_cej disabled_worker "
                     "qpv_resident zrr_resident operator delivery_month",
    "pathways": "pathway_id person_id pathway_type start_date end_date operator delivery_month",
    "job_offers": "offer_id commune_code posted_date closed_date closing_reason operator "
                  "delivery_month",
    "diagnostics": "diagnostic_id person_id diagnostic_date operator delivery_month",
    "hires": "hire_id person_id hire_date contract_type contract_months operator "
             "delivery_month",
    "actions": "action_id person_id action_type start_date operator delivery_month",
    "satisfaction": "response_id respondent_type person_id commune_code response_date score "
                    "operator delivery_month",
}
FLOOR_SQL = "SELECT " + ",\n ".join(
    "(SELECT [count(*)::VARCHAR, "
    + ", ".join(f"max({c})::VARCHAR" for c in cols.split())
    + f"] FROM staging.{table})"
    for table, cols in FLOOR_COLUMNS.items()
)

# The naive formulation: person-months, GROUPING SETS, count(DISTINCT person_id).
NAIVE_SQL = """
CREATE OR REPLACE TEMP TABLE naive AS
WITH latest AS (
    SELECT * FROM staging.registrations
    QUALIFY row_number() OVER (PARTITION BY operator, registration_id
                               ORDER BY delivery_month DESC) = 1
),
pm AS (
    SELECT l.*, mo.m AS period
    FROM latest l JOIN (SELECT DISTINCT delivery_month AS m,
                        (delivery_month + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE AS e
                        FROM staging.registrations) mo
      ON l.registration_date <= mo.e AND (l.exit_date IS NULL OR l.exit_date > mo.e)
)
SELECT period, c.region_code, c.departement_code, b.bassin_code, pm.operator, pm.sex,
       pm.education_level, pm.category, count(DISTINCT person_id) AS n
FROM pm LEFT JOIN ref.communes c USING (commune_code)
LEFT JOIN ref.bassins b USING (commune_code)
GROUP BY GROUPING SETS (
    (period), (period, c.region_code), (period, c.departement_code), (period, b.bassin_code),
    (period, pm.operator), (period, c.departement_code, pm.operator),
    (period, b.bassin_code, pm.operator), (period, pm.sex),
    (period, c.departement_code, pm.sex), (period, b.bassin_code, pm.sex),
    (period, pm.education_level), (period, b.bassin_code, pm.education_level),
    (period, pm.category), (period, b.bassin_code, pm.category))
"""


def _connect(db: str, memory: str):
    os.environ["SOCLE_DUCKDB_MEMORY"] = memory
    from socle.warehouse import connect

    return connect(db)


def stage(name: str, db: str, memory: str) -> dict:
    """Run one measured stage in this process; returns wall time, peak RSS, rows."""
    con = _connect(db, memory)
    t0 = time.perf_counter()
    rows = None
    if name == "floor":  # median of 3 runs: the first one also pays for the page cache
        runs = []
        for _ in range(3):
            t1 = time.perf_counter()
            con.execute(FLOOR_SQL).fetchall()
            runs.append(time.perf_counter() - t1)
        t0 = time.perf_counter() - sorted(runs)[1]
    elif name == "naive":
        con.execute(NAIVE_SQL)
        rows = con.execute("SELECT count(*) FROM naive").fetchall()[0][0]
    elif name in ("ours_cap", "ours_all"):
        from socle.indicators import compute_indicators

        codes = ["CAP_REGISTERED"] if name == "ours_cap" else None
        rows = compute_indicators(con, codes=codes, progress=lambda m: print("   ", m))
    wall = time.perf_counter() - t0
    con.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {"stage": name, "wall_s": round(wall, 2), "peak_rss_mib": round(rss), "rows": rows}


def build(db: str, persons: int, memory: str) -> None:
    from socle.config import BUNDLED_REFERENCE_DIR
    from socle.reference import load_reference
    from socle.staging import ensure_staging
    from socle.warehouse import split_statements

    con = _connect(db, memory)
    load_reference(con, BUNDLED_REFERENCE_DIR)
    ensure_staging(con)
    con.execute("SELECT setseed(0.42)")
    for stmt in split_statements(BUILD_SQL):
        con.execute(stmt, {"persons": persons} if "$persons" in stmt else None)
    for t in ("registrations", "pathways", "job_offers", "diagnostics", "hires", "actions",
              "satisfaction"):
        n = con.execute(f"SELECT count(*) FROM staging.{t}").fetchall()[0][0]
        print(f"  staging.{t}: {n:,} rows")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=6_000_000)
    ap.add_argument("--db", default=None, help="reuse/build this warehouse file")
    ap.add_argument("--memory", default="3GB", help="DuckDB memory_limit")
    ap.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each of our stages (median wall time, highest peak RSS)")
    args = ap.parse_args()
    if args.stage:
        print("RESULT " + json.dumps(stage(args.stage, args.db, args.memory)))
        return
    db = args.db or str(Path(tempfile.mkdtemp(prefix="bench_ind_")) / "socle.duckdb")
    if not Path(db).exists():
        t0 = time.perf_counter()
        print(f"building {args.persons:,} persons into {db}")
        build(db, args.persons, args.memory)
        print(f"  built in {time.perf_counter() - t0:.0f} s")
    stages = ["floor", "ours_cap", "ours_all"] + ([] if args.skip_naive else ["naive"])
    results = {}
    for name in stages:
        runs = []
        for _ in range(args.repeat if name.startswith("ours") else 1):
            print(f"stage {name} ...", flush=True)
            out = subprocess.run(
                [sys.executable, __file__, "--stage", name, "--db", db,
                 "--memory", args.memory],
                capture_output=True, text=True, check=True)
            for line in out.stdout.splitlines():
                if line.startswith("RESULT "):
                    runs.append(json.loads(line[7:]))
                elif "indicators:" in line and name == "ours_all":
                    print(line)
            print(f"  {runs[-1]}")
        walls = sorted(r["wall_s"] for r in runs)
        results[name] = {**runs[-1], "wall_s": walls[len(walls) // 2],
                         "peak_rss_mib": max(r["peak_rss_mib"] for r in runs)}
        if len(runs) > 1:
            print(f"  {name}: median {results[name]['wall_s']} s of {walls}")
    floor = results["floor"]["wall_s"]
    print("\nsummary (wall s, median of our runs / highest peak RSS MiB; floor = one scan "
          "of every staging column the catalog reads, median of 3):")
    for name, r in results.items():
        print(f"  {name:9s} {r['wall_s']:8.2f} s  {r['peak_rss_mib']:6d} MiB  "
              f"({r['wall_s'] / floor:5.1f}x floor)")
    if "naive" in results:
        speedup = results["naive"]["wall_s"] / results["ours_cap"]["wall_s"]
        print(f"  CAP_REGISTERED: ours is {speedup:.1f}x faster than the naive form")


if __name__ == "__main__":
    main()
