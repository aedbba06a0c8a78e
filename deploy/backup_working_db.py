"""Copy socle's working database into a new file, consistently (docs/deploy.md, Backups).

    python deploy/backup_working_db.py SOURCE.duckdb TARGET.duckdb

A DuckDB file copied by `cp` while a run writes it can be torn. This opens it read-only,
which DuckDB refuses while a run holds it (exit 1: try again later) and which keeps runs
out while it copies; the copy is written beside the target and renamed into place, so a
target that exists is a whole copy. Exit 2 for bad arguments.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def backup(source: Path, target: Path) -> None:
    """Copy every schema and table of `source` into the new file `target`."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_quoted(source)} AS work (READ_ONLY)")
        con.execute(f"ATTACH {_quoted(partial)} AS copy")
        con.execute("COPY FROM DATABASE work TO copy")
        con.execute("DETACH copy")
    except BaseException:
        con.close()
        partial.unlink(missing_ok=True)
        raise
    con.close()
    partial.replace(target)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    if not source.is_file():
        print(f"{source}: no such database", file=sys.stderr)
        return 2
    if target.exists():
        print(f"{target} exists: choose a new name (backups are never overwritten)",
              file=sys.stderr)
        return 2
    try:
        backup(source, target)
    except duckdb.IOException as e:
        print(f"{source} is in use by a run, try again later ({e})", file=sys.stderr)
        return 1
    print(f"{source} copied to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
