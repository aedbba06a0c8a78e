"""The one resource every asset uses: where the data lives, and the warehouse connection."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb

from socle.config import Paths
from socle.warehouse import connect


class SocleData(dg.ConfigurableResource):
    """Landing, warehouse and exports under `data_dir` (from `SOCLE_DATA_DIR`, default ./data)."""

    data_dir: str

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.data_dir).resolve())

    def connect(self) -> duckdb.DuckDBPyConnection:
        """The working database: the only one runs write (the published snapshot is
        replaced whole by a publication, never opened for writing)."""
        return connect(self.paths.working)


def socle_data_from_env() -> SocleData:
    return SocleData(data_dir=os.environ.get("SOCLE_DATA_DIR", "data"))
