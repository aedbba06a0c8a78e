"""Benchmark of the monthly run, beside the whole window from empty and the load floor.

A window's deliveries but the last month loaded, then the last month dropped in the landing
folder and `socle run` timed, as a data engineer lives it; the full run and the floor are
measured in the same run.

Steps: generate the window once (`socle generate`, kept in `--work` for the next runs); for
each code checkout to compare (`--code`, default this one) and each month to add (`--add`,
default the window's last), load every earlier month from an empty data folder (`socle
run`: the base). Then `--repeat` times, each checkout in turn (so that they share the
machine's load alike): copy its base, add the month's folders to its landing folder and time
`socle run` on it; with `--floor`, time the floor once; with `--full`, time `socle run` of
the whole window from empty per checkout. Each in its own process: wall time (interpreter
start included, as for `socle run`), peak RSS of that process, the run's own step timings
when it prints them. Prints each figure, then per checkout the medians, the highest peak
RSS and the ratios the targets name: full year / floor, monthly / full year (the latter only
for the window's last month, whose monthly run ends with the full run's landing), and each
later added month / the first one. `--json PATH` also writes the result.

The floor (`--floor`): the same landing folder read once into a fresh DuckDB database file,
every column as text, nothing validated, in a process importing only DuckDB, with socle's
memory bound (`SOCLE_DUCKDB_MEMORY`) and `preserve_insertion_order = false`. Choices:
- Files are found as `socle/ingest/discover.py` finds deliveries: `<operator>/<YYYY-MM>/
  <extract>[__<part>].<csv|csv.gz|parquet>`, known operators and extracts only.
- One table per operator and extract (`ft_registrations`, `cd_pathways`, …), each from ONE
  `read_csv` (`read_parquet`) call over all of its files, all months and parts: operators
  differ in separator, encoding, format and columns, so one call cannot span them. Measured
  on the 3,226 per-département files of a 30,000-person year (load average 4–5): a call per
  file, 18.1 s (~5.6 ms a file); one call per extract with `union_by_name`, 5.7 s (it sniffs
  every file); without it, 0.7 s. So `union_by_name` only for a group whose header lines
  differ (Parquet always); otherwise `files_to_sniff = 1` (DuckDB sniffs 10 by default, ~20 ms
  a file of a few hundred KB) with the largest file first (a header-only file sniffs as NULL
  columns, which the next files then contradict).
- Quote and escape are `"` (as `read.py`'s parser), not sniffed: sniffing the dialect took
  1.4–1.8 s instead of 0.32 s on ML's twelve registrations files (30,000 persons).
- Encoding as `socle/ingest/read.py` tells it: strict UTF-8, else Windows-1252 (Latin-1 where
  a byte is undefined in it). The first 64 KB of each CSV (uncompressed) decide: not UTF-8,
  and the whole file is transcoded by Python's codec into a temporary UTF-8 copy before
  DuckDB reads it (its time counts in the floor; copies are deleted at the end, in time).
  Files whose probe is UTF-8 go to DuckDB as they are (`.csv.gz` too): DuckDB checks every
  byte and refuses invalid UTF-8; should it refuse a group, its files are checked whole,
  those that fail transcoded, and the group read again (counted as `late_transcoded`).
- The separator is sniffed from the header line as `read.py` does (`;` or `,`).
- Parquet columns are cast to text (`COLUMNS(*)::VARCHAR`), as `read.py` does.
- Transcoding and loading run one after the other (no overlap); a file is read whole by
  Python only when transcoded. An empty (or blank) file is skipped, as socle rejects it
  unread. The rows loaded match socle's `rows_read` (5,000 persons, 4 months:
  31,122 rows in 692 files, both).

The 12th and the 24th month: `--add` takes several months; each gets its own base (every
earlier month of the window) and its monthly runs, interleaved. At the same `--persons` a
two-year window has smaller months than a one-year one (the persons are distinct over the
window: at 3,000 persons, FT's December registrations are 1,918 rows over 2024 and 1,515
over 2023–2024), so take both months from the same two-year generation:

    python bench/bench_monthly.py --persons N --months 2023-01:2024-12 --add 2023-12 2024-12

prints `monthly +2024-12 / +2023-12`, the 24th month's median over the 12th's (target ≤ 1.2).
Without `--add`, `--months 2023-01:2024-12` loads 23 months and adds the 24th. The month
folders are `YYYY-MM` (sorted as text = in time order). Each added month's files and bytes
are printed, to check that the months compared are alike. The other targets come from a
one-year window: `--months 2024-01:2024-12 --full --floor` prints `full / floor` (≤ 2) and
`monthly +2024-12 / full` (≤ 0.2).

Usage: python bench/bench_monthly.py [--persons 100000] [--months 2024-01:2024-12]
       [--seed 7] [--repeat 3] [--work /tmp/socle_bench_monthly] [--full] [--floor]
       [--add YYYY-MM ...] [--json PATH] [--reuse-bases]
       [--code DIR ...]   (e.g. a `git worktree` of an earlier commit, to compare; run by
                          its own `.venv` when it has one, else by this interpreter)

Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
# `socle` run from checkout `code` (see `_python`).
SOCLE = ["-c", "import sys; from socle.cli import main; sys.exit(main())"]
# discover.py's file rule.
_FILE = re.compile(r"^(?P<extract>[a-z_]+?)(?:__(?P<part>[^.]+))?\.(?P<ext>csv|csv\.gz|parquet)$",
                   re.IGNORECASE)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_BOM = b"\xef\xbb\xbf"
_PROBE = 1 << 16
_BLOCK = 16 << 20


def _timed(argv: list[str], env: dict[str, str], cwd: Path, what: str, ok: tuple[int, ...]
           ) -> tuple[float, float, str]:
    """Run `argv` in its own process: (seconds, peak RSS MiB, output); exit codes `ok`."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                text=True)
        # wait4: this child's own peak RSS (RUSAGE_CHILDREN would give the largest so far).
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read()
    code_ = os.waitstatus_to_exitcode(status)
    if code_ not in ok:
        sys.exit(f"{what} failed ({code_}):\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def _socle(code: Path, args: list[str], data_dir: Path) -> tuple[float, float, str]:
    """Run `socle ARGS` of checkout `code` on `data_dir`: (seconds, peak RSS MiB, output)."""
    env = {**os.environ, "SOCLE_DATA_DIR": str(data_dir), "PYTHONPATH": str(code)}
    # 1: a rejected delivery, not a failed run
    return _timed([_python(code), *SOCLE, *args], env, code, f"socle {' '.join(args)} ({code})",
                  (0, 1))


def _python(code: Path) -> str:
    """The checkout's own environment (`uv sync` in it: its locked dependencies and install
    settings, such as bytecode compiled or not), else this interpreter's."""
    own = code / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def _commit(code: Path) -> str:
    """The checkout's commit, and whether its tree differs from it (a base is kept for the
    same code only)."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=code, capture_output=True,
                          text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=code,
                           capture_output=True, text=True, check=True).stdout.strip()
    return head + ("+changes" if dirty else "")


def _link_months(source: Path, target: Path, months: set[str]) -> None:
    """Hard-link the files of `months` (YYYY-MM) of landing folder `source` into `target`."""
    for op in sorted(p for p in source.iterdir() if p.is_dir()):
        for month in sorted(p for p in op.iterdir() if p.is_dir() and p.name in months):
            shutil.copytree(month, target / op.name / month.name, copy_function=os.link)


def _month_names(landing: Path) -> list[str]:
    return sorted({m.name for op in landing.iterdir() if op.is_dir()
                   for m in op.iterdir() if m.is_dir()})


def _month_size(landing: Path, month: str) -> tuple[int, int]:
    """(files, bytes) of `month` across the operators' folders."""
    files = [p for op in landing.iterdir() if op.is_dir() for p in (op / month).glob("*")
             if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _said(output: str, *starts: str) -> str:
    """The run's own lines beginning with `starts` (what it computed, its step timings)."""
    return " | ".join(line.strip() for line in output.splitlines()
                      if line.strip().startswith(starts))


# --- the floor, run in its own process (`--floor-of`): DuckDB and the standard library only


def _open(path: Path) -> gzip.GzipFile | io.BufferedReader:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _transcode(path: Path, out: Path) -> None:
    """Windows-1252 (Latin-1 if a byte is undefined in it) → UTF-8, by Python's codecs; one
    byte a character, so blocks are cut anywhere."""
    for codec in ("cp1252", "latin-1"):
        try:
            with _open(path) as src, open(out, "wb") as dst:
                for block in iter(lambda: src.read(_BLOCK), b""):
                    dst.write(block.decode(codec).encode("utf-8"))
            return
        except UnicodeDecodeError:
            continue


def _whole_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with _open(path) as f:
            for block in iter(lambda: f.read(_BLOCK), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _floor(landing: Path, folder: Path, memory: str, operators: list[str],
           extracts: list[str]) -> dict[str, Any]:
    """Load every delivery file of `landing` into `folder`/floor.duckdb (docstring: choices)."""
    import duckdb

    utf8_dir = folder / "utf8"
    utf8_dir.mkdir(parents=True, exist_ok=True)
    # (operator, extract, format, separator) → [(path DuckDB reads, header line, original)]
    groups: dict[tuple[str, str, str, str], list[tuple[Path, bytes, Path]]] = {}
    files = transcoded = late = nbytes = 0
    for op_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        operator = op_dir.name.upper()
        if operator not in operators:
            continue
        for month_dir in sorted(p for p in op_dir.iterdir() if p.is_dir()):
            if not _MONTH.match(month_dir.name):
                continue
            for path in sorted(month_dir.iterdir()):
                m = _FILE.match(path.name)
                extract = m.group("extract").lower() if m else ""
                if not m or extract not in extracts or not path.is_file():
                    continue
                files += 1
                nbytes += path.stat().st_size
                if m.group("ext").lower() == "parquet":
                    groups.setdefault((operator, extract, "parquet", ""), []).append(
                        (path, b"", path))
                    continue
                with _open(path) as f:
                    head = f.read(_PROBE).removeprefix(_BOM)
                if not head.strip():
                    continue  # an empty file: socle rejects it unread
                try:  # final=False: a character cut at the probe's end is not an error
                    codecs.utf_8_decode(head, "strict", False)
                    read = path
                except UnicodeDecodeError:
                    read = utf8_dir / f"{files}.csv"
                    _transcode(path, read)
                    transcoded += 1
                line = head.split(b"\n", 1)[0].rstrip(b"\r")
                outside = b"".join(line.split(b'"')[::2])
                sep = ";" if outside.count(b";") >= outside.count(b",") else ","
                groups.setdefault((operator, extract, "csv", sep), []).append((read, line, path))
    for members in groups.values():
        # The largest file first, the one sniffed: a header-only file's columns sniff as NULL.
        members.sort(key=lambda member: -member[2].stat().st_size)

    db = folder / "floor.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute("SET preserve_insertion_order = false")
    rows, unions = 0, 0
    tables: list[str] = []
    for (operator, extract, fmt, sep), members in groups.items():
        table = f"{operator}_{extract}".lower()
        table = f"{table}_{len(tables)}" if table in tables else table  # another separator
        tables.append(table)
        union = fmt == "parquet" or len({line for _, line, _ in members}) > 1
        unions += union
        if fmt == "parquet":
            sql = (f"CREATE TABLE {table} AS SELECT COLUMNS(*)::VARCHAR FROM read_parquet(?, "
                   "union_by_name = true)")
        else:
            # Headers alike: the first file's sniffing serves all (DuckDB sniffs 10 by default).
            how = "union_by_name = true" if union else "files_to_sniff = 1"
            sql = (f"CREATE TABLE {table} AS FROM read_csv(?, delim = '{sep}', header = true, "
                   f"quote = '\"', escape = '\"', all_varchar = true, {how})")
        try:
            rows += con.execute(sql, [[str(p) for p, _, _ in members]]).fetchall()[0][0]
        except duckdb.InvalidInputException as e:
            if "utf-8" not in str(e).lower() and "unicode" not in str(e).lower():
                raise
            again = []
            for read, line, path in members:
                if read == path and not _whole_utf8(path):
                    read = utf8_dir / f"late_{late}.csv"
                    _transcode(path, read)
                    late += 1
                again.append((read, line, path))
            rows += con.execute(sql, [[str(p) for p, _, _ in again]]).fetchall()[0][0]
    con.execute("CHECKPOINT")
    con.close()
    shutil.rmtree(utf8_dir)
    return {"files": files, "bytes": nbytes, "transcoded": transcoded + late,
            "late_transcoded": late, "tables": len(tables), "union_by_name_tables": unions,
            "rows": rows}


def _run_floor(landing: Path, folder: Path) -> tuple[float, float, dict[str, Any]]:
    """Time the floor in its own process on a fresh folder: (seconds, peak RSS MiB, summary)."""
    from schemas.codes import EXTRACTS, OPERATORS
    from socle.settings import Settings

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    argv = [sys.executable, str(Path(__file__).resolve()), "--floor-of", str(landing),
            "--floor-dir", str(folder), "--floor-memory", Settings.from_env().duckdb_memory,
            "--floor-names", ",".join(OPERATORS), ",".join(EXTRACTS)]
    seconds, peak, out = _timed(argv, dict(os.environ), HERE, "floor", (0,))
    shutil.rmtree(folder)
    return seconds, peak, json.loads(out.strip().splitlines()[-1])


# --- the benchmark


def _median(runs: list[tuple[float, float]]) -> float:
    return statistics.median(s for s, _ in runs)


def _step(name: str, runs: list[tuple[float, float]]) -> dict[str, Any]:
    return {"step": name, "runs_s": [round(s, 1) for s, _ in runs],
            "median_s": round(_median(runs), 1),
            "peak_rss_mib": round(max(p for _, p in runs))}


def _table(code: str, entry: dict[str, Any]) -> str:
    lines = [f"{code}:", f"  {'step':<34} {'median':>9}  {'peak RSS':>10}  runs (s)"]
    for step in entry["steps"]:
        lines.append(f"  {step['step']:<34} {step['median_s']:>7.1f} s  "
                     f"{step['peak_rss_mib']:>6,} MiB  "
                     f"{', '.join(f'{s:.1f}' for s in step['runs_s'])}")
    for name, value in entry["ratios"].items():
        lines.append(f"  {name:<34} {value:>9.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--months", default="2024-01:2024-12")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/socle_bench_monthly"))
    parser.add_argument("--full", action="store_true",
                        help="also time the whole window from empty, --repeat times")
    parser.add_argument("--floor", action="store_true",
                        help="also time the load floor on the same landing, --repeat times")
    parser.add_argument("--add", nargs="+", metavar="YYYY-MM",
                        help="the months to add, each to every earlier one (default: the last)")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    parser.add_argument("--reuse-bases", action="store_true",
                        help="keep a base an earlier run built with the same commit of the "
                             "same checkout (minutes each at national scale)")
    parser.add_argument("--code", type=Path, nargs="+", default=[HERE],
                        help="checkouts to compare (default: this one)")
    parser.add_argument("--floor-of", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-memory", help=argparse.SUPPRESS)
    parser.add_argument("--floor-names", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_of:  # the floor's own process
        operators, extracts = (names.split(",") for names in args.floor_names)
        print(json.dumps(_floor(args.floor_of, args.floor_dir, args.floor_memory, operators,
                                extracts)))
        return

    work = args.work.resolve()
    codes = [c.resolve() for c in args.code]
    generated = work / f"landing_{args.persons}_{args.months.replace(':', '_')}_{args.seed}"
    if not (generated / ".socle-generated").exists():
        t0 = time.perf_counter()
        _socle(codes[0], ["generate", "--out", str(generated), "--persons", str(args.persons),
                          "--months", args.months, "--seed", str(args.seed)], work / "unused")
        print(f"generated {generated} in {time.perf_counter() - t0:.0f} s", flush=True)
    months = _month_names(generated)
    adds = sorted(args.add or [months[-1]])
    if not set(adds) <= set(months[1:]):
        sys.exit(f"--add: months of the window after its first ({months[1]}…{months[-1]})")
    load_start = os.getloadavg()[0]
    for add in adds:
        files, size = _month_size(generated, add)
        print(f"+{add}: {files:,} files, {size / 1e6:,.1f} MB", flush=True)

    bases = {}
    for add in adds:
        earlier = [m for m in months if m < add]
        for i, code in enumerate(codes):
            base = work / f"base_{i}_{add}"
            built_by = f"{code} {_commit(code)} {generated.name}"
            marker = base / ".bench-base"
            bases[code, add] = base
            if args.reuse_bases and marker.exists() and marker.read_text() == built_by:
                print(f"{code}: base {earlier[0]}…{earlier[-1]} kept ({built_by})", flush=True)
                continue
            shutil.rmtree(base, ignore_errors=True)
            _link_months(generated, base / "landing", set(earlier))
            seconds, peak, _ = _socle(code, ["run"], base)
            marker.write_text(built_by)
            print(f"{code}: base {earlier[0]}…{earlier[-1]} from empty in {seconds:.1f} s "
                  f"({peak:.0f} MiB)", flush=True)

    monthly: dict[tuple[Path, str], list[tuple[float, float]]] = {
        (code, add): [] for code in codes for add in adds}
    full: dict[Path, list[tuple[float, float]]] = {code: [] for code in codes}
    floor: list[tuple[float, float]] = []
    for rep in range(args.repeat):
        for add in adds:
            for code in codes:
                run = work / "monthly"
                shutil.rmtree(run, ignore_errors=True)
                shutil.copytree(bases[code, add], run, ignore=shutil.ignore_patterns("landing"))
                shutil.copytree(bases[code, add] / "landing", run / "landing",
                                copy_function=os.link)
                _link_months(generated, run / "landing", {add})
                seconds, peak, out = _socle(code, ["run"], run)
                print(f"{code}: monthly run {rep + 1}, +{add}: {seconds:.1f} s ({peak:.0f} MiB)"
                      f"; {_said(out, 'indicators computed', 'indicators:', 'time:')}",
                      flush=True)
                monthly[code, add].append((seconds, peak))
        if args.floor:
            seconds, peak, said = _run_floor(generated, work / "floor")
            print(f"floor run {rep + 1}: {seconds:.1f} s ({peak:.0f} MiB); {said}", flush=True)
            floor.append((seconds, peak))
        if args.full:
            for code in codes:
                run = work / "full"
                shutil.rmtree(run, ignore_errors=True)
                _link_months(generated, run / "landing", set(months))
                seconds, peak, out = _socle(code, ["run"], run)
                print(f"{code}: full run {rep + 1}, {months[0]}…{months[-1]}: {seconds:.1f} s "
                      f"({peak:.0f} MiB); {_said(out, 'time:')}", flush=True)
                full[code].append((seconds, peak))

    result: dict[str, Any] = {
        "persons": args.persons, "months": args.months, "seed": args.seed, "added": adds,
        "repeat": args.repeat, "load_average_start_end": [load_start, os.getloadavg()[0]],
        "runs": {}}
    for code in codes:
        steps = [_step(f"monthly +{add}", monthly[code, add]) for add in adds]
        if full[code]:
            steps.append(_step(f"full {months[0]}…{months[-1]}", full[code]))
        if floor:
            steps.append(_step("floor (same landing)", floor))
        ratios: dict[str, float] = {}
        if full[code] and floor:
            ratios["full / floor"] = _median(full[code]) / _median(floor)
        if full[code] and months[-1] in adds:  # its monthly run ends with the full landing
            ratios[f"monthly +{months[-1]} / full"] = (
                _median(monthly[code, months[-1]]) / _median(full[code]))
        for add in adds[1:]:
            ratios[f"monthly +{add} / +{adds[0]}"] = (
                _median(monthly[code, add]) / _median(monthly[code, adds[0]]))
        entry = {"steps": steps, "ratios": {k: round(v, 3) for k, v in ratios.items()}}
        result["runs"][str(code)] = entry
        print(_table(str(code), entry))
    print(f"load average (1 min) at start {load_start:.2f}, at end {os.getloadavg()[0]:.2f}")
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
