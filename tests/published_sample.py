"""A small publication for the site and workbook tests: a generated network run through the
whole pipeline (as in tests/test_end_to_end.py), built once per test session and shared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from socle.config import Paths
from socle.export.site import exported_months
from socle.generate import generate_landing
from socle.pipeline import run_pipeline

MONTHS = ("2024-01", "2024-03")
LATEST = "2024-03"
_built: dict[str, Sample] = {}


@dataclass(frozen=True)
class Sample:
    paths: Paths
    months: dict[str, Path]  # 'YYYY-MM' → export folder

    def exported(self, month: str = LATEST) -> pl.DataFrame:
        """The month's published rows (secrecy applied), all levels."""
        return pl.read_parquet(self.months[month] / "niveau_*.parquet")

    def warehouse_headline(self, level: str, code: str, month: str = LATEST) -> dict:
        """indicator → exact value in the published snapshot, headline rows."""
        con = duckdb.connect(str(self.paths.warehouse), read_only=True)
        try:
            return dict(con.execute(
                """SELECT indicator_code, value FROM indicators.indicator_values
                   WHERE strftime(period, '%Y-%m') = ? AND level = ? AND territory_code = ?
                     AND breakdown = 'total'""", [month, level, code]).fetchall())
        finally:
            con.close()

    def committee(self, month: str = LATEST) -> tuple[str, str]:
        """(code, name) of the committee with the most published headline cells among
        those that also have secret ones, so a page shows numbers and `s` (1,500 persons
        over ~360 committees: most of a committee's cells are secret)."""
        head = self.exported(month).filter(
            (pl.col("niveau") == "BASSIN") & (pl.col("ventilation") == "ensemble"))
        both = (head.group_by("code_territoire", "libelle_territoire")
                .agg(pl.col("secret").n_unique().alias("kinds"),
                     (pl.col("secret") == "non").sum().alias("shown"))
                .filter((pl.col("kinds") == 2) & (pl.col("shown") >= 3))
                .sort(["shown", "code_territoire"], descending=[True, False]))
        assert both.height, "no committee with published and secret headline cells"
        return both.row(0)[0], both.row(0)[1]


def published_sample(factory: pytest.TempPathFactory) -> Sample:
    """1,500 generated persons over three months, ingested, computed and published."""
    if "sample" not in _built:
        paths = Paths(factory.mktemp("published"))
        generate_landing(paths.landing, 1_500, MONTHS, seed=7, progress=None)
        summary = run_pipeline(paths, progress=lambda _: None)
        assert summary.ok, summary.render()
        _built["sample"] = Sample(paths, exported_months(paths.exports))
    return _built["sample"]
