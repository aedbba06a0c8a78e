"""The one resource every asset uses: where the data lives, and the warehouse connection."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from socle.config import Paths
from socle.settings import DATA_DIR, Settings
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


def socle_data_from_settings(settings: Settings) -> SocleData:
    """The resource of an installation. A `SOCLE_DATA_DIR` that is set stays a `dg.EnvVar`:
    each run's process resolves it, and the UI shows where it comes from rather than a
    value frozen into the definitions; unset, the default folder is written as a value."""
    if DATA_DIR in settings.from_environment:
        return SocleData(data_dir=dg.EnvVar(DATA_DIR))
    return SocleData(data_dir=str(settings.data_dir))
