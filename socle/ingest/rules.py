"""Run the pandera schema on a typed chunk and turn its failure cases into row reasons.

Reasons are `column:rule`: the check names of cross-column rules (designed as `column:rule`),
`<column>:<check name>` for column checks, `column:required` for a null in a mandatory column.
Id uniqueness is left to the delivery-wide duplicate step (a chunk does not see the others).
"""

from __future__ import annotations

from functools import lru_cache

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

import schemas
from schemas._base import ROW_CHECK_COLUMNS, DeliveryContext


@lru_cache(maxsize=64)
def row_schema(extract: str, ctx: DeliveryContext) -> pa.DataFrameSchema:
    """The extract's schema for one delivery, id uniqueness checked elsewhere (delivery-wide).

    Built afresh and changed in place: `update_column` deep-copies every column (~3 ms, paid
    once per delivery since each has its own month).
    """
    schema = schemas.MODULES[extract].schema(ctx)
    schema.columns[schemas.id_column(extract)].unique = False
    return schema


@lru_cache(maxsize=64)
def _reason_table(extract: str, ctx: DeliveryContext) -> pl.DataFrame:
    """(schema_context, column, check_number) → reason, for every check of the schema."""
    schema = row_schema(extract, ctx)
    rows = []
    for name, col in schema.columns.items():
        for i, check in enumerate(col.checks):
            rows.append(("Column", name, i, f"{name}:{check.name}"))
    for i, check in enumerate(schema.checks):
        rows.append(("DataFrameSchema", schema.name, i, check.name))
    return pl.DataFrame(
        rows, schema={"schema_context": pl.Utf8, "column": pl.Utf8, "check_number": pl.Int32,
                      "reason": pl.Utf8}, orient="row",
    )


@lru_cache(maxsize=64)
def reason_columns(extract: str, ctx: DeliveryContext) -> pl.DataFrame:
    """reason → each column it depends on (for dropping reasons that repeat a cause)."""
    rows: list[tuple[str, str]] = []
    for reason in _reason_table(extract, ctx).get_column("reason"):
        cols = ROW_CHECK_COLUMNS.get(reason) or (reason.split(":", 1)[0],)
        rows.extend((reason, c) for c in cols)
    for name in row_schema(extract, ctx).columns:
        rows.append((f"{name}:required", name))
    return pl.DataFrame(rows, schema={"reason": pl.Utf8, "column": pl.Utf8}, orient="row")


def schema_reasons(typed: pl.DataFrame, extract: str, ctx: DeliveryContext) -> pl.DataFrame:
    """Long frame (row, reason) of every rule a row breaks (row = position in `typed`)."""
    schema = row_schema(extract, ctx)
    empty = pl.DataFrame(schema={"row": pl.UInt32, "reason": pl.Utf8})
    try:
        schema.validate(typed.select(list(schema.columns)), lazy=True)
        return empty
    except SchemaErrors as e:
        fc = e.failure_cases
    fc = fc.with_columns(pl.col("check_number").cast(pl.Int32))
    if fc.get_column("index").null_count():
        bad = fc.filter(pl.col("index").is_null()).select("column", "check").rows()
        raise RuntimeError(f"schema-level failure on typed data (a parser bug): {bad}")
    special = (
        pl.when(pl.col("check") == "not_nullable").then(pl.col("column") + ":required")
        .when(pl.col("check") == "field_uniqueness").then(pl.col("column") + ":duplicate_id")
    )
    out = fc.join(_reason_table(extract, ctx), on=["schema_context", "column", "check_number"],
                  how="left")
    out = out.select(
        row=pl.col("index").cast(pl.UInt32),
        reason=pl.coalesce(special, pl.col("reason"), pl.col("column") + ":" + pl.col("check")),
    )
    return out.unique()


def combine_reasons(
    n: int, extract: str, ctx: DeliveryContext, causes: pl.DataFrame, found: pl.DataFrame
) -> pl.Series:
    """Per-row `;`-joined reasons (null for a valid row), one reason per cause.

    `causes` (row, reason) are unparseable or invalid-as-delivered values (`x:type`,
    `nir:control_key`); a rule reading such a column would only repeat them and is dropped.
    """
    broken = causes.select(
        "row",
        column=pl.col("reason").str.split(":").list.first().replace("nir", "person_id"),
    ).unique()
    deps = reason_columns(extract, ctx)
    repeated = found.join(deps, on="reason").join(broken, on=["row", "column"], how="semi")
    kept = found.join(repeated.select("row", "reason"), on=["row", "reason"], how="anti")
    allr = pl.concat([causes.select("row", "reason"), kept.select("row", "reason")]).unique()
    per_row = allr.sort("row", "reason").group_by("row", maintain_order=True).agg(
        pl.col("reason").str.join(";")
    )
    full = pl.DataFrame({"row": pl.int_range(0, n, dtype=pl.UInt32, eager=True)})
    return full.join(per_row, on="row", how="left", maintain_order="left").get_column("reason")
