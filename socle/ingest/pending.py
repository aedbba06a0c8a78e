"""Read and validate one delivery into *pending* rows, then settle duplicates.

Pending: validated, not loaded yet (`load.py` loads them into `staging` and `quarantine`).
The same code serves the pipeline (the working database) and `validate_file` (an in-memory
DuckDB): both end with `_in_text` (rows that may be quarantined, as delivered), `_in_typed`
(valid rows, typed) and `_in_fate` (quarantine / duplicate rows, with final reasons), visible
to SQL under those names. Nothing here writes a table but these temporary ones.

A delivery's rows are validated in batches of about `BATCH_ROWS`, across files: one pandera
run per batch, not per file (a département file holds a few dozen rows, and each run has a
fixed cost of ~15 ms). A background thread reads (and transcodes) the next chunks while a
batch is validated, so batches are kept small enough for the two to overlap. Batches stay
in memory and are handed to DuckDB as Arrow views; past `SPILL_ROWS` they go to temporary
tables instead, so a national file is not held in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

import schemas
from schemas._base import DeliveryContext
from schemas.codes import SNAPSHOT_EXTRACTS
from socle.ingest.columns import Header, check_header
from socle.ingest.communes import Lookups
from socle.ingest.errors import Rejected
from socle.ingest.read import TextFile, open_file, prefetched
from socle.ingest.rows import (
    FLAGGED_SCHEMA,
    MAYBE_BLANK,
    blank_rows,
    delivered_text,
    loaded_stats,
    process_batch,
    repeated,
)

BATCH_ROWS = 250_000
SPILL_ROWS = 2_000_000
TEMP_NAMES = ("_in_text", "_in_typed", "_in_fate")


@dataclass
class PendingFile:
    source_file: str
    extra_columns: list[str] = field(default_factory=list)
    encodings: set[str] = field(default_factory=set)
    format: str = ""
    rows_read: int = 0
    quote_lines: list[int] = field(default_factory=list)  # a `"` kept inside a value
    empty_lines: list[int] = field(default_factory=list)  # no value at all: not a row

    def empty_note(self) -> str | None:
        """The empty lines left out, for the report."""
        if not self.empty_lines:
            return None
        shown = ", ".join(map(str, self.empty_lines[:10]))
        more = f" and {len(self.empty_lines) - 10} more" if len(self.empty_lines) > 10 else ""
        return f"{self.source_file}: {len(self.empty_lines)} empty line(s) skipped: {shown}{more}"

    def quote_note(self) -> str | None:
        """The lines whose `"` inside a value was kept as a character, for the report."""
        if not self.quote_lines:
            return None
        shown = ", ".join(map(str, self.quote_lines[:10]))
        more = f" and {len(self.quote_lines) - 10} more" if len(self.quote_lines) > 10 else ""
        return (f"{self.source_file}: a stray \" kept as a character in line(s) {shown}{more} "
                "(check the values)")


@dataclass
class PendingDelivery:
    files: list[PendingFile]
    stats: Counter
    counts: dict[str, dict[str, int]]  # source_file → rows read/loaded/quarantined/duplicate
    reason_counts: dict[str, int]  # quarantined rows per reason

    def total(self, count: str) -> int:
        """`rows_read`, `rows_loaded`, ... summed over the files."""
        return sum(c.get(count, 0) for c in self.counts.values())

    def nothing_loads_message(self) -> str | None:
        """Why the delivery must be rejected when rows were read and none would load, else None.

        Loading it would replace the slice's current version with nothing (March hires
        dropped in the April folder, FT registrations without categories): a failed delivery
        never damages what was loaded before.
        """
        read = self.total("rows_read")
        if not read or self.total("rows_loaded"):
            return None
        top = ", ".join(f"{r} ×{n}" for r, n in list(self.reason_counts.items())[:3])
        more = ", …" if len(self.reason_counts) > 3 else ""
        dup = self.total("rows_duplicate")
        return (f"none of the {read} rows read would load: {self.total('rows_quarantined')} "
                f"quarantined ({top}{more})" + (f", {dup} exact duplicates" if dup else ""))

    def notes(self) -> tuple[dict[str, object], list[str]]:
        """What a report says beside the counts, the same for the pipeline's audit and for
        `socle validate`: figures by name, and sentences for people."""
        stats = self.stats
        figures: dict[str, object] = {k: int(v) for k, v in stats.items()}
        sentences = []
        if stats.get("communes_mapped"):
            sentences.append(f"{stats['communes_mapped']} old or arrondissement commune codes "
                             "mapped to the current commune")
        unknown = stats.get("communes_unknown", 0)
        if unknown:
            loaded = self.total("rows_loaded")
            share = unknown / loaded if loaded else 0.0
            figures["communes_unknown_share"] = share
            sentences.append(f"{unknown} rows with a commune code unknown to the reference "
                             f"({share:.2%} of the rows loaded; counted at national level only)")
        if stats.get("rome_unknown"):
            sentences.append(f"{stats['rome_unknown']} rows with a ROME code missing from the "
                             "reference (loaded)")
        extra = sorted({c for f in self.files for c in f.extra_columns})
        if extra:
            figures["extra_columns"] = extra
            sentences.append(f"extra column(s) ignored: {', '.join(extra)}")
        quotes = {f.source_file: f.quote_lines for f in self.files if f.quote_lines}
        if quotes:
            figures["quote_lines"] = quotes
            sentences += [n for f in self.files if (n := f.quote_note())]
        empty = {f.source_file: len(f.empty_lines) for f in self.files if f.empty_lines}
        if empty:
            figures["empty_lines"] = empty
            sentences += [n for f in self.files if (n := f.empty_note())]
        figures["encodings"] = sorted({e for f in self.files for e in f.encodings})
        return figures, sentences


def _schema(extract: str, typed: bool) -> dict[str, pl.DataType | type[pl.DataType]]:
    head: dict[str, pl.DataType | type[pl.DataType]] = {
        "rid": pl.Int64, "source_file": pl.Utf8, "line_number": pl.Int64}
    types = schemas.column_types(extract)
    return {**head, **(types if typed else dict.fromkeys(types, pl.Utf8))}


class _Store:
    """Frames of one pending table: kept in memory, or appended to a temp table past a size."""

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str, schema: dict) -> None:
        self.con, self.name, self.schema = con, name, schema
        self.frames: list[pl.DataFrame] = []
        self.rows = 0
        self.spilled = False

    def add(self, df: pl.DataFrame) -> None:
        if not df.height:
            return
        if self.spilled:
            _append(self.con, self.name, df)
            return
        self.frames.append(df)
        self.rows += df.height
        if self.rows > SPILL_ROWS:
            cols = ", ".join(f'"{c}" {schemas.sql_type(t)}' for c, t in self.schema.items())
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {self.name} ({cols})")
            for f in self.frames:
                _append(self.con, self.name, f)
            self.frames, self.spilled = [], True

    def expose(self) -> None:
        """Make the rows visible to SQL as `name` (a temp table already, or an Arrow view)."""
        if not self.spilled:
            df = pl.concat(self.frames) if self.frames else pl.DataFrame(schema=self.schema)
            self.con.register(self.name, arrow(df))


def arrow(df: pl.DataFrame):
    """`df` as Arrow without a copy: strings stay string views, which DuckDB scans as they are
    (the default conversion rewrites every string column, ~0.1 s per 1M rows)."""
    return df.to_arrow(compat_level=pl.CompatLevel.newest())


def drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    for t in TEMP_NAMES:
        con.unregister(t)
    con.execute("; ".join(f"DROP TABLE IF EXISTS {t}" for t in TEMP_NAMES[:2]))


def _append(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> None:
    if df.height:
        con.register("_in_chunk", arrow(df))
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _in_chunk")
        finally:
            con.unregister("_in_chunk")


def validate_delivery(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[Path, str]],
    extract: str,
    ctx: DeliveryContext,
    *,
    lookups: Lookups,
    key: bytes | None,
) -> PendingDelivery:
    """Read and validate every file (path, source name) of one delivery; raises `Rejected`.

    Every header is checked before any row is read, so a bad second part rejects early.
    """
    drop_temp_tables(con)
    opened = []
    for path, name in files:
        tf = open_file(path)
        opened.append((tf, name, check_header(tf, extract, key=key, ctx=ctx)))
    text_store = _Store(con, "_in_text", _schema(extract, typed=False))
    typed_store = _Store(con, "_in_typed", _schema(extract, typed=True))
    done: list[PendingFile] = []
    flagged: list[pl.DataFrame] = []
    keys: list[pl.DataFrame] = []
    pending: list[pl.DataFrame] = []
    pending_rows = 0
    rid = 0  # rows read so far (= the next row's id)

    def flush() -> None:
        nonlocal pending, pending_rows
        if not pending:
            return
        batch = pl.concat(pending) if len(pending) > 1 else pending[0]
        pending, pending_rows = [], 0
        chunk = process_batch(batch, extract=extract, ctx=ctx, lookups=lookups,
                              first_rid=rid - batch.height)
        keys.append(chunk.keys)
        text_store.add(chunk.text)
        typed_store.add(chunk.typed)
        flagged.append(chunk.flagged)

    for tf, name, header in opened:
        sf = PendingFile(name, header.extra, format=tf.format)
        line = 1
        try:
            for aligned in prefetched(_aligned(tf, extract, header, key, name,
                                               sf.empty_lines)):
                pending.append(aligned)
                line += aligned.height
                rid += aligned.height
                pending_rows += aligned.height
                if pending_rows >= BATCH_ROWS:
                    flush()
        except Rejected as e:
            e.rows_read = rid
            raise
        sf.rows_read = line - 1
        sf.encodings = set(tf.encodings)
        sf.quote_lines = list(tf.quote_lines)
        # A month without events is a fact worth delivering; a snapshot without any open
        # spell is an extraction accident that would wipe the published slice.
        if sf.rows_read == 0 and extract in SNAPSHOT_EXTRACTS:
            raise Rejected(f"{tf.path.name}: header only, no data row (an empty snapshot "
                           "would replace every open spell: send the rows, or nothing)",
                           rule="empty")
        done.append(sf)
    flush()
    text_store.expose()
    typed_store.expose()
    counts, reasons, fate = settle_duplicates(con, extract,
                                              pl.concat(keys) if keys else EMPTY_KEYS)
    stats = loaded_stats(pl.concat(flagged) if flagged else pl.DataFrame(schema=FLAGGED_SCHEMA),
                         fate.get_column("rid"))
    return PendingDelivery(done, stats, counts, reasons)


def _aligned(tf: TextFile, extract: str, header: Header, key: bytes | None,
             name: str, empty_lines: list[int]) -> Iterator[pl.DataFrame]:
    """The file's chunks aligned on the schema (`delivered_text`), for the reading thread.

    Empty lines of a CSV file (nothing, or separators only, as spreadsheets write a
    formatted empty row) are no rows: left out, their numbers kept in `empty_lines`; the
    other rows keep theirs. A Parquet record is a row even with every value null.
    """
    line = 1
    for raw in tf.chunks():
        aligned = delivered_text(raw, extract=extract, header=header, key=key,
                                 source_file=name, first_line=line,
                                 blank=tf.format != "parquet")
        line += raw.height
        if MAYBE_BLANK in aligned.columns:
            blank = blank_rows(raw, aligned.drop_in_place(MAYBE_BLANK))  # in place: no query
            if blank.any():
                empty_lines += aligned.get_column("line_number").filter(blank).to_list()
                aligned = aligned.filter(~blank)
        yield aligned


# The keys of a delivery without rows (event extracts only: a month without events).
EMPTY_KEYS = pl.DataFrame(schema={"rid": pl.Int64, "source_file": pl.Utf8, "id": pl.Utf8,
                                  "row_hash": pl.UInt64, "reasons": pl.Utf8})


def settle_duplicates(
    con: duckdb.DuckDBPyConnection, extract: str, keys: pl.DataFrame
) -> tuple[dict[str, dict[str, int]], dict[str, int], pl.DataFrame]:
    """Decide each row's fate; rows not loaded are exposed as `_in_fate`.

    Exact duplicate rows: the first is kept, the others counted. Same id, different content:
    every version is quarantined (`<id>:duplicate_id`), since none can be trusted over another.
    Returns the per-file counts, the quarantined rows per reason and the rows not loaded
    (rid, fate, reasons: `_in_fate` itself).
    """
    id_col = schemas.id_column(extract)
    # Only rows whose id occurs more than once can be duplicates or conflicts: the rare case,
    # settled exactly on that subset (a window over every row's (id, content) cost ~1 s per 1M).
    dup = repeated(keys.get_column("id"))
    first = pl.repeat(True, keys.height, dtype=pl.Boolean, eager=True)
    conflict = pl.repeat(False, keys.height, dtype=pl.Boolean, eager=True)
    if dup.any():
        where = dup.arg_true()
        sub = keys[where].with_columns(first=pl.struct("id", "row_hash").is_first_distinct())
        conflict_ids = (
            sub.filter(pl.col("first") & pl.col("id").is_not_null() & (pl.col("id") != ""))
            .group_by("id").len().filter(pl.col("len") > 1).get_column("id")
        )
        sub = sub.with_columns(conflict=pl.col("first") & pl.col("id").is_in(
            conflict_ids.implode()))
        first = first.scatter(where, sub.get_column("first"))
        conflict = conflict.scatter(where, sub.get_column("conflict"))
    k = keys.with_columns(first.alias("first"), conflict.alias("conflict")).with_columns(
        fate=pl.when(~pl.col("first")).then(pl.lit("duplicate"))
        .when(pl.col("conflict") | pl.col("reasons").is_not_null()).then(pl.lit("quarantine"))
        .otherwise(pl.lit("load")),
    )
    fate = k.filter(pl.col("fate") != "load").with_columns(
        reasons=pl.when(pl.col("conflict")).then(
            pl.concat_str([pl.col("reasons"), pl.lit(f"{id_col}:duplicate_id")], separator=";",
                          ignore_nulls=True)
            .str.split(";").list.unique().list.sort().list.join(";")
        ).otherwise(pl.col("reasons"))
    ).select("rid", "fate", "reasons")
    con.register("_in_fate", arrow(fate))
    per_file = k.group_by("source_file").agg(
        rows_read=pl.len(),
        rows_loaded=(pl.col("fate") == "load").sum(),
        rows_quarantined=(pl.col("fate") == "quarantine").sum(),
        rows_duplicate=(pl.col("fate") == "duplicate").sum(),
    )
    counts = {r.pop("source_file"): {a: int(b) for a, b in r.items()}
              for r in per_file.to_dicts()}
    reasons = (
        fate.filter(pl.col("fate") == "quarantine")
        .select(pl.col("reasons").str.split(";")).explode("reasons")
        .group_by("reasons").len().sort(["len", "reasons"], descending=[True, False])
    )
    return counts, {r: int(n) for r, n in reasons.iter_rows()}, fate


def quarantine_rows(extract: str) -> str:
    """SELECT of the quarantined rows as delivered: text kept in `_in_text`, or for a valid row
    quarantined only for an id seen in another chunk, its typed values as text."""
    cols = ", ".join(f'coalesce(t."{c}", CAST(y."{c}" AS VARCHAR)) AS "{c}"'
                     for c in schemas.column_types(extract))
    return f"""
        SELECT {cols}, f.reasons,
               coalesce(t.source_file, y.source_file) AS source_file,
               coalesce(t.line_number, y.line_number) AS line_number
        FROM _in_fate f LEFT JOIN _in_text t USING (rid) LEFT JOIN _in_typed y USING (rid)
        WHERE f.fate = 'quarantine'
    """
