"""DuckDB warehouse access: one connection helper and SQL files run statement by statement."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from socle.config import SQL_DIR

SCHEMAS = ("ref", "staging", "quarantine", "audit", "indicators")


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with a memory bound (DuckDB spills past it)."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"SET memory_limit = '{os.environ.get('SOCLE_DUCKDB_MEMORY', '3GB')}'")
    con.execute("SET preserve_insertion_order = false")
    if not read_only:
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return con


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


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """A query's result as a polars DataFrame (DuckDB 2 has no `.pl()` on executed results;
    a relation's `.pl()` avoids the extra copy of a DB-API result)."""
    return con.sql(sql, params=params or None).pl()
