"""What a bad delivery must never do: replace the published slice with nothing, stay rejected
once the environment is fixed, slip a direct identifier through, vanish under a wrong name,
inflate a share with rows that do not load, or blame valid rows for a stray quote.

Each delivery is written by hand, a few lines long, so every asserted count can be checked
by eye.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from helpers import q

import schemas
from schemas.codes import EXTRACTS
from socle.cli import main
from socle.ingest import accounting_errors, ingest_landing, validate_file
from socle.ingest.audit import REJECTED_RETRY
from socle.ingest.columns import is_direct_identifier
from socle.ingest.discover import misnamed_files
from socle.ingest.read import _read_failure
from socle.pipeline import RunSummary

A = hashlib.sha256(b"a").hexdigest()
B = hashlib.sha256(b"b").hexdigest()
APRIL = date(2024, 4, 1)
MARCH = date(2024, 3, 1)
HIRES = "hire_id;person_id;hire_date;contract_type;contract_months\n"
REGISTRATIONS = "registration_id;person_id;registration_date;commune_code;sex;birth_year"
KEY = b"test-key"
NIR = "185057505612388"  # control key 88 = 97 - 1850575056123 % 97


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ingest(con, root: Path, **kw) -> list:
    return ingest_landing(con, root, progress=lambda _: None, **kw)


# --- 1. nothing loads: rejected, the published slice stays --------------------------------


def test_delivery_where_no_row_loads_is_rejected_and_keeps_the_published_slice(
    warehouse, tmp_path: Path
) -> None:
    root = tmp_path / "landing"
    path = write(root, "FT/2024-04/hires.csv",
                 HIRES + f"H10;{A};2024-04-05;CDI;\nH11;{B};2024-04-06;CDI;\n")
    [first] = ingest(warehouse, root)
    assert (first.status, first.rows_loaded) == ("accepted", 2)
    # March hires dropped into the April folder, the second one twice
    path.write_text(HIRES + f"H1;{A};2024-03-05;CDI;\nH2;{B};2024-03-06;CDI;\n"
                    f"H2;{B};2024-03-06;CDI;\n")
    [r] = ingest(warehouse, root)
    assert (r.status, r.rule) == ("rejected", "nothing_loaded")
    # a rejected delivery counts its rows read only (CONTRACT §5); the reasons are in
    # the message
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_duplicate) == (3, 0, 0, 0)
    assert r.reason_counts == {"hire_date:in_month": 2}
    assert "none of the 3 rows read would load" in r.message
    assert "hire_date:in_month ×2" in r.message
    assert not RunSummary(tmp_path, tmp_path, [r]).ok  # `socle run` exits 1
    # the April slice published by the first delivery is untouched
    assert q(warehouse, "SELECT hire_id FROM staging.hires ORDER BY 1") == [("H10",), ("H11",)]
    assert q(warehouse, "SELECT count(*) FROM quarantine.hires") == [(0,)]
    assert q(warehouse, "SELECT status, rows_read, rows_loaded, rows_quarantined, "
                        "rows_duplicate FROM audit.deliveries ORDER BY loaded_at") == [
        ("accepted", 2, 2, 0, 0), ("rejected", 3, 0, 0, 0)]
    assert accounting_errors(warehouse) == []
    # a rejection for the files' own content is remembered: not re-read, not re-audited
    [again] = ingest(warehouse, root)
    assert (again.status, again.repeated) == ("rejected", True)
    assert q(warehouse, "SELECT count(*) FROM audit.deliveries") == [(2,)]


def test_validate_says_rejected_when_no_row_would_load(tmp_path: Path) -> None:
    path = write(tmp_path, "FT/2024-04/hires.csv",
                 HIRES + f"H1;{A};2024-03-05;CDI;\nH2;{B};2024-03-06;CDI;\n")
    report = validate_file(path, "hires")
    assert (report.status, report.rule, report.exit_code) == ("rejected", "nothing_loaded", 1)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 0, 2)
    assert report.failing_lines == [(1, "H1", "hire_date:in_month"),
                                    (2, "H2", "hire_date:in_month")]
    assert "NOT OK, the file would be rejected" in report.render()


def test_ft_registrations_without_category_column_are_rejected_as_missing_column(
    warehouse, tmp_path: Path
) -> None:
    rows = "".join(f"\nR{i};{A};2024-01-10;75056;F;1990" for i in range(3)) + "\n"
    root = tmp_path / "landing"
    write(root, "FT/2024-03/registrations.csv", REGISTRATIONS + rows)
    write(root, "ML/2024-03/registrations.csv", REGISTRATIONS + rows)  # optional for ML
    ft, ml = sorted(ingest(warehouse, root), key=lambda r: r.operator)
    assert (ft.status, ft.rule) == ("rejected", "missing_column")
    assert ft.message == "registrations.csv: missing required column(s) category"
    assert (ml.status, ml.rows_loaded) == ("accepted", 3)
    assert q(warehouse, "SELECT operator, count(*) FROM staging.registrations GROUP BY 1") == [
        ("ML", 3)]


# --- 2. a rejection caused by the environment is not remembered ---------------------------


def test_nir_delivery_rejected_for_want_of_key_loads_once_the_key_is_set(
    warehouse, tmp_path: Path
) -> None:
    root = tmp_path / "landing"
    write(root, "FT/2024-03/diagnostics.csv",
          f"diagnostic_id;nir;diagnostic_date;orientation\nD1;{NIR};2024-03-05;PRO\n")
    for _ in range(2):  # re-read each time, not reported as "same files"
        [r] = ingest(warehouse, root, key=None)
        assert (r.status, r.rule, r.repeated) == ("rejected", "nir_without_key", False)
    assert warehouse.execute("SELECT status, starts_with(message, ?) FROM audit.deliveries",
                             [REJECTED_RETRY]).fetchall() == [("rejected", True)] * 2
    [r] = ingest(warehouse, root, key=KEY)
    assert (r.status, r.rows_loaded) == ("accepted", 1)
    assert q(warehouse, "SELECT diagnostic_id FROM staging.diagnostics") == [("D1",)]


def test_file_system_refusals_are_environmental_corrupt_files_are_not() -> None:
    import gzip

    assert _read_failure("x.csv", PermissionError("denied")).environment
    assert _read_failure("x.csv", FileNotFoundError("gone")).environment
    assert not _read_failure("x.csv.gz", gzip.BadGzipFile("not gz")).environment
    assert not _read_failure("x.csv.gz", EOFError()).environment


def test_a_file_gone_before_it_is_read_rejects_its_delivery_not_the_run(warehouse, tmp_path):
    """The hires file is removed between discovery and reading: its delivery is rejected
    (tried again next run), the run goes on."""
    from socle.ingest import discover_deliveries, ingest_delivery

    root = tmp_path / "landing"
    path = write(root, "FT/2024-03/hires.csv", HIRES + f"H1;{A};2024-03-05;CDI;\n")
    [delivery] = discover_deliveries(root)
    path.unlink()
    result = ingest_delivery(warehouse, delivery, key=None)
    assert (result.status, result.rule) == ("rejected", "unreadable")
    [(message,)] = q(warehouse, "SELECT message FROM audit.deliveries")
    assert message.startswith(REJECTED_RETRY) and "hires.csv" in message


# --- 3. close variants of direct identifiers ----------------------------------------------


@pytest.mark.parametrize("name", [
    "num_telephone", "portable_perso", "mail_pro", "date_naiss", "Téléphone 2", "email2",
    "adresse_mail", "courriel_pro", "nom_prenom", "ville_naissance", "ddn", "nomusage",
    "NOM DE FAMILLE", "nom_beneficiaire", "E-Mail", "Date de naissance", "tel_fixe",
    "numtelephone", "datenaissance", "date_of_birth", "birth_date", "nir_conjoint",
    "Adresse électronique", "mobile", "first_name",
])
def test_close_variants_of_direct_identifiers_are_caught(name: str) -> None:
    assert is_direct_identifier(name)


def test_no_contract_column_looks_like_a_direct_identifier() -> None:
    columns = {c for e in EXTRACTS for c in schemas.column_types(e)}
    assert len(columns) > 40
    assert [c for c in sorted(columns) if is_direct_identifier(c)] == []
    for extra in ("nombre_entretiens", "agence", "commentaire", "connaissance_metier",
                  "denomination", "telework", "motel_code"):
        assert not is_direct_identifier(extra), extra


def test_delivery_with_a_variant_identifier_column_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "FT/2024-03/diagnostics.csv",
                 "diagnostic_id;person_id;diagnostic_date;orientation;portable_perso\n"
                 f"D1;{A};2024-03-05;PRO;0600000000\n")
    report = validate_file(path, "diagnostics")
    assert (report.status, report.rule) == ("rejected", "direct_identifier")
    assert "portable_perso" in report.message


# --- 4. misnamed files are reported, and fail the run -------------------------------------


def _misnamed_landing(root: Path) -> None:
    row = HIRES + f"H1;{A};2024-03-05;CDI;\n"
    for rel in ("FT/2024-03/hires.csv", "FT/2024-03/hires-75.csv", "FT/2024-03/hire.csv",
                "FT/2024-03/hires.txt", "FT/2024-3/hires.csv", "FT/hires.csv",
                "FT/2024-03/old/hires.csv", "FT/2024-03/.DS_Store", "archive/hires.txt"):
        write(root, rel, row)


def test_misnamed_files_are_reported_with_the_rule_they_break(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    _misnamed_landing(root)
    found = {m.source_file: m for m in misnamed_files(root)}
    assert sorted(found) == ["FT/2024-03/hire.csv", "FT/2024-03/hires-75.csv",
                             "FT/2024-03/hires.txt", "FT/2024-03/old/hires.csv",
                             "FT/2024-3/hires.csv", "FT/hires.csv"]
    assert "two underscores, e.g. hires__75.csv" in found["FT/2024-03/hires-75.csv"].problem
    assert "did you mean hires?" in found["FT/2024-03/hire.csv"].problem
    assert "extension must be .csv, .csv.gz or .parquet" in found["FT/2024-03/hires.txt"].problem
    assert "month folder must be named YYYY-MM (2024-03)" in found["FT/2024-3/hires.csv"].problem
    assert "sub-folder" in found["FT/2024-03/old/hires.csv"].problem
    assert "month folder" in found["FT/hires.csv"].problem
    assert found["FT/2024-3/hires.csv"].month == MARCH
    assert [m.source_file for m in misnamed_files(root, months={APRIL})] == []
    assert misnamed_files(root, operators={"ML"}) == []


def test_misnamed_files_make_the_run_fail_without_touching_the_audit(
    warehouse, tmp_path: Path
) -> None:
    root = tmp_path / "landing"
    _misnamed_landing(root)
    results = ingest(warehouse, root)
    assert [(r.status, r.rule, r.source) for r in results] == [
        ("accepted", None, ""),
        ("rejected", "misnamed_file", "FT/2024-03/hire.csv"),
        ("rejected", "misnamed_file", "FT/2024-03/hires-75.csv"),
        ("rejected", "misnamed_file", "FT/2024-03/hires.txt"),
        ("rejected", "misnamed_file", "FT/2024-03/old/hires.csv"),
        ("rejected", "misnamed_file", "FT/2024-3/hires.csv"),
        ("rejected", "misnamed_file", "FT/hires.csv"),
    ]
    assert results[2].describe().startswith("FT/2024-03/hires-75.csv: rejected: not read: ")
    assert q(warehouse, "SELECT source_file, status FROM audit.deliveries") == [
        ("FT/2024-03/hires.csv", "accepted")]
    summary = RunSummary(tmp_path, tmp_path, results)
    assert not summary.ok
    assert summary.render().splitlines()[0] == "deliveries: 1 1 accepted; misnamed files: 6"


def test_socle_run_exits_1_and_names_misnamed_files(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path / "landing", "FT/2024-03/hires-75.csv", HIRES + f"H1;{A};2024-03-05;CDI;\n")
    monkeypatch.setenv("SOCLE_DATA_DIR", str(tmp_path))
    assert main(["run"]) == 1
    out = capsys.readouterr().out
    assert "REJECTED FT/2024-03/hires-75.csv: rejected: not read: a part follows the extract " \
           "after two underscores, e.g. hires__75.csv" in out


def test_validate_checks_the_file_name(tmp_path: Path, capsys) -> None:
    body = HIRES + f"H1;{A};2024-03-05;CDI;\n"
    misnamed = write(tmp_path, "landing/FT/2024-03/hires-75.csv", body)
    report = validate_file(misnamed, "hires")
    assert (report.status, report.exit_code) == ("accepted", 1)
    assert "two underscores" in (report.path_problem or "")
    assert main(["validate", str(misnamed), "--extract", "hires"]) == 1
    assert "NOT OK, the rows are fine but the file is misnamed" in capsys.readouterr().out
    wrong_extract = write(tmp_path, "landing/FT/2024-03/actions.csv", body)
    assert "the name says actions, not hires" in validate_file(wrong_extract, "hires").path_problem
    # outside a landing folder the name is only noted: the file may be renamed when sent
    draft = write(tmp_path, "drafts/export_mars.csv", body)
    report = validate_file(draft, "hires", operator="FT", month=MARCH)
    assert (report.status, report.exit_code, report.path_problem) == ("accepted", 0, None)
    assert any("not an extract name" in n for n in report.notes)
    good = write(tmp_path, "landing/FT/2024-03/hires__75.csv", body)
    assert validate_file(good, "hires").exit_code == 0


# --- 5. unknown-commune share over loaded rows --------------------------------------------


def test_unknown_commune_share_counts_loaded_rows_only(warehouse, tmp_path: Path) -> None:
    r1 = f"R1;{A};2024-01-10;99999;F;1990;A"
    text = (f"{REGISTRATIONS};category\n{r1}\n{r1}\n{r1}\n"  # exact duplicates
            f"R2;{A};2024-01-10;99998;F;1990;A\nR2;{B};2024-01-10;99998;F;1990;A\n"  # conflict
            f"R3;{A};2024-01-10;75056;F;1990;A\n")
    write(tmp_path / "l", "FT/2024-03/registrations.csv", text)
    [r] = ingest(warehouse, tmp_path / "l")
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined, r.rows_duplicate) == (6, 2, 2, 2)
    assert r.notes["communes_unknown"] == 1
    assert r.notes["communes_unknown_share"] == 0.5
    assert ("1 rows with a commune code unknown to the reference (50.00% of the rows loaded"
            in r.message)


# --- 6. a stray quote, a surplus field -----------------------------------------------------


def test_stray_quote_leaves_the_other_rows_alone_and_names_its_line(
    warehouse, tmp_path: Path
) -> None:
    text = ('"diagnostic_id";"person_id";"diagnostic_date";"orientation";"commentaire"\r\n'
            f'"D1";"{A}";"2024-03-05";"PRO";"RAS"\r\n'
            f'"D2";"{B}";"2024-03-06";"SOCIAL";"RAS"\r\n'
            f'D3;{A};2024-03-07;PRO;ecran 24" fourni\r\n'
            f'"D4";"{B}";"2024-02-07";"PRO";"RAS"\r\n')
    path = write(tmp_path / "l", "FT/2024-03/diagnostics.csv", text)
    [r] = ingest(warehouse, tmp_path / "l")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("partial", 4, 3, 1)
    assert r.reason_counts == {"diagnostic_date:in_month": 1}  # D4's real fault, nothing else
    assert q(warehouse, "SELECT diagnostic_id, orientation FROM staging.diagnostics "
                        "ORDER BY 1") == [("D1", "PRO"), ("D2", "SOCIAL"), ("D3", "PRO")]
    assert q(warehouse, "SELECT diagnostic_id, reasons, line_number "
                        "FROM quarantine.diagnostics") == [("D4", "diagnostic_date:in_month", 4)]
    assert r.notes["quote_lines"] == {"FT/2024-03/diagnostics.csv": [3]}
    report = validate_file(path, "diagnostics")
    assert report.failing_lines == [(4, "D4", "diagnostic_date:in_month")]
    assert ('diagnostics.csv: a stray " kept as a character in line(s) 3 (check the values)'
            in report.notes)


def test_a_surplus_field_rejects_the_file_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "FT/2024-03/diagnostics.csv",
                 "diagnostic_id;person_id;diagnostic_date;orientation\n"
                 f"D1;{A};2024-03-05;PRO\nD2;{B};2024-03-05;PRO;x\n")
    report = validate_file(path, "diagnostics")
    assert (report.status, report.rule) == ("rejected", "unreadable")
    assert report.message == ("diagnostics.csv: unreadable CSV: line 2 (1 = first data row) "
                              "has 5 fields, the header 4")


# --- 7. empty lines are no rows ------------------------------------------------------------


def test_empty_lines_are_skipped_and_reported_not_quarantined(warehouse, tmp_path: Path):
    """A blank line (line 2) and a line of separators only (line 4, as spreadsheets write
    for a formatted empty row) between three hires, and a trailing blank CRLF line: three
    rows read, three loaded, nothing quarantined; line 5's bad date keeps its number."""
    root = tmp_path / "landing"
    path = write(root, "FT/2024-03/hires.csv",
                 HIRES + f"H1;{A};2024-03-05;CDI;\r\n\r\nH2;{B};2024-03-06;CDI;\r\n;;;;\r\n"
                 f"H3;{A};2024-02-30;CDI;\r\n\r\n")
    [r] = ingest(warehouse, root)
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("partial", 3, 2, 1)
    assert q(warehouse, "SELECT line_number, reasons FROM quarantine.hires") == [
        (5, "hire_date:type")]
    assert "3 empty line(s) skipped: 2, 4, 6" in r.message
    assert accounting_errors(warehouse) == []
    assert "hires.csv: 3 empty line(s) skipped: 2, 4, 6" in validate_file(path, "hires").notes


