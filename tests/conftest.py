"""Shared fixtures: a fresh warehouse with the reference loaded, in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from socle.config import BUNDLED_REFERENCE_DIR
from socle.reference import load_reference
from socle.staging import ensure_staging
from socle.warehouse import connect


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse with `ref` loaded and empty staging tables."""
    con = connect(tmp_path / "socle.duckdb")
    load_reference(con, BUNDLED_REFERENCE_DIR)
    ensure_staging(con)
    yield con
    con.close()
