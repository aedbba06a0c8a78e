"""Benchmark of the monthly run: a year's deliveries but the last month loaded, then the
last month dropped in the landing folder and `socle run` timed, as a data engineer lives it.

Steps: generate the year once (`socle generate`, kept in `--work` for the next runs); for
each code checkout to compare (`--code`, default this one), load every month but the last
from an empty data folder (`socle run`: the base); then, `--repeat` times, for each
checkout in turn (so that they share the machine's load alike), copy its base, add the
last month's folders to its landing folder and time `socle run` on it, each in its own
process (wall time, peak RSS of that process, the run's own step timings when it prints
them). Prints the figures and the median per checkout. `--full` also times one run of the
whole year from empty per checkout.

Usage: python bench/bench_monthly.py [--persons 100000] [--months 2024-01:2024-12]
       [--seed 7] [--repeat 3] [--work /tmp/socle_bench_monthly] [--full]
       [--code DIR ...]   (e.g. a `git worktree` of an earlier commit, to compare)

Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
# `socle` run from checkout `code` by this interpreter (same environment for every code).
SOCLE = [sys.executable, "-c", "import sys; from socle.cli import main; sys.exit(main())"]


def _socle(code: Path, args: list[str], data_dir: Path) -> tuple[float, float, str]:
    """Run `socle ARGS` of checkout `code` on `data_dir`: (seconds, peak RSS MiB, output)."""
    env = {**os.environ, "SOCLE_DATA_DIR": str(data_dir), "PYTHONPATH": str(code)}
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([*SOCLE, *args], env=env, cwd=code, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        # wait4: this child's own peak RSS (RUSAGE_CHILDREN would give the largest so far).
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read()
    code_ = os.waitstatus_to_exitcode(status)
    if code_ not in (0, 1):  # 1: a rejected delivery, not a failed run
        sys.exit(f"socle {' '.join(args)} ({code}) failed ({code_}):\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def _link_months(source: Path, target: Path, months: set[str]) -> None:
    """Hard-link the files of `months` (YYYY-MM) of landing folder `source` into `target`."""
    for op in sorted(p for p in source.iterdir() if p.is_dir()):
        for month in sorted(p for p in op.iterdir() if p.is_dir() and p.name in months):
            shutil.copytree(month, target / op.name / month.name, copy_function=os.link)


def _month_names(landing: Path) -> list[str]:
    return sorted({m.name for op in landing.iterdir() if op.is_dir()
                   for m in op.iterdir() if m.is_dir()})


def _said(output: str, *starts: str) -> str:
    """The run's own lines beginning with `starts` (what it computed, its step timings)."""
    return " | ".join(line.strip() for line in output.splitlines()
                      if line.strip().startswith(starts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--months", default="2024-01:2024-12")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/socle_bench_monthly"))
    parser.add_argument("--full", action="store_true",
                        help="also time one run of the whole year from empty")
    parser.add_argument("--code", type=Path, nargs="+", default=[HERE],
                        help="checkouts to compare (default: this one)")
    args = parser.parse_args()

    work = args.work.resolve()
    codes = [c.resolve() for c in args.code]
    generated = work / f"landing_{args.persons}_{args.months.replace(':', '_')}_{args.seed}"
    if not (generated / ".socle-generated").exists():
        t0 = time.perf_counter()
        _socle(codes[0], ["generate", "--out", str(generated), "--persons", str(args.persons),
                          "--months", args.months, "--seed", str(args.seed)], work / "unused")
        print(f"generated {generated} in {time.perf_counter() - t0:.0f} s", flush=True)
    months = _month_names(generated)
    *earlier, last = months

    bases = {}
    for i, code in enumerate(codes):
        base = work / f"base_{i}"
        shutil.rmtree(base, ignore_errors=True)
        _link_months(generated, base / "landing", set(earlier))
        seconds, peak, _ = _socle(code, ["run"], base)
        print(f"{code}: base {earlier[0]}…{earlier[-1]} from empty in {seconds:.1f} s "
              f"({peak:.0f} MiB)", flush=True)
        bases[code] = base

    figures: dict[Path, list[float]] = {code: [] for code in codes}
    for rep in range(args.repeat):
        for code in codes:
            run = work / "monthly"
            shutil.rmtree(run, ignore_errors=True)
            shutil.copytree(bases[code], run, ignore=shutil.ignore_patterns("landing"))
            shutil.copytree(bases[code] / "landing", run / "landing", copy_function=os.link)
            _link_months(generated, run / "landing", {last})
            seconds, peak, out = _socle(code, ["run"], run)
            print(f"{code}: monthly run {rep + 1}, +{last}: {seconds:.1f} s ({peak:.0f} MiB); "
                  f"{_said(out, 'indicators computed', 'indicators:', 'time:')}", flush=True)
            figures[code].append(seconds)
    result = {"persons": args.persons, "months": args.months, "added": last, "runs": {}}
    for code in codes:
        entry = {"monthly_s": [round(s, 1) for s in figures[code]],
                 "monthly_median_s": round(statistics.median(figures[code]), 1)}
        if args.full:
            full = work / "full"
            shutil.rmtree(full, ignore_errors=True)
            _link_months(generated, full / "landing", set(months))
            entry["full_year_s"] = round(_socle(code, ["run"], full)[0], 1)
            entry["monthly_share_of_full"] = round(
                entry["monthly_median_s"] / entry["full_year_s"], 3)
        result["runs"][str(code)] = entry
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
