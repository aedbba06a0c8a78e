"""Export folders: empty months, atomic rewrite, manifest sources, one file per territory."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from socle.export import export_period, files
from socle.indicators import compute_indicators, write_catalog
from socle.ingest.audit import record
from socle.warehouse import run_script

MARCH = date(2024, 3, 1)
HEADER = ("periode;indicateur;libelle_indicateur;niveau;code_territoire;libelle_territoire;"
          "ventilation;modalite;numerateur;denominateur;valeur;unite;secret")


# Writing a month's whole export folder (a file and a workbook per territory) is the
# slow tier's.
SLOW = pytest.mark.slow


@pytest.fixture
def con(warehouse: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The test warehouse with the catalog and an empty `indicators.indicator_values`."""
    write_catalog(warehouse)
    compute_indicators(warehouse, periods=[], progress=None)
    return warehouse


def add_values(con: duckdb.DuckDBPyConnection, rows: list[tuple], period: date = MARCH) -> None:
    """Headline rows (code, level, territory, numerator, denominator, value, unit)."""
    con.executemany(
        "INSERT INTO indicators.indicator_values VALUES (?, ?, ?, ?, 'total', 'total', ?, ?, ?, ?)",
        [[period, *r] for r in rows],
    )


def count(code: str, level: str, territory: str, n: int) -> tuple:
    return (code, level, territory, n, None, float(n), "persons")


