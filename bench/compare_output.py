"""Compare what two checkouts of socle compute from the same loaded data, row for row.

A change of the engine (how indicators are executed) must publish the same figures. This
script computes the whole catalog for every loaded month with each checkout, each on its
own copy of one working database, and compares the `indicators.indicator_values` rows
both ways (EXCEPT ALL: a row missing, extra or different on either side is reported).

    # a working database holding a generated year (prepared and ingested, not computed)
    python bench/compare_output.py build --data /tmp/cmp --persons 30000 --months 2024-01:2024-12
    # the national bench year of bench/bench_indicators.py
    python bench/compare_output.py build-bench --db /tmp/bench.duckdb --persons 6000000
    # compare an earlier commit (a `git worktree`) with this checkout
    python bench/compare_output.py compare --db /tmp/cmp/work/socle.duckdb --code /tmp/base .

Exit status 1 when the outputs differ.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMPUTE = """
import sys, duckdb
from socle.indicators import compute_indicators
con = duckdb.connect(sys.argv[1], config={"memory_limit": sys.argv[3]})
con.execute("SET enable_progress_bar = false")
compute_indicators(con, progress=None)
con.execute("COPY (FROM indicators.indicator_values) TO '" + sys.argv[2] + "' (FORMAT parquet)")
"""


def build(data: Path, persons: int, months: str, seed: int) -> None:
    """Generate a landing folder and load it into `data`'s working database."""
    sys.path.insert(0, str(ROOT))
    from socle.config import Paths
    from socle.pipeline import ingest, prepare
    from socle.warehouse import connect

    paths = Paths(data)
    subprocess.run([sys.executable, "-m", "socle.cli", "generate", "--out", str(paths.landing),
                    "--persons", str(persons), "--months", months, "--seed", str(seed)],
                   check=True, cwd=ROOT)
    paths.working.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SOCLE_PSEUDONYMISATION_KEY", "compare-output")
    con = connect(paths.working)
    prepare(con, paths)
    ingest(con, paths, progress=lambda _m: None)
    con.close()
    print(f"loaded into {paths.working}")


def build_bench(db: Path, persons: int, memory: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    import bench_indicators

    bench_indicators.build(str(db), persons, memory)
    print(f"built {db}")


def compare(db: Path, codes: list[Path], memory: str) -> int:
    with tempfile.TemporaryDirectory(prefix="socle_cmp_") as tmp:
        outputs = []
        for i, code in enumerate(codes):
            copy = Path(tmp) / f"db{i}.duckdb"
            shutil.copyfile(db, copy)
            out = Path(tmp) / f"out{i}.parquet"
            env = {**os.environ, "PYTHONPATH": str(code.resolve())}
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", COMPUTE, str(copy), str(out), memory],
                           check=True, env=env, cwd=code)
            print(f"{code}: computed in {time.perf_counter() - started:.1f} s")
            copy.unlink()
            outputs.append(out)
        import duckdb

        con = duckdb.connect()
        status = 0
        first = outputs[0]
        for code, other in zip(codes[1:], outputs[1:], strict=True):
            counts = [con.execute(f"SELECT count(*) FROM '{p}'").fetchall()[0][0]
                      for p in (first, other)]
            only = [con.execute(f"SELECT count(*) FROM (FROM '{a}' EXCEPT ALL FROM '{b}')")
                    .fetchall()[0][0] for a, b in ((first, other), (other, first))]
            same = only == [0, 0]
            print(f"{codes[0]} vs {code}: {counts[0]} / {counts[1]} rows; "
                  f"{only[0]} only in the first, {only[1]} only in the second: "
                  f"{'identical' if same else 'DIFFERENT'}")
            if not same:
                status = 1
                print(con.sql(f"(FROM '{first}' EXCEPT ALL FROM '{other}') LIMIT 10"))
                print(con.sql(f"(FROM '{other}' EXCEPT ALL FROM '{first}') LIMIT 10"))
        return status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="generate and load a year into DATA/work/socle.duckdb")
    b.add_argument("--data", type=Path, required=True)
    b.add_argument("--persons", type=int, default=30_000)
    b.add_argument("--months", default="2024-01:2024-12")
    b.add_argument("--seed", type=int, default=7)
    n = sub.add_parser("build-bench", help="build bench_indicators.py's national year")
    n.add_argument("--db", type=Path, required=True)
    n.add_argument("--persons", type=int, default=6_000_000)
    n.add_argument("--memory", default="3GB")
    c = sub.add_parser("compare", help="compute with each checkout and compare")
    c.add_argument("--db", type=Path, required=True)
    c.add_argument("--code", type=Path, nargs="+", required=True)
    c.add_argument("--memory", default="3GB")
    args = ap.parse_args()
    if args.command == "build":
        build(args.data, args.persons, args.months, args.seed)
    elif args.command == "build-bench":
        build_bench(args.db, args.persons, args.memory)
    else:
        sys.exit(compare(args.db, args.code, args.memory))


if __name__ == "__main__":
    main()
