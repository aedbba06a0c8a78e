"""`audit.deliveries`: one row per delivery and file, for every delivery ever seen.

A delivery attempt is identified by (operator, delivery_month, extract, loaded_at): all files
of one attempt share its `loaded_at`. The *current* version of a slice is its latest
accepted or partial attempt; its rows are those in staging and quarantine.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import duckdb

from schemas.codes import EXTRACTS

# How the message of a rejected attempt begins, for people: a rejection caused by the
# environment (no pseudonymisation key...) is not the files' fault, so the same files are
# tried again. The code reads that from the `retry` column, never from the wording.
REJECTED = "rejected: "
REJECTED_RETRY = "rejected (tried again next run): "

_COLUMNS = ("operator, delivery_month, extract, source_file, sha256, rows_read, rows_loaded, "
            "rows_quarantined, rows_duplicate, status, message, loaded_at, retry, changes_from")


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    operator: str,
    month: date,
    extract: str,
    files: list[dict],
    status: str,
    loaded_at: datetime,
    retry: bool = False,
    changes_from: date | None = None,
) -> None:
    """Insert one audit row per file (dicts with source_file, sha256, counts, message).
    `retry`: a rejection whose same files are to be read again (caused by the environment).
    `changes_from`: the earliest date the delivery changes (null: nothing changed;
    0001-01-01: unknown).

    One multi-row INSERT: `executemany` costs a round trip per file (a delivery of the
    Départements has a hundred files).
    """
    if not files:
        return
    rows = [
        [operator, month, extract, f["source_file"], f["sha256"], f.get("rows_read", 0),
         f.get("rows_loaded", 0), f.get("rows_quarantined", 0), f.get("rows_duplicate", 0),
         status, f.get("message"), loaded_at, retry, changes_from]
        for f in files
    ]
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
    con.execute(f"INSERT INTO audit.deliveries ({_COLUMNS}) VALUES {values}",
                [v for row in rows for v in row])


def current_hashes(
    con: duckdb.DuckDBPyConnection, operator: str, month: date, extract: str
) -> dict[str, str] | None:
    """source_file → sha256 of the slice's current (accepted/partial) version, None if none."""
    return all_current_hashes(con, operator=operator, month=month,
                              extract=extract).get((operator, month, extract))


class _Attempt(NamedTuple):
    status: str
    message: str
    retry: bool
    hashes: dict[str, str]  # source_file → sha256


_WHERE_COLUMNS = {"operator": "operator", "month": "delivery_month", "extract": "extract"}


def _latest_attempts(
    con: duckdb.DuckDBPyConnection, *, loaded_only: bool, where: dict[str, object]
) -> dict[tuple[str, date, str], _Attempt]:
    """(operator, month, extract) → each slice's latest attempt, or its latest loaded
    (accepted/partial) one. One query for a
    whole landing run; `where` narrows it to given operator, month and extract values."""
    cond = "".join(f" AND {_WHERE_COLUMNS[k]} = ?" for k in where)
    among = "status IN ('accepted', 'partial')" if loaded_only else "true"
    rows = con.execute(
        f"""
        WITH latest AS (
            SELECT operator, delivery_month, extract, max(loaded_at) AS loaded_at
            FROM audit.deliveries WHERE {among}{cond} GROUP BY ALL
        )
        SELECT a.operator, a.delivery_month, a.extract, a.status, a.message, a.retry,
               a.source_file, a.sha256
        FROM audit.deliveries a JOIN latest USING (operator, delivery_month, extract, loaded_at)
        """,
        list(where.values()),
    ).fetchall()
    out: dict[tuple[str, date, str], _Attempt] = {}
    for op, month, extract, status, message, retry, source, sha in rows:
        out.setdefault((op, month, extract),
                       _Attempt(status, message or "", bool(retry), {})).hashes[source] = sha
    return out


def all_current_hashes(
    con: duckdb.DuckDBPyConnection, **where: object
) -> dict[tuple[str, date, str], dict[str, str]]:
    """(operator, month, extract) → {source_file: sha256} of every slice's current version."""
    return {k: v.hashes for k, v in
            _latest_attempts(con, loaded_only=True, where=where).items()}


def latest_rejections(
    con: duckdb.DuckDBPyConnection, **where: object
) -> dict[tuple[str, date, str], tuple[dict[str, str], str]]:
    """Slices whose latest attempt was rejected → ({source_file: sha256}, message).

    Lets a run recognise files it already rejected: they are reported again, not re-read
    nor re-audited, until a corrected delivery replaces them. Rejections caused by the
    environment (`retry`) are left out: fixing the environment must be enough.
    """
    return {k: (a.hashes, a.message) for k, a in
            _latest_attempts(con, loaded_only=False, where=where).items()
            if a.status == "rejected" and not a.retry}


def accounting_errors(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every way the loaded rows disagree with the audit of current deliveries (empty = ok).

    Checks rows_read = loaded + quarantined + duplicate for every audit row, and, per file of
    each slice's current version, the actual staging and quarantine row counts; rows in
    staging or quarantine that no current delivery accounts for are errors too.
    """
    errors = [
        f"{r[0]}: rows_read {r[1]} ≠ {r[2]} loaded + {r[3]} quarantined + {r[4]} duplicate"
        for r in con.execute(
            "SELECT source_file, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
            "FROM audit.deliveries WHERE status <> 'rejected' "
            "AND rows_read <> rows_loaded + rows_quarantined + rows_duplicate"
        ).fetchall()
    ]
    for extract in EXTRACTS:
        rows = con.execute(
            f"""
            WITH cur AS (
                SELECT a.* FROM audit.deliveries a
                WHERE a.extract = '{extract}' AND a.status IN ('accepted', 'partial')
                  AND a.loaded_at = (SELECT max(b.loaded_at) FROM audit.deliveries b
                                     WHERE b.operator = a.operator
                                       AND b.delivery_month = a.delivery_month
                                       AND b.extract = a.extract
                                       AND b.status IN ('accepted', 'partial'))
            ),
            s AS (SELECT operator, delivery_month, source_file, count(*) AS n
                  FROM staging.{extract} GROUP BY ALL),
            q AS (SELECT operator, delivery_month, source_file, count(*) AS n
                  FROM quarantine.{extract} GROUP BY ALL),
            k AS (SELECT operator, delivery_month, source_file FROM cur
                  UNION SELECT operator, delivery_month, source_file FROM s
                  UNION SELECT operator, delivery_month, source_file FROM q)
            SELECT k.operator, k.delivery_month, k.source_file,
                   cur.rows_loaded, coalesce(s.n, 0), cur.rows_quarantined, coalesce(q.n, 0)
            FROM k
            LEFT JOIN cur USING (operator, delivery_month, source_file)
            LEFT JOIN s USING (operator, delivery_month, source_file)
            LEFT JOIN q USING (operator, delivery_month, source_file)
            WHERE cur.rows_loaded IS NULL OR cur.rows_loaded <> coalesce(s.n, 0)
               OR cur.rows_quarantined <> coalesce(q.n, 0)
            """
        ).fetchall()
        for op, month, src, loaded, s_n, quar, q_n in rows:
            if loaded is None:
                errors.append(f"{extract} {op} {month:%Y-%m} {src}: {s_n} staged and {q_n} "
                              "quarantined rows without a current delivery in the audit")
            else:
                errors.append(f"{extract} {op} {month:%Y-%m} {src}: audit says {loaded} loaded "
                              f"/ {quar} quarantined, tables hold {s_n} / {q_n}")
    return errors
