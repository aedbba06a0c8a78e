"""Load the reference geography and code lists into the `ref` schema."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from socle.warehouse import run_script, scalar

_BASSIN_FILE = re.compile(r"^bassins_(\d{4})\.csv$")


def zoning_files(reference_dir: Path) -> dict[int, Path]:
    """Committee zoning files by year (`bassins_<year>.csv`)."""
    found = {}
    for path in reference_dir.glob("bassins_*.csv"):
        m = _BASSIN_FILE.match(path.name)
        if m:
            found[int(m.group(1))] = path
    return dict(sorted(found.items()))


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> dict[str, int]:
    """(Re)load every reference table; returns row counts for the run's metadata."""
    run_script(con, "reference/load.sql", {"dir": str(reference_dir)})
    zonings = zoning_files(reference_dir)
    for year, path in zonings.items():
        con.execute(
            "INSERT INTO ref.bassins SELECT ?, commune_code, bassin_code, bassin_name, "
            "departement_code FROM read_csv(?, header = true, all_varchar = true)",
            [year, str(path)],
        )
    if not zonings:
        run_script(con, "reference/bassins_fallback.sql")
    run_script(con, "reference/territories.sql")
    tables = ["regions", "departements", "communes", "commune_history", "bassins", "rome_codes",
              "territories"]
    return {t: scalar(con, f"SELECT count(*) FROM ref.{t}") for t in tables}


def zoning_year(available: list[int], year: int) -> int:
    """Zoning of the period's year, else the latest earlier one, else the earliest one."""
    earlier = [y for y in available if y <= year]
    return max(earlier) if earlier else min(available)
