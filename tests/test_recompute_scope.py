"""Recompute what actually changed: the earliest date each delivery changes
(`audit.deliveries.changes_from`), the months and indicators it makes recompute
(`affected_work`), and the decisive property: an incremental run gives the values and the
export files of a full recomputation from an empty warehouse on the same landing folder."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import helpers
import polars as pl
import pytest
from helpers import d, pid

import socle.export.files
import socle.indicators
from socle.config import Paths
from socle.generate import generate_landing
from socle.indicators import affected_work, compute_batches, compute_indicators
from socle.indicators.affected import batches
from socle.ingest import ingest_landing
from socle.ingest.samples import write_csv
from socle.pipeline import compute, prepare, run_pipeline
from socle.staging import ensure_staging
from socle.warehouse import connect

REG_HEADER = ("registration_id,person_id,registration_date,exit_date,exit_reason,commune_code,"
              "sex,birth_year")
HIRE_HEADER = "hire_id,person_id,hire_date,contract_type,contract_months"
ACCESS = "PERF_ACCESS_6M"
BASE_MONTHS = [f"2024-{m:02d}" for m in range(1, 9)]  # January to August


def months(first: str, last: str) -> list[date]:
    """First days of the months from `first` to `last` ('YYYY-MM'), both included."""
    out, m = [], d(first + "-01")
    while m <= d(last + "-01"):
        out.append(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def reg(rid: str, person: int, start: str, exit: str = "", reason: str = "",
        commune: str = "75056") -> str:
    return f"{rid},{pid(person)},{start},{exit},{reason},{commune},F,1990"


def hire(hid: str, person: int, day: str) -> str:
    return f"{hid},{pid(person)},{day},CDI,"


def deliver(landing: Path, month: str, extract: str, rows: list[str]) -> None:
    """Mission locale's delivery of `extract` for `month` (UTF-8 CSV, ISO dates)."""
    header = REG_HEADER if extract == "registrations" else HIRE_HEADER
    path = landing / "ML" / month / f"{extract}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def base_registrations(month: str) -> list[str]:
    """A person registered since 2023 throughout; one registered in March who finds a job in
    June; one registered in July; one registered in February, not hired (yet). Each
    snapshot shows every spell open during its month."""
    rows = [reg("R1", 1, "2023-05-10")]
    if "2024-03" <= month <= "2024-05":
        rows.append(reg("R2", 2, "2024-03-04"))
    if month == "2024-06":
        rows.append(reg("R2", 2, "2024-03-04", "2024-06-20", "EMPLOI"))
    if month >= "2024-07":
        rows.append(reg("R3", 3, "2024-07-08"))
    if month >= "2024-02":
        rows.append(reg("R6", 6, "2024-02-12", commune="69123"))
    return rows


def changes(con: duckdb.DuckDBPyConnection, month: str, extract: str) -> date | None:
    """`changes_from` of the latest delivery of a Mission locale slice."""
    return con.execute(
        "SELECT changes_from FROM audit.deliveries WHERE operator = 'ML' AND extract = ? "
        "AND delivery_month = ? ORDER BY loaded_at DESC LIMIT 1",
        [extract, d(month + "-01")]).fetchone()[0]


def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> list:
    """The deliveries read (files changed since the last ingestion)."""
    return [r for r in ingest_landing(con, landing, progress=lambda _: None)
            if r.status != "unchanged"]


