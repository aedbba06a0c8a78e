"""Where socle reads and writes: everything hangs off `SOCLE_DATA_DIR` (default `./data`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from socle.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
BUNDLED_REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"


@dataclass(frozen=True)
class Paths:
    """The folders of one socle installation."""

    data_dir: Path

    @classmethod
    def from_env(cls) -> Paths:
        return cls(Settings.from_env().data_dir)

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing"

    @property
    def working(self) -> Path:
        """The pipeline's private database: only socle's own runs open it, one at a time."""
        return self.data_dir / "work" / "socle.duckdb"

    @property
    def warehouse(self) -> Path:
        """The published snapshot analysts open read-only, replaced whole by each publication."""
        return self.data_dir / "warehouse" / "socle.duckdb"

    @property
    def parquet(self) -> Path:
        """The published indicator values as a Hive-partitioned Parquet dataset."""
        return self.data_dir / "warehouse" / "parquet"

    @property
    def exports(self) -> Path:
        return self.data_dir / "exports"

    @property
    def reference(self) -> Path:
        """The reference folder of the data dir if it has one, else the bundled copy."""
        own = self.data_dir / "reference"
        return own if (own / "communes.csv").exists() else BUNDLED_REFERENCE_DIR
