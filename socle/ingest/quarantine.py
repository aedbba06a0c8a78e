"""`socle quarantine`: a data engineer's look at rejected rows, read from the working
database (quarantined rows are personal data: the analysts' warehouse does not hold them)."""

from __future__ import annotations

import sys
from datetime import date

import duckdb

from socle.config import Paths
from socle.warehouse import connect


def print_quarantine(
    paths: Paths, extract: str, *, operator: str | None = None, month: date | None = None,
    limit: int = 50,
) -> int:
    """Print the quarantined rows of `extract` (optionally one operator and delivery month),
    latest deliveries first, with their reasons and line numbers; exit code for the CLI."""
    if not paths.working.exists():
        print(f"socle quarantine: no working database at {paths.working}: nothing ingested "
              "yet", file=sys.stderr)
        return 2
    try:
        con = connect(paths.working, read_only=True, lock_wait=10.0)
    except duckdb.IOException:
        print("socle quarantine: a run is writing the working database; try again when it "
              "ends", file=sys.stderr)
        return 2
    try:
        where, params = ["TRUE"], list[object]()
        if operator:
            where.append("operator = ?")
            params.append(operator)
        if month:
            where.append("delivery_month = ?")
            params.append(month)
        rows = f"FROM quarantine.{extract} WHERE {' AND '.join(where)}"
        total = con.execute(f"SELECT count(*) {rows}", params).fetchall()[0][0]
        cur = con.execute(
            f"SELECT strftime(delivery_month, '%Y-%m'), operator, source_file, line_number, "
            f"reasons, * EXCLUDE (delivery_month, operator, source_file, line_number, "
            f"reasons) {rows} "
            f"ORDER BY delivery_month DESC, operator, source_file, line_number "
            f"LIMIT {int(limit)}", params,
        )
        names = [d[0] for d in cur.description][5:]
        print(f"quarantine.{extract}: {total} row(s)"
              + (f", first {limit} shown" if total > limit else ""))
        for month_, op, source, line, reasons, *values in cur.fetchall():
            print(f"{month_} {op} {source} line {line}: {reasons}")
            print("    " + ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True)
                                     if v is not None))
    finally:
        con.close()
    return 0
