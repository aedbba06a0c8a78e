"""The common schemas, one pandera (polars) schema per extract: the single source of truth.

pandera (~2 s to import) comes with the first schema asked for, not with the package: the
code lists (`schemas.codes`) are read by processes that validate nothing, such as the
workers writing exports and the site.
"""

from __future__ import annotations

import importlib
from functools import cache, lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import polars as pl

from schemas.codes import EXTRACTS

if TYPE_CHECKING:
    import pandera.polars as pa

    from schemas._base import DeliveryContext


@cache
def _modules() -> dict[str, ModuleType]:
    """Each extract's schema module (`schemas/<extract>.py`), in the order of EXTRACTS."""
    return {extract: importlib.import_module(f"schemas.{extract}") for extract in EXTRACTS}


def __getattr__(name: str) -> Any:
    """`MODULES`, `DeliveryContext` and `NO_CONTEXT`, imported when first used."""
    if name == "MODULES":
        return _modules()
    if name in ("DeliveryContext", "NO_CONTEXT"):
        from schemas import _base

        return getattr(_base, name)
    raise AttributeError(f"module 'schemas' has no attribute {name!r}")


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
def schema_for(extract: str, ctx: DeliveryContext | None = None) -> pa.DataFrameSchema:
    """The pandera schema of `extract` for one delivery context (None: none in particular).

    Cached: building one deep-copies every column (~3 ms), and ingestion asks for it per file.
    Pandera schemas are not mutated in place (`update_column` & co. return copies).
    """
    module = _modules()[extract]
    return module.schema() if ctx is None else module.schema(ctx)


def id_column(extract: str) -> str:
    return _modules()[extract].ID_COLUMN


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
