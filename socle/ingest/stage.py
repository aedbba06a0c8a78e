"""Read, validate and stage one delivery into temporary tables, then settle duplicates.

The same code serves the pipeline (a warehouse connection) and `validate_file` (an in-memory
DuckDB): both end with `_in_text` (every row as delivered), `_in_typed` (valid rows, typed)
and `_in_fate` (load / quarantine / duplicate per row, with final reasons). Nothing here
touches a published table; `load.py` publishes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

import schemas
from schemas._base import DeliveryContext
from socle.ingest.columns import check_header
from socle.ingest.communes import Lookups
from socle.ingest.errors import Rejected
from socle.ingest.read import open_file
from socle.ingest.rows import process_chunk

SQL_TYPES = {pl.Utf8: "VARCHAR", pl.Date: "DATE", pl.Int64: "BIGINT", pl.Boolean: "BOOLEAN"}


@dataclass
class StagedFile:
    source_file: str
    extra_columns: list[str] = field(default_factory=list)
    encodings: set[str] = field(default_factory=set)
    format: str = ""
    rows_read: int = 0


@dataclass
class Staged:
    files: list[StagedFile]
    stats: Counter


def _create_temp_tables(con: duckdb.DuckDBPyConnection, extract: str) -> None:
    types = schemas.column_types(extract)
    head = "rid BIGINT, source_file VARCHAR, line_number BIGINT"
    text_cols = ", ".join(f'"{c}" VARCHAR' for c in types)
    typed_cols = ", ".join(f'"{c}" {SQL_TYPES[t]}' for c, t in types.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE _in_text ({head}, {text_cols}, "
                "row_hash UBIGINT, reasons VARCHAR)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _in_typed ({head}, {typed_cols})")


def drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    for t in ("_in_text", "_in_typed", "_in_fate"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _append(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> None:
    if df.height:
        con.register("_in_chunk", df.to_arrow())
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _in_chunk")
        finally:
            con.unregister("_in_chunk")


def stage_delivery(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[Path, str]],
    extract: str,
    ctx: DeliveryContext,
    *,
    lookups: Lookups,
    key: bytes | None,
) -> Staged:
    """Stage every file (path, source name) of one delivery; raises `Rejected`.

    Every header is checked before any row is read, so a bad second part rejects early.
    """
    _create_temp_tables(con, extract)
    opened = []
    for path, name in files:
        tf = open_file(path)
        opened.append((tf, name, check_header(tf, extract, key=key)))
    staged: list[StagedFile] = []
    stats: Counter = Counter()
    rid = 0
    for tf, name, header in opened:
        sf = StagedFile(name, header.extra, format=tf.format)
        line = 1
        try:
            for raw in tf.chunks():
                chunk = process_chunk(
                    raw, extract=extract, ctx=ctx, header=header, lookups=lookups, key=key,
                    source_file=name, first_line=line, first_rid=rid,
                )
                _append(con, "_in_text", chunk.text)
                _append(con, "_in_typed", chunk.typed)
                stats.update(chunk.stats)
                line += raw.height
                rid += raw.height
        except Rejected as e:
            e.rows_read = rid
            raise
        sf.rows_read = line - 1
        sf.encodings = set(tf.encodings)
        if sf.rows_read == 0:
            raise Rejected(f"{tf.path.name}: header only, no data row (an empty delivery is "
                           "rejected: send the rows, or nothing)", rule="empty")
        staged.append(sf)
    settle_duplicates(con, extract)
    return Staged(staged, stats)


def settle_duplicates(con: duckdb.DuckDBPyConnection, extract: str) -> None:
    """Exact duplicate rows: keep the first, count the others. Same id, different content:
    quarantine every version (`<id>:duplicate_id`), since none can be trusted over another."""
    id_col = schemas.id_column(extract)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _in_fate AS
        WITH ranked AS (
            SELECT rid, trim("{id_col}") AS id, reasons,
                   row_number() OVER (PARTITION BY trim("{id_col}"), row_hash
                                      ORDER BY rid) AS rn
            FROM _in_text
        ),
        conflicts AS (
            SELECT id FROM ranked WHERE rn = 1 AND id IS NOT NULL AND id <> ''
            GROUP BY id HAVING count(*) > 1
        )
        SELECT r.rid,
               CASE WHEN r.rn > 1 THEN 'duplicate'
                    WHEN c.id IS NOT NULL OR r.reasons IS NOT NULL THEN 'quarantine'
                    ELSE 'load' END AS fate,
               CASE WHEN r.rn = 1 AND c.id IS NOT NULL
                    THEN array_to_string(list_sort(list_distinct(string_split(
                        concat_ws(';', r.reasons, '{id_col}:duplicate_id'), ';'))), ';')
                    ELSE r.reasons END AS reasons
        FROM ranked r LEFT JOIN conflicts c ON r.id = c.id
    """)


def file_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """source_file → rows read / loaded / quarantined / duplicate, from the staged tables."""
    rows = con.execute("""
        SELECT t.source_file, count(*),
               count(*) FILTER (WHERE f.fate = 'load'),
               count(*) FILTER (WHERE f.fate = 'quarantine'),
               count(*) FILTER (WHERE f.fate = 'duplicate')
        FROM _in_text t JOIN _in_fate f USING (rid) GROUP BY ALL
    """).fetchall()
    return {
        r[0]: {"rows_read": r[1], "rows_loaded": r[2], "rows_quarantined": r[3],
               "rows_duplicate": r[4]}
        for r in rows
    }


def reason_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per reason among quarantined rows (a row with two reasons counts under both)."""
    rows = con.execute("""
        SELECT reason, count(*) AS n FROM (
            SELECT unnest(string_split(reasons, ';')) AS reason
            FROM _in_fate WHERE fate = 'quarantine'
        ) GROUP BY reason ORDER BY n DESC, reason
    """).fetchall()
    return dict(rows)
