"""A corpus of bad deliveries, built in code, each with its asserted outcome.

Run through `validate_file` (the pipeline's code path without a warehouse); the warehouse-side
effects (quarantine contents, replacement) are in test_ingest_load.py.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from socle.ingest import validate_file
from socle.ingest.samples import sample_rows, write_csv

M = date(2024, 3, 1)


def rows(extract: str = "registrations", n: int = 5, **kw) -> pl.DataFrame:
    return sample_rows(extract, n, M, **kw)


def put(df: pl.DataFrame, i: int, **values: str | None) -> pl.DataFrame:
    """Set cells of row `i` (text)."""
    return df.with_columns([
        pl.when(pl.int_range(pl.len()) == i).then(pl.lit(v, dtype=pl.Utf8))
        .otherwise(pl.col(c)).alias(c)
        for c, v in values.items()
    ])


def csv(df: pl.DataFrame, **kw) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return write_csv(df, d / "registrations.csv", **kw)
    return build


def raw(data: bytes, name: str = "registrations.csv") -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name
    return build


def _header_only(d: Path) -> Path:
    return write_csv(rows().head(0), d / "registrations.csv")


def _header_only_events(d: Path) -> Path:
    return write_csv(rows("hires").head(0), d / "hires.csv")


def _truncated_gz(d: Path) -> Path:
    data = gzip.compress(rows(n=2000).write_csv().encode())
    (d / "registrations.csv.gz").write_bytes(data[: len(data) // 2])
    return d / "registrations.csv.gz"


def _corrupt_parquet(d: Path) -> Path:
    rows().write_parquet(d / "registrations.parquet")
    data = (d / "registrations.parquet").read_bytes()
    (d / "registrations.parquet").write_bytes(data[:40] + b"\0" * 50 + data[90:])
    return d / "registrations.parquet"


def _wide(d: Path) -> Path:
    df = rows().with_columns([pl.lit(str(i)).alias(f"extra_{i:03d}") for i in range(186)])
    assert df.width == 200
    return write_csv(df, d / "registrations.csv", sep=";")


def _cp1252(d: Path) -> Path:
    df = rows().with_columns(commentaire=pl.lit("cœur d’œuvre à 5 € – été"))
    df = put(df, 1, registration_id="R-été€1")
    return write_csv(df, d / "registrations.csv", sep=";", encoding="cp1252")


def _stray_quotes(d: Path) -> Path:
    text = rows(n=3).write_csv(separator=";", quote_style="never")
    text = text.replace("R1;", 'R1"bis;', 1)
    (d / "registrations.csv").write_text(text, encoding="utf-8")
    return d / "registrations.csv"


def _ragged(d: Path) -> Path:
    text = rows(n=3).write_csv(separator=";")
    lines = text.splitlines()
    lines[2] += ";surplus"
    (d / "registrations.csv").write_text("\n".join(lines) + "\n")
    return d / "registrations.csv"


def _tab_separated(d: Path) -> Path:
    (d / "registrations.csv").write_text(rows().write_csv(separator="\t"))
    return d / "registrations.csv"


def hires(**values) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return write_csv(put(rows("hires"), 0, **values), d / "hires.csv")
    return build


# (case, builder, extract, status, expected reason counts or rejection rule, extra expectations)
CASES: list[tuple] = [
    ("cp1252 with € œ ’ and an extra free-text column", _cp1252, "registrations", "accepted",
     {}, {"notes": "commentaire"}),
    ("utf-8 with BOM, comma", csv(rows(), bom=True), "registrations", "accepted", {}, {}),
    ("semicolon + CRLF line ends", csv(rows(), sep=";", crlf=True), "registrations",
     "accepted", {}, {}),
    ("tab separator is not accepted", _tab_separated, "registrations", "rejected",
     "missing_column", {}),
    ("header case and spaces", csv(rows().rename(lambda c: f" {c.upper()} ")),
     "registrations", "accepted", {}, {}),
    ("header typo", csv(rows().rename({"registration_date": "registraton_date"})),
     "registrations", "rejected", "missing_column", {"message": "did you mean"}),
    ("missing required column", csv(rows().drop("sex")), "registrations", "rejected",
     "missing_column", {"message": "sex"}),
    ("extra column", csv(rows().with_columns(agence=pl.lit("x"))), "registrations", "accepted",
     {}, {"notes": "agence"}),
    ("empty file", raw(b""), "registrations", "rejected", "empty", {}),
    ("header-only snapshot", _header_only, "registrations", "rejected", "empty",
     {"message": "header only"}),
    ("header-only event extract: no event this month", _header_only_events, "hires",
     "accepted", {}, {}),
    ("truncated gzip", _truncated_gz, "registrations", "rejected", "unreadable",
     {"message": "truncated"}),
    ("corrupt parquet", _corrupt_parquet, "registrations", "rejected", "unreadable",
     {"message": "registrations.parquet"}),
    ("impossible date 31/02", csv(put(rows(), 0, registration_date="31/02/2024")),
     "registrations", "partial", {"registration_date:type": 1}, {}),
    ("impossible month 2024-13-01", csv(put(rows(), 0, registration_date="2024-13-01")),
     "registrations", "partial", {"registration_date:type": 1}, {}),
    ("registration after the month end", csv(put(rows(), 0, registration_date="2024-04-02")),
     "registrations", "partial", {"registration_date:after_month_end": 1}, {}),
    ("diagnostic outside the month",
     lambda d: write_csv(put(rows("diagnostics"), 1, diagnostic_date="2024-02-29"),
                         d / "diagnostics.csv"),
     "diagnostics", "partial", {"diagnostic_date:in_month": 1}, {}),
    ("exit before registration",
     csv(put(rows(), 0, registration_date="2024-03-10", exit_date="2024-03-01",
             exit_reason="EMPLOI")),
     "registrations", "partial", {"exit_date:before_registration": 1}, {}),
    ("exit reason without exit date",
     csv(put(rows(), 0, exit_date=None, exit_reason="EMPLOI")),
     "registrations", "partial", {"exit_reason:without_exit": 1}, {}),
    ("codes in lower case are read as upper case",
     csv(put(rows(), 0, sex="f", category="b", commune_code="2a004")), "registrations",
     "accepted", {}, {}),
    ("unknown codes", csv(put(put(rows(), 0, sex="X"), 1, education_level="9")),
     "registrations", "partial", {"sex:code": 1, "education_level:code": 1}, {}),
    ("FT row without category", csv(put(rows(), 2, category=None)), "registrations", "partial",
     {"category:required_for_FT": 1}, {}),
    ("unparseable year: one reason, not three", csv(put(rows(), 0, birth_year="19x0")),
     "registrations", "partial", {"birth_year:type": 1}, {}),
    ("unknown boolean spelling", csv(put(rows(), 0, allowance_are="peut-être")),
     "registrations", "partial", {"allowance_are:type": 1}, {}),
    ("direct identifier Prénom", csv(rows().with_columns(**{"Prénom": pl.lit("Jean")})),
     "registrations", "rejected", "direct_identifier", {"message": "Prénom"}),
    ("direct identifier E-Mail", csv(rows().with_columns(**{"E-Mail": pl.lit("a@b.fr")})),
     "registrations", "rejected", "direct_identifier", {}),
    ("direct identifier date de naissance",
     csv(rows().with_columns(**{"Date de naissance": pl.lit("01/01/1990")})),
     "registrations", "rejected", "direct_identifier", {}),
    ("nir column without key",
     csv(rows().drop("person_id").with_columns(nir=pl.lit("185057800608436"))),
     "registrations", "rejected", "nir_without_key", {}),
    ("exact duplicate row", csv(pl.concat([rows(), rows().head(1)])), "registrations",
     "accepted", {}, {"rows_duplicate": 1, "rows_loaded": 5}),
    ("conflicting duplicate ids", csv(pl.concat([rows(), put(rows().head(1), 0, sex="M" if
                                                              rows()["sex"][0] == "F" else "F")])),
     "registrations", "partial", {"registration_id:duplicate_id": 2}, {"rows_loaded": 4}),
    ("Corsica, overseas, arrondissement, old and unknown communes",
     csv(put(put(put(put(rows(), 0, commune_code="2B033"), 1, commune_code="97411"), 2,
                 commune_code="75101"), 3, commune_code="99999")),
     "registrations", "accepted", {}, {"notes": "1 rows with a commune code unknown"}),
    ("malformed commune", csv(put(rows(), 0, commune_code="7510")), "registrations", "partial",
     {"commune_code:format": 1}, {}),
    ("stray quote inside a field", _stray_quotes, "registrations", "accepted", {}, {}),
    ("a line with a surplus field", _ragged, "registrations", "rejected", "unreadable", {}),
    ("binary garbage with a carriage return in its first line",
     raw(b'\x07\xc3\xde\xa5.\x93\xc2\xb58\xfdz|(\r"\x9d/t\x81\x90U\n\x01;\x02\n'),
     "registrations", "rejected", "unreadable", {}),
    ("200-column file", _wide, "registrations", "accepted", {}, {"notes": "extra_185"}),
    ("1-row file", csv(rows(n=1)), "registrations", "accepted", {}, {"rows_loaded": 1}),
    ("CDD without length", hires(contract_type="CDD", contract_months=None), "hires",
     "partial", {"contract_months:required_for_fixed_term": 1}, {}),
    ("negative contract length", hires(contract_months="-2"), "hires", "partial",
     {"contract_months:negative": 1}, {}),
    ("employer answer without SIRET nor commune",
     lambda d: write_csv(put(rows("satisfaction"), 0, respondent_type="EMPLOYER",
                             employer_siret=None, commune_code=None), d / "satisfaction.csv"),
     "satisfaction", "partial",
     {"employer_siret:required_for_EMPLOYER": 1, "commune_code:required_for_EMPLOYER": 1}, {}),
    ("offer closed without reason, unknown ROME code",
     lambda d: write_csv(put(put(rows("job_offers"), 0, closed_date="2024-03-20"), 1,
                             rome_code="Z9999"), d / "job_offers.csv"),
     "job_offers", "partial", {"closing_reason:required_when_closed": 1},
     {"notes": "ROME code missing"}),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_delivery(case, tmp_path: Path) -> None:
    name, build, extract, status, expected, extra = case
    path = build(tmp_path)
    report = validate_file(path, extract, operator="FT", month=M)
    text = report.render()
    assert report.status == status, text
    if status == "rejected":
        assert report.rule == expected, text
        assert path.name in report.message
        assert report.exit_code == 1
    else:
        assert report.reason_counts == expected, text
        assert report.rows_read == report.rows_loaded + report.rows_quarantined + \
            report.rows_duplicate
        assert report.exit_code == (0 if status == "accepted" else 1)
    for k, v in extra.items():
        if k == "notes":
            assert any(v in n for n in report.notes), text
        elif k == "message":
            assert v in report.message, text
        else:
            assert getattr(report, k) == v, text


def test_corpus_is_large_enough() -> None:
    assert len({c[0] for c in CASES}) >= 25


def test_report_lists_failing_lines(tmp_path: Path) -> None:
    df = put(put(rows(n=10), 3, sex="X"), 7, registration_date="31/02/2024", birth_year="x")
    report = validate_file(write_csv(df, tmp_path / "registrations.csv"), "registrations",
                           operator="FT", month=M)
    assert report.failing_lines == [
        (4, "R3", "sex:code"),
        (8, "R7", "birth_year:type;registration_date:type"),
    ]
    text = report.render()
    assert "line       4  R3" in text
    assert "sex:code" in text and "NOT OK" in text


def test_month_and_operator_inferred_from_landing_path(tmp_path: Path) -> None:
    path = write_csv(put(rows("diagnostics"), 0, diagnostic_date="2024-04-01"),
                     tmp_path / "ML" / "2024-03" / "diagnostics.csv")
    report = validate_file(path, "diagnostics")
    assert (report.operator, report.month) == ("ML", M)
    assert report.reason_counts == {"diagnostic_date:in_month": 1}


def test_rows_spilled_to_temporary_tables_give_the_same_report(tmp_path: Path, monkeypatch):
    """Past SPILL_ROWS the pending rows go to temporary tables typed from the schema
    (schemas.sql_type): 6 rows, the third with an unknown sex, the sixth a copy of the
    first: 4 load, 1 quarantined, 1 duplicate, as when they stay in memory."""
    from socle.ingest import pending

    df = put(rows(n=5), 2, sex="X")
    path = write_csv(pl.concat([df, df.head(1)]), tmp_path / "registrations.csv")
    in_memory = validate_file(path, "registrations", operator="FT", month=M)
    monkeypatch.setattr(pending, "SPILL_ROWS", 2)
    spilled = validate_file(path, "registrations", operator="FT", month=M)
    counts = (spilled.rows_loaded, spilled.rows_quarantined, spilled.rows_duplicate)
    assert counts == (4, 1, 1)
    assert spilled.failing_lines == in_memory.failing_lines == [(3, "R2", "sex:code")]
