"""Delivery coverage on hand-made audit rows: every status below is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl
import pytest

from schemas.codes import EXTRACTS
from socle.coverage import (
    coverage_check_results,
    coverage_summary,
    deadline,
    delivery_coverage,
    write_delivery_coverage,
)
from socle.ingest import audit
from socle.staging import AUDIT_DDL

FEB, MAR = date(2024, 2, 1), date(2024, 3, 1)


def _attempt(con, op, month, extract, status, at, files=(("f.csv", "aa"),), message=None):
    audit.record(
        con, operator=op, month=month, extract=extract, status=status, loaded_at=at,
        files=[{"source_file": f"{op}/{month:%Y-%m}/{name}", "sha256": sha, "rows_read": 3,
                "rows_loaded": 0 if status == "rejected" else 3, "message": message}
               for name, sha in files],
    )


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA audit")
    con.execute(AUDIT_DDL)
    # FT, January: everything on the 5th of February.
    for extract in EXTRACTS:
        _attempt(con, "FT", date(2024, 1, 1), extract, "accepted", datetime(2024, 2, 5, 10))
    # FT, February (deadline: 8 March, the whole day).
    _attempt(con, "FT", FEB, "registrations", "accepted", datetime(2024, 3, 8, 23, 30))
    _attempt(con, "FT", FEB, "hires", "partial", datetime(2024, 3, 9, 0, 10))
    # Rejected on time, the corrected files four days late.
    _attempt(con, "FT", FEB, "actions", "rejected", datetime(2024, 3, 4),
             files=(("actions.csv", "bad"),), message="rejected: action_type: missing column")
    _attempt(con, "FT", FEB, "actions", "accepted", datetime(2024, 3, 12),
             files=(("actions.csv", "good"),))
    # Rejected for want of the pseudonymisation key, the same files loaded once it is set:
    # the operator delivered on the 6th.
    _attempt(con, "FT", FEB, "pathways", "rejected", datetime(2024, 3, 6),
             files=(("pathways.csv", "p1"),),
             message="rejected (tried again next run): no pseudonymisation key")
    _attempt(con, "FT", FEB, "pathways", "accepted", datetime(2024, 3, 15),
             files=(("pathways.csv", "p1"),))
    _attempt(con, "FT", FEB, "diagnostics", "rejected", datetime(2024, 3, 5),
             message="rejected: nom: direct identifier column")
    # Published on time, then a rejected correction: the figures keep the first version.
    _attempt(con, "FT", FEB, "job_offers", "accepted", datetime(2024, 3, 2))
    _attempt(con, "FT", FEB, "job_offers", "rejected", datetime(2024, 3, 20),
             files=(("job_offers.csv", "zz"),), message="rejected: unreadable file")
    # (FT February satisfaction: never delivered.)
    # ML February registrations in two parts: one delivery.
    _attempt(con, "ML", FEB, "registrations", "accepted", datetime(2024, 3, 7),
             files=(("registrations__01.csv", "r1"), ("registrations__02.csv", "r2")))
    # The last month with any delivery: APEC's March offers.
    _attempt(con, "APEC", MAR, "job_offers", "partial", datetime(2024, 4, 1))
    return con


def _statuses(coverage: pl.DataFrame, op: str, month: date) -> dict[str, str]:
    rows = coverage.filter((pl.col("operator") == op) & (pl.col("delivery_month") == month))
    return dict(zip(rows["extract"], rows["status"], strict=True))


def test_deadline_is_the_given_day_of_the_following_month():
    assert deadline(date(2024, 2, 1), 8) == date(2024, 3, 8)
    assert deadline(date(2024, 12, 1), 8) == date(2025, 1, 8)


def test_every_expected_extract_of_every_month_gets_its_status(con):
    coverage = delivery_coverage(con, deadline_day=8)
    # January to March; 7 extracts for FT and APEC, 6 (no job offers) for ML, CE and CD.
    assert coverage["delivery_month"].unique().sort().to_list() == [
        date(2024, 1, 1), FEB, MAR]
    assert coverage.height == 3 * (7 + 6 + 6 + 7 + 6)
    assert set(_statuses(coverage, "FT", date(2024, 1, 1)).values()) == {"on_time"}
    assert _statuses(coverage, "FT", FEB) == {
        "registrations": "on_time", "diagnostics": "rejected", "pathways": "on_time",
        "hires": "late", "actions": "late", "job_offers": "on_time", "satisfaction": "missing",
    }
    assert _statuses(coverage, "ML", FEB) == {
        "registrations": "on_time", "diagnostics": "missing", "pathways": "missing",
        "hires": "missing", "actions": "missing", "satisfaction": "missing",
    }
    assert set(_statuses(coverage, "CD", FEB).values()) == {"missing"}
    assert "job_offers" not in _statuses(coverage, "CD", FEB)
    assert _statuses(coverage, "APEC", MAR)["job_offers"] == "on_time"


def test_lateness_rejections_and_messages_per_slice(con):
    coverage = delivery_coverage(con, months=[FEB], deadline_day=8)
    ft = {r["extract"]: r for r in coverage.filter(pl.col("operator") == "FT").to_dicts()}
    assert ft["hires"]["days_late"] == 1  # 9 March 00:10
    assert ft["actions"]["days_late"] == 4  # the corrected files, 12 March
    assert ft["actions"]["rejected_attempts"] == 1
    assert ft["actions"]["message"] is None
    assert ft["pathways"]["delivered_at"] == datetime(2024, 3, 6)
    assert ft["registrations"]["days_late"] is None
    assert ft["job_offers"]["rejected_attempts"] == 1
    assert ft["diagnostics"]["message"] == "rejected: nom: direct identifier column"
    assert ft["diagnostics"]["deadline"] == date(2024, 3, 8)
    assert ft["satisfaction"]["delivered_at"] is None


def test_deadline_day_comes_from_the_setting(con, monkeypatch):
    monkeypatch.setenv("SOCLE_DELIVERY_DEADLINE_DAY", "12")
    feb = _statuses(delivery_coverage(con, months=[FEB]), "FT", FEB)
    assert (feb["hires"], feb["actions"]) == ("on_time", "on_time")
    monkeypatch.setenv("SOCLE_DELIVERY_DEADLINE_DAY", "31")
    with pytest.raises(ValueError, match="SOCLE_DELIVERY_DEADLINE_DAY='31': expected a day"):
        delivery_coverage(con)


def test_dates_are_compared_in_utc():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Europe/Paris'")
    con.execute("CREATE SCHEMA audit")
    con.execute("CREATE TABLE audit.deliveries AS SELECT 'FT' AS operator, "
                "DATE '2024-02-01' AS delivery_month, 'hires' AS extract, "
                "'h.csv' AS source_file, 'aa' AS sha256, 'accepted' AS status, "
                "NULL::VARCHAR AS message, "
                "TIMESTAMPTZ '2024-03-09 00:30:00+01:00' AS loaded_at")
    # 00:30 in Paris on the 9th is 23:30 UTC on the 8th: on time.
    row = delivery_coverage(con, deadline_day=8).filter(
        (pl.col("operator") == "FT") & (pl.col("extract") == "hires"))
    assert row["status"].to_list() == ["on_time"]
    assert row["delivered_at"].to_list() == [datetime(2024, 3, 8, 23, 30)]


def test_summary_counts_and_french_sentences(con):
    summary = {s["operateur"]: s for s in coverage_summary(con, FEB)}
    assert list(summary) == ["FT", "ML", "CE", "APEC", "CD"]
    ft = summary["FT"]
    assert (ft["extraits_attendus"], ft["a_temps"], ft["en_retard"], ft["manquants"],
            ft["rejetes"]) == (7, 3, 2, 1, 1)
    assert ft["extraits_en_retard"] == ["hires", "actions"]
    assert ft["complet"] is False
    assert ft["phrase"] == (
        "France Travail : 5 extraits livrés sur 7 attendus, dont 2 en retard (embauches, "
        "actions) ; 1 manquant (satisfaction) ; 1 rejeté et non remplacé (diagnostics) : "
        "les chiffres du mois ne comprennent pas ces données de l'opérateur.")
    assert summary["ML"]["phrase"] == (
        "Missions locales : 1 extrait livré sur 6 attendus ; 5 manquants (diagnostics, "
        "parcours d'accompagnement, embauches, actions, satisfaction) : les chiffres du mois "
        "ne comprennent pas ces données de l'opérateur.")
    assert summary["CD"]["a_temps"] == 0 and summary["CD"]["manquants"] == 6
    january = coverage_summary(con, date(2024, 1, 1))[0]
    assert january["complet"] is True
    assert january["phrase"] == "France Travail : les 7 extraits attendus ont été livrés à temps."


def test_check_passes_only_for_an_operator_with_everything_on_time(con):
    january = coverage_check_results(con, date(2024, 1, 1))
    assert [(op, passed) for op, passed, _ in january] == [
        ("FT", True), ("ML", False), ("CE", False), ("APEC", False), ("CD", False)]
    february = dict((op, passed) for op, passed, _ in coverage_check_results(con, FEB))
    assert february["FT"] is False  # late counts too


def test_materialized_table_is_replaced_whole(con):
    assert write_delivery_coverage(con, deadline_day=8) == 96
    _attempt(con, "FT", FEB, "satisfaction", "accepted", datetime(2024, 3, 30))
    assert write_delivery_coverage(con, deadline_day=8) == 96
    counts = dict(con.execute(
        "SELECT status, count(*) FROM audit.delivery_coverage "
        "WHERE operator = 'FT' AND delivery_month = DATE '2024-02-01' GROUP BY 1").fetchall())
    assert counts == {"on_time": 3, "late": 3, "rejected": 1}


def test_a_warehouse_never_loaded_has_no_months_and_misses_everything_asked():
    con = duckdb.connect()
    assert delivery_coverage(con).is_empty()
    assert write_delivery_coverage(con) == 0
    assert con.execute("SELECT count(*) FROM audit.delivery_coverage").fetchall()[0][0] == 0
    summary = coverage_summary(con, FEB)
    assert [s["manquants"] for s in summary] == [7, 6, 6, 7, 6]


@pytest.mark.slow  # writes a whole export folder: a file and a workbook per territory
def test_the_export_manifest_says_which_operators_the_month_lacks(warehouse, tmp_path):
    from socle.export import export_period
    from socle.indicators import compute_indicators, write_catalog

    write_catalog(warehouse)
    compute_indicators(warehouse, periods=[], progress=None)
    for extract in EXTRACTS:
        _attempt(warehouse, "FT", MAR, extract, "accepted", datetime(2024, 4, 2))
    manifest = export_period(warehouse, MAR, tmp_path / "exports")
    lines = {c["operateur"]: (c["complet"], c["phrase"]) for c in manifest["couverture"]}
    assert lines["FT"] == (
        True, "France Travail : les 7 extraits attendus ont été livrés à temps.")
    assert lines["CE"] == (False, (
        "Cap emploi : 0 extrait livré sur 6 attendus ; 6 manquants (inscriptions, diagnostics, "
        "parcours d'accompagnement, embauches, actions, satisfaction) : les chiffres du mois "
        "ne comprennent pas ces données de l'opérateur."))
