"""French number formatting of the CSV exports: plain decimals, never scientific notation."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from socle.export import export_period
from socle.export.french import decimal_comma
from socle.indicators import compute_indicators, write_catalog


@pytest.mark.parametrize(("number", "text"), [
    (0.0000012, "0,0000012"),
    (4e-7, "0,0000004"),
    (0.00004, "0,00004"),
    (1 / 3, "0,333333"),
    (2 / 3 * 1e-9, "0,000000000666667"),
    (123456.789, "123456,789"),
    (2.5, "2,5"),
    (-0.25, "-0,25"),
    (12.0, "12"),
    (1e16, "10000000000000000"),
    (0.0, "0"),
])
def test_numbers_are_written_plainly_with_a_decimal_comma(number: float, text: str):
    out = pl.DataFrame({"x": [number]}).with_columns(decimal_comma("x"))
    assert out["x"].to_list() == [text]


def test_nulls_stay_empty():
    out = pl.DataFrame({"x": [None, 1.5]}, schema={"x": pl.Float64})
    assert out.with_columns(decimal_comma("x"))["x"].to_list() == [None, "1,5"]


@pytest.mark.slow  # writes a whole export folder: a file and a workbook per territory
def test_tiny_rates_reach_the_csv_as_plain_decimals(warehouse, tmp_path: Path):
    write_catalog(warehouse)
    compute_indicators(warehouse, periods=[], progress=None)
    warehouse.executemany(
        "INSERT INTO indicators.indicator_values VALUES "
        "(DATE '2024-03-01', ?, 'NAT', 'FR', 'total', 'total', ?, ?, ?, 'rate')",
        [["PERF_RETURN_EMPLOYMENT", 12, 10_000_000, 12 / 10_000_000],
         ["REA_INTENSIVE_SHARE", 8, 20_000_000, 8 / 20_000_000]],
    )
    export_period(warehouse, date(2024, 3, 1), tmp_path)
    with open(tmp_path / "2024-03" / "niveau_NAT.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r["indicateur"]: r for r in csv.DictReader(f, delimiter=";")}
    assert rows["PERF_RETURN_EMPLOYMENT"]["valeur"] == "0,0000012"
    assert rows["REA_INTENSIVE_SHARE"]["valeur"] == "0,0000004"
    assert rows["REA_INTENSIVE_SHARE"]["denominateur"] == "20000000"