def test_a_row_is_empty_only_when_every_value_is(warehouse, tmp_path: Path):
    """Line 2 has no id but a person and a date: a row (quarantined for its id). Line 3 is
    blanks and separators: empty. Only rows starting blank are checked whole; the others
    are rows whatever they hold."""
    root = tmp_path / "landing"
    write(root, "FT/2024-03/hires.csv",
          HIRES + f"H1;{A};2024-03-05;CDI;\n ;{B};2024-03-06;CDI;\n  ; ;\t; ;\nH3;{A};;;\n")
    [r] = ingest(warehouse, root)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (3, 1, 2)
    assert "1 empty line(s) skipped: 3" in r.message
    assert q(warehouse, "SELECT line_number FROM quarantine.hires ORDER BY 1") == [(2,), (4,)]


def test_an_unclosed_quote_takes_no_other_line_with_it(tmp_path: Path) -> None:
    """Line 3 opens a quote it never closes; line 2 holds a value spanning two physical
    lines in proper quotes. Four rows, each with its own outcome: D3's orientation is
    `"SOCIAL` (not a code: quarantined), D4 loads; the multi-line comment stays one value."""
    path = write(tmp_path, "FT/2024-03/diagnostics.csv",
                 "diagnostic_id;person_id;diagnostic_date;orientation;commentaire\n"
                 f"D1;{A};2024-03-05;PRO;ok\n"
                 f'D2;{B};2024-03-06;PRO;"deux\nlignes"\n'
                 f'D3;{A};2024-03-07;"SOCIAL;x\n'
                 f"D4;{B};2024-03-08;PRO;ok\n")
    report = validate_file(path, "diagnostics")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 3, 1)
    assert report.failing_lines == [(3, "D3", "orientation:code")]
    assert ('diagnostics.csv: a stray " kept as a character in line(s) 3 (check the values)'
            in report.notes)


def test_a_parquet_record_with_every_value_null_is_a_row(tmp_path: Path) -> None:
    """Empty lines are a CSV matter: an all-null Parquet record is read and quarantined."""
    import polars as pl

    path = tmp_path / "FT" / "2024-03" / "diagnostics.parquet"
    path.parent.mkdir(parents=True)
    pl.DataFrame({"diagnostic_id": ["D1", None], "person_id": [A, None],
                  "diagnostic_date": [date(2024, 3, 5), None],
                  "orientation": ["PRO", None]}).write_parquet(path)
    report = validate_file(path, "diagnostics")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 1, 1)
