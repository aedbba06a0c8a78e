"""The whole pipeline on a small generated network: landing → warehouse → exports."""

import csv
import json
from pathlib import Path

import duckdb
import pytest
from helpers import national

from socle.cli import main
from socle.config import Paths
from socle.generate import generate_landing
from socle.pipeline import run_pipeline

# Slow tier: the module's fixture generates a network and runs the pipeline on it.
pytestmark = pytest.mark.slow

MONTHS = ("2024-01", "2024-03")


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory):
    paths = Paths(tmp_path_factory.mktemp("socle"))
    truth = generate_landing(paths.landing, 1_500, MONTHS, seed=7, progress=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCLE_EXPORT_WORKERS", "2")  # months exported in parallel processes
        first = run_pipeline(paths, progress=lambda _: None)
    return paths, truth, first


def test_registered_at_nat_equals_the_generated_month_end_stock(pipeline_run):
    paths, truth, first = pipeline_run
    assert first.ok, first.render()
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    expected = truth["active_persons_month_end"]
    assert set(expected) == {"2024-01", "2024-02", "2024-03"}
    values = {month: v[2] for month, v in national(con, "CAP_REGISTERED").items()}
    assert values == {m: float(n) for m, n in expected.items()}
    levels = con.execute(
        """SELECT strftime(period, '%Y-%m'), list(DISTINCT level ORDER BY level)
           FROM indicators.indicator_values WHERE indicator_code = 'CAP_REGISTERED'
           GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    assert levels == [(m, ["BASSIN", "DEP", "NAT", "REG"]) for m in sorted(expected)]


def test_every_row_read_is_accounted_for(pipeline_run):
    paths, _, _ = pipeline_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    bad = con.execute(
        """SELECT count(*) FROM audit.deliveries
           WHERE rows_read <> rows_loaded + rows_quarantined + rows_duplicate"""
    ).fetchone()[0]
    assert bad == 0
    work = duckdb.connect(str(paths.working), read_only=True)
    loaded = work.execute(
        "SELECT count(*) FROM staging.registrations WHERE delivery_month = DATE '2024-02-01'"
    ).fetchone()[0]
    work.close()
    audited = con.execute(
        """SELECT sum(rows_loaded) FROM audit.deliveries
           WHERE extract = 'registrations' AND delivery_month = DATE '2024-02-01'"""
    ).fetchone()[0]
    assert loaded == audited > 0


def test_the_published_warehouse_holds_no_row_level_data(pipeline_run):
    paths, _, _ = pipeline_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    schemas = {r[0] for r in con.execute(
        "SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    delivered = con.execute("SELECT count(*) FROM audit.deliveries").fetchone()[0]
    published = con.execute(
        "SELECT len(deliveries), row_level FROM meta.publication").fetchone()
    con.close()
    assert schemas == {"ref", "audit", "indicators", "meta"}
    assert published == (delivered, False)  # every delivery accepted: all are current


def test_exports_are_french_csv_with_a_manifest(pipeline_run):
    paths, truth, _ = pipeline_run
    folder = paths.exports / "2024-02"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    names = {f["file"] for f in manifest["files"]}
    for level in ("NAT", "REG", "DEP", "BASSIN"):
        assert {f"niveau_{level}.csv", f"niveau_{level}.parquet"} <= names
    assert "territoires/NAT_FR.csv" in names
    raw = (folder / "niveau_NAT.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(folder / "niveau_NAT.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    head = next(r for r in rows if r["indicateur"] == "CAP_REGISTERED"
                and r["ventilation"] == "ensemble")
    assert head["valeur"] == str(truth["active_persons_month_end"]["2024-02"])
    assert head["secret"] == "non" and head["niveau"] == "NAT"
    rate = next(r for r in rows if r["unite"] == "taux" and r["valeur"])
    assert "," in rate["valeur"] and "." not in rate["valeur"]


def test_a_second_run_on_the_same_files_changes_nothing(pipeline_run):
    paths, _, _ = pipeline_run
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    before = con.execute("SELECT count(*), max(loaded_at) FROM audit.deliveries").fetchone()
    con.close()
    again = run_pipeline(paths, progress=lambda _: None)
    assert {d.status for d in again.deliveries} == {"unchanged"}
    assert again.periods == []
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    assert con.execute("SELECT count(*), max(loaded_at) FROM audit.deliveries").fetchone() == before


def test_demo_command_prints_where_results_are(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("SOCLE_DATA_DIR", str(tmp_path))
    code = main(["demo", "--persons", "400", "--months", "2024-01:2024-02", "--seed", "3"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"warehouse: {tmp_path / 'warehouse' / 'socle.duckdb'}" in out
    assert f"exports:   {tmp_path / 'exports'}" in out
    assert (tmp_path / "exports" / "2024-02" / "manifest.json").exists()
    assert "2024-01" in out and "2024-02" in out


def test_a_committee_file_sets_it_beside_its_parents(pipeline_run):
    paths, _, _ = pipeline_run
    folder = paths.exports / "2024-02" / "territoires"
    path = next(folder.glob("BASSIN_*.csv"))
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")
        rows = list(reader)
    assert reader.fieldnames == [
        "periode", "indicateur", "libelle_indicateur", "niveau", "code_territoire",
        "libelle_territoire", "ventilation", "modalite", "numerateur", "denominateur",
        "valeur", "unite", "secret",
    ]
    head = [r for r in rows if r["indicateur"] == "CAP_REGISTERED"
            and r["ventilation"] == "ensemble"]
    assert [r["niveau"] for r in head] == ["BASSIN", "DEP", "REG", "NAT"]
    masked = [r for r in rows if r["secret"] == "oui"]
    assert masked and all(r["numerateur"] == r["valeur"] == "" for r in masked)
