"""DuckDB warehouse access: one connection helper and SQL files run statement by statement."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from socle.config import SQL_DIR
from socle.settings import Settings

SCHEMAS = ("ref", "staging", "quarantine", "audit", "indicators", "meta")
# A sensor's read-only look at the working database holds its lock for milliseconds: a run
# that meets it waits instead of failing.
LOCK_WAIT_SECONDS = 60.0


def connect(
    path: Path | str, *, read_only: bool = False, lock_wait: float = LOCK_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """Open a database with a memory bound (DuckDB spills past it), waiting up to
    `lock_wait` seconds while another process holds its lock."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = _open(str(path), read_only, lock_wait)
    con.execute(f"SET memory_limit = '{Settings.from_env().duckdb_memory}'")
    con.execute("SET preserve_insertion_order = false")
    if not read_only:
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return con


def _open(path: str, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + lock_wait
    delay = 0.05
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure rolls back, so what was published stays in place."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def split_statements(sql: str) -> list[str]:
    """Split a SQL script on `;` at line ends (DuckDB binds parameters to one statement only)."""
    parts, current = [], []
    for line in sql.splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            parts.append("\n".join(current).strip().rstrip(";"))
            current = []
    tail = "\n".join(current).strip()
    if tail:
        parts.append(tail)
    return [p for p in parts if p and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in p.splitlines())]


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def run_script(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None
) -> None:
    """Run `sql/<name>` statement by statement, binding named parameters each one uses."""
    for stmt in split_statements(read_sql(name)):
        used = {k: v for k, v in (params or {}).items() if f"${k}" in stmt}
        con.execute(stmt, used or None)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """The first column of a query's single row (a count, a max)."""
    return con.execute(sql, params).fetchall()[0][0]


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """A query's result as a polars DataFrame (DuckDB 2 has no `.pl()` on executed results;
    a relation's `.pl()` avoids the extra copy of a DB-API result)."""
    return con.sql(sql, params=params or None).pl()