def values(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("FROM indicators.indicator_values ORDER BY ALL").fetchall()


# The scenarios on `world` ingest and compute eight months, then recompute everything to
# compare (2-6 s each): the slow tier's.
SCENARIO = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """January to August delivered and computed; the folder holds `landing/`, `socle.duckdb`."""
    root = tmp_path_factory.mktemp("base")
    for month in BASE_MONTHS:
        deliver(root / "landing", month, "registrations", base_registrations(month))
    deliver(root / "landing", "2024-06", "hires", [hire("H1", 2, "2024-06-18")])
    deliver(root / "landing", "2024-08", "hires", [hire("H2", 3, "2024-08-02")])
    con = connect(root / "socle.duckdb")
    try:
        prepare(con, Paths(root))
        ingest(con, root / "landing")
        assert compute(con, progress=lambda _: None) == months("2024-01", "2024-08")
    finally:
        con.close()
    return root


def _record_computations(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[list[date], list[str] | None]]:
    """From now on, each batch (periods, codes) given to `compute_batches` is listed."""
    calls: list[tuple[list[date], list[str] | None]] = []

    def recording(con, work, progress=print):
        calls.extend((list(periods), codes) for periods, codes in work)
        return compute_batches(con, work, progress=progress)

    monkeypatch.setattr(socle.indicators, "compute_batches", recording)
    return calls


@pytest.fixture
def world(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the base: (connection, landing folder, the batches computed)."""
    shutil.copytree(base, tmp_path / "w")
    calls = _record_computations(monkeypatch)
    con = connect(tmp_path / "w" / "socle.duckdb")
    yield con, tmp_path / "w" / "landing", calls
    con.close()


def recompute(con: duckdb.DuckDBPyConnection) -> list[date]:
    return compute(con, progress=lambda _: None)


def assert_same_as_full_recomputation(con: duckdb.DuckDBPyConnection) -> None:
    incremental = values(con)
    compute_indicators(con, progress=None)
    assert incremental == values(con)


@SCENARIO
def test_a_new_month_recomputes_itself_and_the_months_looking_back_to_it(world):
    con, landing, calls = world
    deliver(landing, "2024-09", "registrations",
            base_registrations("2024-09") + [reg("R4", 4, "2024-09-10")])
    deliver(landing, "2024-09", "hires", [hire("H3", 4, "2024-09-25")])
    ingest(con, landing)
    # R1 and R3 as in August: only the new spell changes something.
    assert changes(con, "2024-09", "registrations") == d("2024-09-10")
    assert changes(con, "2024-09", "hires") == d("2024-09-01")
    assert recompute(con) == months("2024-03", "2024-09")
    # September whole; March to August only for 6-month access (September's hires complete
    # their cohorts); January and February untouched.
    assert calls == [(months("2024-03", "2024-08"), [ACCESS]), ([d("2024-09-01")], None)]
    assert_same_as_full_recomputation(con)
    # Nothing delivered since: nothing to do.
    calls.clear()
    assert recompute(con) == [] and calls == []


@SCENARIO
def test_a_corrected_old_start_recomputes_from_the_first_loaded_month(world):
    con, landing, calls = world
    rows = base_registrations("2024-08")
    rows[0] = reg("R1", 1, "2019-03-01")  # R1 began in 2019, not 2023
    deliver(landing, "2024-08", "registrations", rows)
    ingest(con, landing)
    assert changes(con, "2024-08", "registrations") == d("2019-03-01")
    assert calls == [] and recompute(con) == months("2024-01", "2024-08")
    assert calls == [(months("2024-01", "2024-08"), None)]
    assert_same_as_full_recomputation(con)
    # The seniority of January's stock moved: R1 counts as 24 months or more.
    [(band,)] = con.execute(
        "SELECT breakdown_value FROM indicators.indicator_values WHERE period = '2024-01-01' "
        "AND indicator_code = 'CAP_REGISTERED' AND level = 'NAT' AND breakdown = 'seniority'"
    ).fetchall()
    assert band == "24m+"


@SCENARIO
def test_a_correction_in_a_month_a_later_one_restates_changes_nothing(world):
    """The engine reads each spell's latest delivered version: correcting R1 in March's
    slice, which April to August restate, moves no number."""
    con, landing, calls = world
    rows = base_registrations("2024-03")
    rows[0] = reg("R1", 1, "2019-03-01")
    deliver(landing, "2024-03", "registrations", rows)
    [result] = ingest(con, landing)
    assert result.status == "accepted"
    assert changes(con, "2024-03", "registrations") is None
    assert recompute(con) == [] and calls == []
    assert_same_as_full_recomputation(con)


@SCENARIO
def test_a_spell_removed_recomputes_from_its_old_start(world):
    con, landing, calls = world
    # A spell begun in June, delivered late in August's snapshot...
    deliver(landing, "2024-08", "registrations",
            base_registrations("2024-08") + [reg("R5", 5, "2024-06-12")])
    ingest(con, landing)
    assert changes(con, "2024-08", "registrations") == d("2024-06-12")
    recompute(con)
    calls.clear()
    # ... then withdrawn by a corrected August: no other slice has it.
    deliver(landing, "2024-08", "registrations", base_registrations("2024-08"))
    ingest(con, landing)
    assert changes(con, "2024-08", "registrations") == d("2024-06-12")
    assert recompute(con) == months("2024-01", "2024-08")
    assert calls == [(months("2024-01", "2024-05"), [ACCESS]), (months("2024-06", "2024-08"), None)]
    assert_same_as_full_recomputation(con)


@SCENARIO
def test_a_spell_left_out_of_its_latest_slice_falls_back_to_the_one_before(world):
    """June's snapshot ended R2; a corrected June without R2 leaves May's open R2 as its
    latest version: only the end moved, from June 20 (the earlier end: open is none)."""
    con, landing, calls = world
    deliver(landing, "2024-06", "registrations", [reg("R1", 1, "2023-05-10")])
    ingest(con, landing)
    assert changes(con, "2024-06", "registrations") == d("2024-06-20")
    assert recompute(con) == months("2024-01", "2024-08")
    assert calls == [(months("2024-01", "2024-05"), [ACCESS]), (months("2024-06", "2024-08"), None)]
    assert_same_as_full_recomputation(con)


@SCENARIO
def test_a_changed_end_recomputes_from_the_earlier_end(world):
    con, landing, calls = world
    rows = base_registrations("2024-06")
    rows[1] = reg("R2", 2, "2024-03-04", "2024-06-27", "FORMATION")  # not the 20th, EMPLOI
    deliver(landing, "2024-06", "registrations", rows)
    ingest(con, landing)
    assert changes(con, "2024-06", "registrations") == d("2024-06-20")
    recompute(con)
    assert calls == [(months("2024-01", "2024-05"), [ACCESS]), (months("2024-06", "2024-08"), None)]
    assert_same_as_full_recomputation(con)


@SCENARIO
def test_a_late_event_recomputes_from_its_month(world):
    con, landing, calls = world
    deliver(landing, "2024-04", "hires", [hire("H9", 6, "2024-04-11")])
    ingest(con, landing)
    assert changes(con, "2024-04", "hires") == d("2024-04-01")
    assert recompute(con) == months("2024-01", "2024-08")
    # April on whole; its hires complete the 6-month access cohorts of the months before.
    assert calls == [(months("2024-01", "2024-03"), [ACCESS]), (months("2024-04", "2024-08"), None)]
    assert_same_as_full_recomputation(con)
    # February's cohort (R6) now has its hire.
    assert con.execute(
        "SELECT numerator, denominator FROM indicators.indicator_values "
        "WHERE period = '2024-02-01' AND indicator_code = ? AND level = 'NAT' "
        "AND breakdown = 'total'", [ACCESS]).fetchall() == [(1, 1)]


def test_changes_of_pathways_and_offers(warehouse, tmp_path: Path):
    """The other snapshots: a pathway's end, an offer's closing (with its reason) and any
    other column of either."""
    landing = tmp_path / "landing"

    def put(month: str, extract: str, text: str) -> None:
        (landing / "FT" / month).mkdir(parents=True, exist_ok=True)
        (landing / "FT" / month / f"{extract}.csv").write_text(text, encoding="utf-8")

    path_head = "pathway_id,person_id,pathway_type,start_date,end_date\n"
    offer_head = ("offer_id,employer_siret,commune_code,rome_code,posted_date,closed_date,"
                  "closing_reason,positions\n")
    # Values of January exist (another operator's): FT's first slices are then dated by
    # their earliest start, the next ones compared.
    helpers.insert(warehouse, "registrations", "ML", "2024-01",
                   [helpers.reg("R1", 1, "2023-05-10", "75056")])
    compute_indicators(warehouse, progress=None)
    put("2024-02", "pathways", path_head + f"P1,{pid(1)},SUIVI,2023-11-06,\n"
                                          f"P2,{pid(2)},GUIDE,2024-01-15,\n")
    put("2024-02", "job_offers", offer_head + "O1,12345678901234,75056,A1101,2024-01-03,,,1\n")
    ingest(warehouse, landing)
    got = dict(warehouse.execute(
        "SELECT extract, changes_from FROM audit.deliveries WHERE delivery_month = '2024-02-01'"
    ).fetchall())
    assert got == {"pathways": d("2023-11-06"), "job_offers": d("2024-01-03")}
    compute_indicators(warehouse, progress=None)  # with values, the next slice is compared
    put("2024-03", "pathways", path_head + f"P1,{pid(1)},SUIVI,2023-11-06,2024-03-08\n"
                                          f"P2,{pid(2)},RENFORCE,2024-01-15,\n")
    put("2024-03", "job_offers",
        offer_head + "O1,12345678901234,75056,A1101,2024-01-03,2024-03-21,POURVUE,1\n")
    ingest(warehouse, landing)
    got = dict(warehouse.execute(
        "SELECT extract, changes_from FROM audit.deliveries WHERE delivery_month = '2024-03-01'"
    ).fetchall())
    # P1 ended (March 8), P2 changed type (from its start); O1 closed as filled (March 21).
    assert got == {"pathways": d("2024-01-15"), "job_offers": d("2024-03-21")}


def test_nothing_is_compared_before_any_month_has_values(base: Path):
    """The base loaded January to August, then computed them: its snapshots were not
    compared (every month was to be computed whole), so unknown; events from their month.
    Scenarios on the base show the comparison once values exist."""
    con = duckdb.connect(str(base / "socle.duckdb"), read_only=True)
    try:
        assert {changes(con, m, "registrations") for m in BASE_MONTHS} == {date(1, 1, 1)}
        assert changes(con, "2024-06", "hires") == d("2024-06-01")
    finally:
        con.close()


def test_an_audit_from_before_the_column_gains_it(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE SCHEMA audit")
    con.execute("""CREATE TABLE audit.deliveries (
        operator VARCHAR NOT NULL, delivery_month DATE NOT NULL, extract VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, rows_read BIGINT NOT NULL,
        rows_loaded BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL,
        rows_duplicate BIGINT NOT NULL, status VARCHAR NOT NULL, message VARCHAR,
        loaded_at TIMESTAMP NOT NULL, retry BOOLEAN DEFAULT false)""")
    for extract, status in (("registrations", "accepted"), ("hires", "partial"),
                            ("pathways", "rejected")):
        con.execute("INSERT INTO audit.deliveries VALUES ('FT', DATE '2024-03-01', ?, 'f', "
                    "'x', 1, 1, 0, 0, ?, NULL, TIMESTAMP '2024-04-02 10:00', false)",
                    [extract, status])
    ensure_staging(con)
    got = dict(con.execute("SELECT extract, changes_from FROM audit.deliveries").fetchall())
    # What an old snapshot delivery changed is unknown: everything; an event, its month.
    assert got == {"registrations": date(1, 1, 1), "hires": d("2024-03-01"), "pathways": None}
    con.close()


def test_months_after_become_computable_when_their_last_month_loads(warehouse):
    """A delivery of September that changes nothing (months computed through August):
    March's 6-month access becomes publishable, and only that is owed."""
    for month in [*BASE_MONTHS, "2024-09"]:
        if month == "2024-09":  # computed through August
            compute_indicators(warehouse, progress=None)
            assert affected_work(warehouse, [None]) == {}
        helpers.insert(warehouse, "registrations", "ML", month,
                       [helpers.reg("R1", 1, "2023-05-10", "75056")])
        helpers.insert(warehouse, "hires", "ML", month, [
            {"hire_id": "H", "person_id": 1, "hire_date": f"{month}-05", "contract_type": "CDI"}])
    assert affected_work(warehouse, [None]) == {d("2024-03-01"): {ACCESS},
                                                d("2024-09-01"): None}
    assert affected_work(warehouse, [d("2024-08-14")]) == {
        **dict.fromkeys(months("2024-02", "2024-07"), {ACCESS}),
        **dict.fromkeys(months("2024-08", "2024-09"), None)}


def test_batches_group_months_with_the_same_indicators():
    work = {d("2024-01-01"): {ACCESS}, d("2024-02-01"): None, d("2024-03-01"): {ACCESS},
            d("2024-04-01"): {ACCESS, "CAP_INFLOW"}, d("2024-05-01"): None}
    assert batches(work) == [
        ([d("2024-01-01"), d("2024-03-01")], [ACCESS]),
        ([d("2024-02-01"), d("2024-05-01")], None),
        ([d("2024-04-01")], ["CAP_INFLOW", ACCESS]),
    ]


# --- The decisive property, on a generated network through the whole pipeline ----------

GENERATED = ("2024-01", "2024-03")


def _move_month(source: Path, landing: Path, month: str) -> None:
    for op in sorted(p for p in source.iterdir() if p.is_dir()):
        if (op / month).is_dir():
            (landing / op.name).mkdir(parents=True, exist_ok=True)
            shutil.move(op / month, landing / op.name / month)


def _published(paths: Paths) -> tuple[list[tuple], dict[str, object]]:
    """The published values, and every export file of every month: other files as bytes,
    a manifest as parsed JSON without `generated_at` and `source_deliveries` (a month whose
    files would not change is not rewritten, so its manifest lists the deliveries loaded
    when it was, not those loaded since that changed none of its figures)."""
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rows = values(con)
    finally:
        con.close()
    files: dict[str, object] = {}
    for month in sorted(p for p in paths.exports.iterdir() if p.name[:4].isdigit()):
        for f in sorted(p for p in month.rglob("*") if p.is_file()):
            key = str(f.relative_to(paths.exports))
            if f.name == "manifest.json":
                manifest = json.loads(f.read_text(encoding="utf-8"))
                manifest.pop("generated_at")
                manifest.pop("source_deliveries")
                files[key] = manifest
            else:
                files[key] = f.read_bytes()
    return rows, files


def assert_same_publication(one: Paths, other: Paths) -> None:
    (values, files), (other_values, other_files) = _published(one), _published(other)
    assert values == other_values
    assert sorted(files) == sorted(other_files)
    differ = [(k, [f for f in files[k] if files[k][f] != other_files[k][f]]
               if isinstance(files[k], dict) else "bytes")
              for k in files if files[k] != other_files[k]]
    assert differ == []


def _correct_february(landing: Path) -> date:
    """Re-deliver Missions locales' February registrations with a spell that ended in
    February (February's version is its latest) moved to another commune; returns the
    spell's start, from which the correction counts."""
    path = landing / "ML" / "2024-02" / "registrations.csv"
    df = pl.read_csv(path, infer_schema=False)
    ended = df.filter(pl.col("exit_date").str.starts_with("2024-02")).row(0, named=True)
    moved = "13055" if ended["commune_code"] == "69123" else "69123"
    df = df.with_columns(
        commune_code=pl.when(pl.col("registration_id") == ended["registration_id"])
        .then(pl.lit(moved)).otherwise("commune_code"))
    write_csv(df, path, bom=True)
    return d(ended["registration_date"])


@pytest.mark.slow
def test_month_by_month_then_a_correction_publish_what_a_full_run_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The files state the code version, the git commit, which work beside the test may
    # move: one version for every run (exports then run in this process, to see it).
    monkeypatch.setenv("SOCLE_EXPORT_WORKERS", "1")
    monkeypatch.setattr(socle.export.files, "code_version", lambda: "0.0.0+test")
    source = tmp_path / "generated"
    generate_landing(source, 500, GENERATED, seed=11, progress=None)
    names = [f"{m:%Y-%m}" for m in months(*GENERATED)]
    quiet = {"progress": lambda _: None}

    step = Paths(tmp_path / "step")
    calls: list[tuple[list[date], list[str] | None]] = []
    for month in names:
        _move_month(source, step.landing, month)
        if month == names[-1]:
            calls = _record_computations(monkeypatch)
        assert run_pipeline(step, **quiet).publication.published
    # The last month whole; the months before it for 6-month access only.
    assert calls == [(months(*GENERATED)[:-1], [ACCESS]), (months(*GENERATED)[-1:], None)]
    monkeypatch.setattr(socle.indicators, "compute_batches", compute_batches)
    con = duckdb.connect(str(step.working), read_only=True)
    # A generated month restates nothing older: each changes from its own first day on.
    assert con.execute(
        "SELECT strftime(delivery_month, '%Y-%m'), min(changes_from) FROM audit.deliveries "
        "WHERE delivery_month > '2024-01-01' GROUP BY 1 ORDER BY 1").fetchall() == [
        (m, d(m + "-01")) for m in names[1:]]
    con.close()

    full = Paths(tmp_path / "full")
    shutil.copytree(step.landing, full.landing)
    assert run_pipeline(full, **quiet).publication.published
    assert_same_publication(step, full)

    # A re-delivery of February correcting the commune of a spell begun before January:
    # every month again.
    start = _correct_february(step.landing)
    assert start < d("2024-01-01")
    summary = run_pipeline(step, **quiet)
    assert summary.periods == months(*GENERATED)
    con = duckdb.connect(str(step.working), read_only=True)
    assert con.execute(
        "SELECT changes_from FROM audit.deliveries WHERE operator = 'ML' "
        "AND extract = 'registrations' ORDER BY loaded_at DESC LIMIT 1").fetchone()[0] == start
    con.close()
    fresh = Paths(tmp_path / "fresh")
    shutil.copytree(step.landing, fresh.landing)
    assert run_pipeline(fresh, **quiet).publication.published
    assert_same_publication(step, fresh)
    assert _published(step)[0] != _published(full)[0]  # the correction did move numbers
