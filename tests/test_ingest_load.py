"""Ingestion into the warehouse: every format, provenance, quarantine, replacement, audit."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import polars as pl
from helpers import M, land, q

from socle.ingest import (
    accounting_errors,
    discover_deliveries,
    ingest_delivery,
    ingest_landing,
)
from socle.ingest.samples import sample_rows, write_csv


def test_discover(tmp_path: Path) -> None:
    root = land(tmp_path)
    (root / "FT/2024-03/notes.txt").write_text("ignored")
    found = discover_deliveries(root)
    assert [(d.operator, d.extract, len(d.files)) for d in found] == [
        ("APEC", "registrations", 1), ("CD", "diagnostics", 2), ("CE", "registrations", 1),
        ("FT", "registrations", 1), ("ML", "registrations", 1),
    ]
    assert {d.month for d in found} == {M}
    assert len(found[1].content_hash) == 64
    assert discover_deliveries(root, operators={"CD"})[0].extract == "diagnostics"
    assert discover_deliveries(root, months={date(2024, 4, 1)}) == []


def test_every_format_loads_with_provenance(warehouse, tmp_path: Path) -> None:
    results = ingest_landing(warehouse, land(tmp_path), progress=lambda _: None)
    assert [(r.operator, r.status, r.rows_loaded) for r in results] == [
        ("APEC", "accepted", 10), ("CD", "accepted", 10), ("CE", "accepted", 20),
        ("FT", "accepted", 40), ("ML", "accepted", 30),
    ]
    assert q(warehouse, "SELECT operator, delivery_month, count(*) FROM staging.registrations "
                        "GROUP BY ALL ORDER BY 1") == [
        ("APEC", M, 10), ("CE", M, 20), ("FT", M, 40), ("ML", M, 30)]
    assert q(warehouse, "SELECT DISTINCT source_file FROM staging.diagnostics ORDER BY 1") == [
        ("CD/2024-03/diagnostics__13.csv",), ("CD/2024-03/diagnostics__2A.csv",)]
    # dd/mm/yyyy and O/N parsed; allowances absent from a file default to false
    ft = sample_rows("registrations", 40, M, prefix="ft")
    first = q(warehouse, "SELECT registration_date, allowance_are, allowance_ass, birth_year "
                         "FROM staging.registrations WHERE registration_id = 'Rft0'")[0]
    assert first == (date.fromisoformat(ft["registration_date"][0]),
                     ft["allowance_are"][0] == "true", False, int(ft["birth_year"][0]))
    assert q(warehouse, "SELECT count(*) FROM staging.registrations WHERE loaded_at IS NULL "
                        "OR allowance_cej IS NULL") == [(0,)]
    audit = q(warehouse, "SELECT source_file, rows_read, rows_loaded, status, length(sha256) "
                         "FROM audit.deliveries ORDER BY 1")
    assert audit[0] == ("APEC/2024-03/registrations.csv.gz", 10, 10, "accepted", 64)
    assert len(audit) == 6
    assert "commentaire" in q(warehouse, "SELECT message FROM audit.deliveries "
                                         "WHERE operator = 'FT'")[0][0]
    assert accounting_errors(warehouse) == []


def test_communes_zrr_and_accents(warehouse, tmp_path: Path) -> None:
    df = sample_rows("registrations", 6, M, prefix="x")
    df = df.with_columns(commune_code=pl.Series(
        ["01003", "75101", "2A004", "97411", "99999", "13055"]))
    df = df.with_columns(
        registration_id=pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("R-été€"))
        .otherwise("registration_id"),
        exit_reason=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("DÉMÉNAGEMENT"))
        .otherwise("exit_reason"),
        exit_date=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("2024-03-31"))
        .otherwise("exit_date"),
    )
    write_csv(df, tmp_path / "l/FT/2024-03/registrations.csv", sep=";", encoding="cp1252")
    [r] = ingest_landing(warehouse, tmp_path / "l", progress=lambda _: None)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("partial", 5, 1)
    assert r.notes["communes_mapped"] == 1  # 75101 → 75056 (01003 is quarantined)
    assert r.notes["communes_unknown"] == 1
    assert "unknown to the reference" in r.message
    got = dict(q(warehouse, "SELECT registration_id, commune_code FROM staging.registrations"))
    assert got == {"Rx1": "75056", "Rx2": "2A004", "Rx3": "97411", "Rx4": "99999",
                   "R-été€": "13055"}
    zrr = q(warehouse, "SELECT s.zrr_resident IS NOT DISTINCT FROM c.zrr FROM "
                       "staging.registrations s JOIN ref.communes c USING (commune_code)")
    assert zrr and all(z for (z,) in zrr)
    assert q(warehouse, "SELECT commune_code, exit_reason, reasons, line_number "
                        "FROM quarantine.registrations") == [
        ("01003", "DÉMÉNAGEMENT", "exit_reason:code", 1)]  # as delivered
    assert accounting_errors(warehouse) == []


def test_quarantine_duplicates_and_accounting(warehouse, tmp_path: Path) -> None:
    df = sample_rows("hires", 8, M)
    bad = df.head(2).with_columns(contract_type=pl.lit("CDD"), contract_months=pl.lit(None))
    conflict = df.slice(3, 1).with_columns(contract_months=pl.lit("99"))
    full = pl.concat([df, df.head(1), bad.with_columns(hire_id=pl.lit("Hz")).head(1), conflict])
    write_csv(full, tmp_path / "l/ML/2024-03/hires.csv")
    [r] = ingest_landing(warehouse, tmp_path / "l", progress=lambda _: None)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_duplicate) == (11, 7, 3, 1)
    assert r.reason_counts == {"hire_id:duplicate_id": 2,
                               "contract_months:required_for_fixed_term": 1}
    quarantined = q(warehouse, "SELECT hire_id, reasons, line_number FROM quarantine.hires "
                               "ORDER BY line_number")
    assert quarantined == [("H3", "hire_id:duplicate_id", 4),
                           ("Hz", "contract_months:required_for_fixed_term", 10),
                           ("H3", "hire_id:duplicate_id", 11)]
    assert q(warehouse, "SELECT rows_read, rows_loaded, rows_quarantined, rows_duplicate, status "
                        "FROM audit.deliveries") == [(11, 7, 3, 1, "partial")]
    assert accounting_errors(warehouse) == []
    warehouse.execute("DELETE FROM staging.hires WHERE hire_id = 'H0'")
    assert len(accounting_errors(warehouse)) == 1


def test_redelivery_replaces_and_identical_changes_nothing(warehouse, tmp_path: Path) -> None:
    path = write_csv(sample_rows("pathways", 10, M), tmp_path / "l/CE/2024-03/pathways.csv")
    other = write_csv(sample_rows("pathways", 4, date(2024, 2, 1)),
                      tmp_path / "l/CE/2024-02/pathways.csv")
    first = ingest_landing(warehouse, tmp_path / "l", progress=lambda _: None)
    assert [r.status for r in first] == ["accepted", "accepted"]
    again = ingest_landing(warehouse, tmp_path / "l", progress=lambda _: None)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert q(warehouse, "SELECT count(*) FROM audit.deliveries") == [(2,)]
    # a correction: 6 rows now, one bad
    df = sample_rows("pathways", 6, M, prefix="v2-").with_columns(
        pathway_type=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("??"))
        .otherwise("pathway_type"))
    write_csv(df, path)
    [r] = ingest_landing(warehouse, tmp_path / "l", months={M}, progress=lambda _: None)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("partial", 5, 1)
    assert q(warehouse, "SELECT delivery_month, count(*), min(pathway_id) FROM staging.pathways "
                        "GROUP BY 1 ORDER BY 1") == [(date(2024, 2, 1), 4, "P0"), (M, 5, "Pv2-1")]
    # a rejected re-delivery keeps the previous version published
    path.write_text("pathway_id,person_id,nom\nP1,x,Dupont\n")
    [r] = ingest_landing(warehouse, tmp_path / "l", months={M}, progress=lambda _: None)
    assert r.status == "rejected" and "direct identifier" in r.message
    assert q(warehouse, "SELECT count(*) FROM staging.pathways WHERE delivery_month = "
                        "DATE '2024-03-01'") == [(5,)]
    assert q(warehouse, "SELECT count(*) FROM quarantine.pathways") == [(1,)]
    assert q(warehouse, "SELECT status, rows_read, rows_loaded FROM audit.deliveries "
                        "ORDER BY loaded_at DESC LIMIT 1") == [("rejected", 0, 0)]
    assert accounting_errors(warehouse) == []
    assert other.exists()


def test_rejected_unreadable_file_counts(warehouse, tmp_path: Path) -> None:
    data = gzip.compress(sample_rows("actions", 3000, M).write_csv().encode())
    p = tmp_path / "l/FT/2024-03/actions.csv.gz"
    p.parent.mkdir(parents=True)
    p.write_bytes(data[: len(data) * 2 // 3])
    from socle.ingest.discover import Delivery

    r = ingest_delivery(warehouse, Delivery("FT", M, "actions", [p], tmp_path / "l"), key=None)
    assert r.status == "rejected" and r.rule == "unreadable"
    assert "actions.csv.gz" in r.message and "truncated" in r.message
    assert q(warehouse, "SELECT status, rows_loaded, message LIKE '%truncated%' "
                        "FROM audit.deliveries") == [("rejected", 0, True)]
    assert q(warehouse, "SELECT count(*) FROM staging.actions") == [(0,)]


def test_same_rejected_files_are_reported_again_but_not_reaudited(warehouse, tmp_path: Path):
    data = gzip.compress(sample_rows("actions", 3000, M).write_csv().encode())
    p = tmp_path / "l/FT/2024-03/actions.csv.gz"
    p.parent.mkdir(parents=True)
    p.write_bytes(data[: len(data) * 2 // 3])
    first = ingest_landing(warehouse, tmp_path / "l", progress=lambda _: None)
    again = ingest_landing(warehouse, tmp_path / "l", progress=lambda _: None)
    assert [(r.status, r.repeated) for r in first] == [("rejected", False)]
    assert [(r.status, r.repeated) for r in again] == [("rejected", True)]
    assert again[0].message == first[0].message and "truncated" in again[0].message
    assert q(warehouse, "SELECT count(*) FROM audit.deliveries") == [(1,)]
    # A corrected delivery goes through.
    p.unlink()
    (p.parent / "actions.csv").write_text(sample_rows("actions", 3, M).write_csv())
    fixed = ingest_landing(warehouse, tmp_path / "l", progress=lambda _: None)
    assert [r.status for r in fixed] == ["accepted"]
