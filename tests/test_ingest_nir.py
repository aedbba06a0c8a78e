"""Pseudonymisation: the NIR becomes person_id and is never written anywhere."""

from __future__ import annotations

import hmac
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from socle.ingest import ingest_landing, validate_file
from socle.ingest.pseudonymise import pseudonymise
from socle.ingest.samples import sample_rows, write_csv
from socle.settings import Settings

M = date(2024, 3, 1)
KEY = b"test-key"


def nir(body: str) -> str:
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - number % 97:02d}"


GOOD = [nir("1850578006084"), nir("2960275123456"), nir("185052A006084"),
        nir("299112B123001")]
BAD_KEY = GOOD[0][:-2] + f"{(int(GOOD[0][-2:]) + 1) % 97:02d}"


def test_control_key_and_hmac() -> None:
    df = pl.DataFrame({"nir": [GOOD[0], f" {GOOD[2].lower()} ", BAD_KEY, "12345", None]})
    out, reasons = pseudonymise(df, KEY)
    assert out.columns == ["person_id"]
    assert out["person_id"].to_list() == [
        hmac.new(KEY, GOOD[0].encode(), "sha256").hexdigest(),
        hmac.new(KEY, GOOD[2].encode(), "sha256").hexdigest(),
        None, None, None,
    ]
    assert reasons.to_list() == [None, None, "nir:control_key", "nir:format", None]


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCLE_PSEUDONYMISATION_KEY", raising=False)
    assert Settings.from_env().pseudonymisation_key is None
    monkeypatch.setenv("SOCLE_PSEUDONYMISATION_KEY", "clé")
    assert Settings.from_env().pseudonymisation_key == "clé".encode()


def test_empty_lines_of_a_file_with_nir_are_skipped(warehouse, tmp_path: Path) -> None:
    df = sample_rows("registrations", 2, M).drop("person_id").with_columns(
        nir=pl.Series(GOOD[:2]))
    path = write_csv(df, tmp_path / "landing/FT/2024-03/registrations.csv", sep=";")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1], ";" * (df.width - 1), lines[2], ""]),
                    encoding="utf-8")
    [r] = ingest_landing(warehouse, tmp_path / "landing", key=KEY, progress=lambda _: None)
    assert (r.rows_read, r.rows_loaded) == (2, 2)
    assert "1 empty line(s) skipped: 2" in r.message


def test_nir_never_written(warehouse, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    df = sample_rows("registrations", len(GOOD) + 1, M).drop("person_id")
    df = df.with_columns(nir=pl.Series([*GOOD, BAD_KEY]))
    path = write_csv(df, tmp_path / "landing/FT/2024-03/registrations.csv", sep=";",
                     encoding="cp1252")
    [r] = ingest_landing(warehouse, tmp_path / "landing", key=KEY)
    assert (r.rows_loaded, r.rows_quarantined) == (4, 1)
    assert r.reason_counts == {"nir:control_key": 1}
    ids = {x for (x,) in warehouse.execute("SELECT person_id FROM staging.registrations")
           .fetchall()}
    assert ids == {hmac.new(KEY, n.encode(), "sha256").hexdigest() for n in GOOD}
    assert warehouse.execute("SELECT person_id, reasons FROM quarantine.registrations"
                             ).fetchall() == [(None, "nir:control_key")]
    report = validate_file(path, "registrations", key=KEY)
    assert report.reason_counts == {"nir:control_key": 1}
    print(report.render(), r.describe())
    warehouse.execute("CHECKPOINT")
    warehouse.close()

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != path]
    assert any(p.suffix == ".duckdb" for p in written)
    outputs = [p.read_bytes() for p in written]
    captured = capsys.readouterr()
    outputs += [captured.out.encode(), captured.err.encode(), report.render().encode()]
    for value in [*GOOD, BAD_KEY]:
        for blob in outputs:
            assert value.encode() not in blob
            assert value.encode("utf-16-le") not in blob
