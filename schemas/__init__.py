"""The common schemas, one pandera (polars) schema per extract: the single source of truth."""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

import pandera.polars as pa
import polars as pl

from schemas import (
    actions,
    diagnostics,
    hires,
    job_offers,
    pathways,
    registrations,
    satisfaction,
)
from schemas._base import NO_CONTEXT, DeliveryContext
from schemas.codes import EXTRACTS

MODULES: dict[str, ModuleType] = {
    "registrations": registrations,
    "diagnostics": diagnostics,
    "pathways": pathways,
    "hires": hires,
    "actions": actions,
    "job_offers": job_offers,
    "satisfaction": satisfaction,
}
assert tuple(MODULES) == EXTRACTS

_SQL_TYPES = {pl.Utf8: "VARCHAR", pl.Date: "DATE", pl.Int64: "BIGINT", pl.Boolean: "BOOLEAN"}


def sql_type(dtype: pl.DataType | type[pl.DataType]) -> str:
    """The DuckDB type of a schema column's polars type (given as a class or an instance)."""
    return _SQL_TYPES[dtype if isinstance(dtype, type) else type(dtype)]

# Provenance columns added to every staging table (CONTRACT §5).
PROVENANCE_DDL = (
    "operator VARCHAR NOT NULL, delivery_month DATE NOT NULL, "
    "source_file VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL"
)


@lru_cache(maxsize=512)
def schema_for(extract: str, ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    """The pandera schema of `extract` for one delivery context.

    Cached: building one deep-copies every column (~3 ms), and ingestion asks for it per file.
    Pandera schemas are not mutated in place (`update_column` & co. return copies).
    """
    return MODULES[extract].schema(ctx)


def id_column(extract: str) -> str:
    return MODULES[extract].ID_COLUMN


def column_types(extract: str) -> dict[str, pl.DataType]:
    """Column name → polars dtype, in schema order (a fresh dict: callers may change it)."""
    return dict(_column_types(extract))


@lru_cache(maxsize=16)
def _column_types(extract: str) -> tuple[tuple[str, pl.DataType], ...]:
    return tuple((name, col.dtype.type) for name, col in schema_for(extract).columns.items())


def staging_ddl(extract: str) -> str:
    """CREATE TABLE statement of `staging.<extract>`, derived from the schema."""
    cols = ", ".join(f"{name} {sql_type(dtype)}" for name, dtype in column_types(extract).items())
    return f"CREATE TABLE IF NOT EXISTS staging.{extract} ({cols}, {PROVENANCE_DDL})"


__all__ = ["MODULES", "DeliveryContext", "schema_for", "id_column", "column_types", "sql_type",
           "staging_ddl"]
