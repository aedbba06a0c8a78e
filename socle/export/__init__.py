"""Exports for committee secretariats: French CSV/Parquet files with statistical secrecy."""

from socle.export.files import export_period
from socle.export.secrecy import apply_secrecy

__all__ = ["export_period", "apply_secrecy"]