def read(path: Path) -> tuple[str, list[dict]]:
    """(header line, rows) of an export CSV."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = f.readline().rstrip("\r\n")
        f.seek(0)
        return header, list(csv.DictReader(f, delimiter=";"))


def zoning_files(con: duckdb.DuckDBPyConnection) -> set[str]:
    """`territoires/` file names expected when the bundled zoning is the only one."""
    return {f"territoires/{lvl}_{code}.csv" for lvl, code in con.execute(
        "SELECT level, territory_code FROM ref.territories").fetchall()}


@SLOW
def test_a_month_without_values_is_exported_with_headers_only(con, tmp_path: Path):
    manifest = export_period(con, MARCH, tmp_path / "exports")
    folder = tmp_path / "exports" / "2024-03"
    names = {f["file"] for f in manifest["files"]}
    for level in ("NAT", "REG", "DEP", "BASSIN"):
        assert {f"niveau_{level}.csv", f"niveau_{level}.parquet"} <= names
    assert zoning_files(con) <= names
    assert all(f["rows"] == 0 for f in manifest["files"])
    for name in ("niveau_NAT.csv", "territoires/NAT_FR.csv", "territoires/DEP_75.csv"):
        header, rows = read(folder / name)
        assert header == HEADER and rows == []
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["periode"] == (
        "2024-03")
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["2024-03"]


@SLOW
def test_a_failed_export_keeps_the_previous_folder_and_leaves_no_tmp(
    con, tmp_path: Path, monkeypatch
):
    add_values(con, [count("CAP_REGISTERED", "NAT", "FR", 100)])
    exports = tmp_path / "exports"
    before = export_period(con, MARCH, exports)
    folder = exports / "2024-03"
    published = (folder / "manifest.json").read_text(encoding="utf-8")

    def broken(*_args):
        raise RuntimeError("audit unreadable")

    monkeypatch.setattr(files, "source_deliveries", broken)
    with pytest.raises(RuntimeError, match="audit unreadable"):
        export_period(con, MARCH, exports)
    assert sorted(p.name for p in exports.iterdir()) == ["2024-03"]
    assert (folder / "manifest.json").read_text(encoding="utf-8") == published
    assert len(before["files"]) + 1 == sum(1 for p in folder.rglob("*") if p.is_file())


@SLOW
def test_rewriting_a_month_swaps_folders_instead_of_emptying_the_published_one(
    con, tmp_path: Path, monkeypatch
):
    """A reader must see the whole old folder or the whole new one: the published folder is
    renamed aside, never deleted file by file while it is the one readers open."""
    exports = tmp_path / "exports"
    folder = exports / "2024-03"
    add_values(con, [count("CAP_REGISTERED", "NAT", "FR", 100)])
    export_period(con, MARCH, exports)
    con.execute("UPDATE indicators.indicator_values SET numerator = 120, value = 120")
    removed: list[Path] = []
    rmtree = files.shutil.rmtree

    def spy(path, *args, **kwargs):
        if Path(path).exists():
            removed.append(Path(path))
        return rmtree(path, *args, **kwargs)

    monkeypatch.setattr(files.shutil, "rmtree", spy)
    export_period(con, MARCH, exports)
    assert folder not in removed
    assert removed == [exports / "2024-03.old"]
    assert sorted(p.name for p in exports.iterdir()) == ["2024-03"]
    _, rows = read(folder / "niveau_NAT.csv")
    assert [r["valeur"] for r in rows] == ["120"]


def test_a_failed_swap_puts_the_old_folder_back(tmp_path: Path):
    final = tmp_path / "2024-03"
    final.mkdir()
    (final / "manifest.json").write_text("old", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        files.swap_in(tmp_path / "2024-03.tmp", final)  # nothing to swap in
    assert (final / "manifest.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-03"]


def deliver(con, operator: str, month: str, extract: str, shas: list[str], status: str,
            hour: int) -> None:
    """One audited delivery attempt of `shas` files (row counts irrelevant here)."""
    record(con, operator=operator, month=date.fromisoformat(month + "-01"), extract=extract,
           files=[{"source_file": f"{operator}/{month}/{extract}_{i}.csv", "sha256": sha}
                  for i, sha in enumerate(shas)],
           status=status, loaded_at=datetime(2024, 12, 1, hour))


@SLOW
def test_the_manifest_lists_the_current_version_of_every_loaded_delivery(con, tmp_path: Path):
    add_values(con, [count("CAP_REGISTERED", "NAT", "FR", 100)])
    deliver(con, "FT", "2024-03", "registrations", ["a" * 64], "accepted", 1)
    deliver(con, "FT", "2024-03", "registrations", ["b" * 64], "partial", 2)  # re-delivery
    deliver(con, "FT", "2024-03", "registrations", ["c" * 64], "rejected", 3)  # refused fix
    deliver(con, "FT", "2024-05", "registrations", ["d" * 64], "accepted", 4)  # later snapshot
    deliver(con, "CD", "2024-02", "pathways", ["e" * 64, "f" * 64], "accepted", 5)
    deliver(con, "APEC", "2024-04", "hires", ["9" * 64], "rejected", 6)  # never published
    manifest = export_period(con, MARCH, tmp_path / "exports")
    listed = [(s["operator"], s["month"], s["extract"], s["sha256"][0], s["status"])
              for s in manifest["source_deliveries"]]
    assert listed == [
        ("CD", "2024-02", "pathways", "e", "accepted"),
        ("CD", "2024-02", "pathways", "f", "accepted"),
        ("FT", "2024-03", "registrations", "b", "partial"),
        ("FT", "2024-05", "registrations", "d", "accepted"),
    ]
    assert manifest["source_deliveries"][2]["source_file"] == "FT/2024-03/registrations_0.csv"


@SLOW
def test_every_territory_of_the_zoning_gets_its_file_with_its_parents(con, tmp_path: Path):
    add_values(con, [count("CAP_REGISTERED", "NAT", "FR", 900),
                     count("CAP_REGISTERED", "REG", "11", 300),
                     count("CAP_REGISTERED", "DEP", "75", 100)])
    # A committee of a later zoning: not a territory of March 2024.
    con.execute("INSERT INTO ref.bassins VALUES (2099, '75056', 'NEW75', 'Paris futur', '75')")
    run_script(con, "reference/territories.sql")
    manifest = export_period(con, MARCH, tmp_path / "exports")
    folder = tmp_path / "exports" / "2024-03" / "territoires"
    names = {f["file"] for f in manifest["files"] if f["file"].startswith("territoires/")}
    csv_names = zoning_files(con) - {"territoires/BASSIN_NEW75.csv"}
    assert names == csv_names | {n.replace(".csv", ".xlsx") for n in csv_names}
    assert {p.name for p in folder.iterdir()} == {n.removeprefix("territoires/") for n in names}

    def levels(name: str) -> list[tuple[str, str]]:
        return [(r["niveau"], r["code_territoire"]) for r in read(folder / name)[1]]

    assert levels("BASSIN_CLPE75001.csv") == [("DEP", "75"), ("REG", "11"), ("NAT", "FR")]
    assert levels("DEP_33.csv") == [("NAT", "FR")]
    assert levels("REG_75.csv") == [("NAT", "FR")]
    rows = {f["file"]: f["rows"] for f in manifest["files"]}
    assert rows["territoires/BASSIN_CLPE75001.csv"] == 3
    assert rows["territoires/DEP_33.csv"] == 1


@SLOW
def test_only_months_with_a_delivery_are_published(warehouse, tmp_path: Path):
    """Nothing loaded: a publication writes the snapshot and no export folder. Then a
    delivery of March only: asked for January to March, March alone is computed and
    exported (no empty folders for the others)."""
    from helpers import insert, reg

    from socle.config import Paths
    from socle.pipeline import compute, release

    write_catalog(warehouse)
    paths = Paths(tmp_path)
    asked = [date(2024, 1, 1), date(2024, 2, 1), MARCH]
    first = release(warehouse, paths, asked, lambda _: None)
    assert first.published and first.periods == []
    assert paths.warehouse.exists() and not any(paths.exports.iterdir())
    insert(warehouse, "registrations", "FT", "2024-03", [reg("r", 1, "2024-03-05", "75056")])
    record(warehouse, operator="FT", month=MARCH, extract="registrations",
           files=[{"source_file": "FT/2024-03/registrations.csv", "sha256": "a" * 64,
                   "rows_read": 1, "rows_loaded": 1}],
           status="accepted", loaded_at=datetime(2024, 4, 2))
    messages: list[str] = []
    assert compute(warehouse, asked, messages.append) == [MARCH]
    assert "no delivery loaded for 2024-01, 2024-02: skipped" in messages
    second = release(warehouse, paths, asked, lambda _: None)
    assert second.periods == [MARCH]
    assert sorted(p.name for p in paths.exports.iterdir()) == ["2024-03", "site"]
