"""Shared fixtures: a fresh warehouse with the reference loaded, in a temporary folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from socle.config import BUNDLED_REFERENCE_DIR
from socle.reference import load_reference
from socle.staging import ensure_staging
from socle.warehouse import connect

NewWarehouse = Callable[[Path], duckdb.DuckDBPyConnection]

# Months are exported in this process unless a test asks for more: `make test` already runs
# the test modules on every core, and each export process would only add its start-up
# (importing pandera, polars, DuckDB). tests/test_end_to_end.py keeps the parallel path.
os.environ.setdefault("SOCLE_EXPORT_WORKERS", "1")


@pytest.fixture(scope="session")
def new_warehouse(tmp_path_factory: pytest.TempPathFactory) -> NewWarehouse:
    """Opens, in a folder, a warehouse with `ref` loaded and empty staging tables: a copy of
    one built once per session (loading the reference takes ~0.7 s, a copy ~0.04 s)."""
    template = tmp_path_factory.mktemp("reference") / "socle.duckdb"
    con = connect(template)
    try:
        load_reference(con, BUNDLED_REFERENCE_DIR)
        ensure_staging(con)
    finally:
        con.close()

    def open_copy(folder: Path) -> duckdb.DuckDBPyConnection:
        path = folder / "socle.duckdb"
        shutil.copyfile(template, path)
        return connect(path)

    return open_copy


@pytest.fixture
def warehouse(new_warehouse: NewWarehouse, tmp_path: Path
              ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse with `ref` loaded and empty staging tables."""
    con = new_warehouse(tmp_path)
    yield con
    con.close()
