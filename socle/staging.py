"""Tables of the loaded layer: staging (typed rows), quarantine (text rows), audit."""

from __future__ import annotations

import duckdb

import schemas


def ensure_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Create every `staging.<extract>` table (columns derived from the schemas)."""
    for extract in schemas.MODULES:
        con.execute(schemas.staging_ddl(extract))
