"""The synthetic generator: determinism, formats, snapshot semantics, shape, faults."""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import schemas
from schemas.codes import INTENSIVE_PATHWAY_TYPES, OPERATORS
from socle.generate import DELIVERIES, generate_landing
from socle.generate.readback import read_extract, read_file
from socle.months import month_end, parse_month

# Slow tier: the module's fixtures generate synthetic networks (up to 20,000 persons).
pytestmark = pytest.mark.slow

SMALL = {"persons": 2_000, "months": ("2024-01", "2024-03")}


def _delivered(root: Path) -> list[Path]:
    """The delivery files under `root` (the generator's hidden list of them left out, as the
    pipeline leaves out hidden files)."""
    return [p for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in _delivered(root)}


def _month_end(label: str) -> date:
    return month_end(parse_month(label))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small")
    return out, generate_landing(out, seed=42, progress=None, **SMALL)


@pytest.fixture(scope="module")
def moderate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("moderate")
    return out, generate_landing(out, 20_000, ("2024-01", "2024-08"), seed=7, progress=None)


def test_same_seed_same_bytes_other_seed_other_bytes(small, tmp_path: Path) -> None:
    out, summary = small
    again = generate_landing(tmp_path / "again", seed=42, progress=None, **SMALL)
    other = generate_landing(tmp_path / "other", seed=43, progress=None, **SMALL)
    first = _hashes(out)
    assert len(first) == summary["files"] > 100
    assert _hashes(tmp_path / "again") == first
    assert again["active_persons_month_end"] == summary["active_persons_month_end"]
    different = _hashes(tmp_path / "other")
    common = set(first) & set(different)
    differ = [f for f in common if first[f] != different[f]]
    assert len(differ) > 0.9 * len(common)  # the rest: tiny files such as header-only ones
    assert all(f in differ for f in common if "registrations" in f and f.startswith("FT"))
    assert other["active_persons_month_end"] != summary["active_persons_month_end"]


def test_layout_follows_the_contract(small) -> None:
    out, summary = small
    pattern = re.compile(r"^(FT|ML|CE|APEC|CD)/2024-0[1-3]/([a-z_]+)(__[0-9AB]{2,3})?"
                         r"\.(csv|csv\.gz|parquet)$")
    files = [p.relative_to(out).as_posix() for p in _delivered(out)]
    assert all(pattern.match(f) for f in files), [f for f in files if not pattern.match(f)][:3]
    assert sorted({f.split("/")[0] for f in files}) == sorted(OPERATORS)
    for op, extracts in DELIVERIES.items():
        delivered = {pattern.match(f).group(2) for f in files if f.startswith(op + "/")}
        assert delivered == set(extracts)
    assert "job_offers" not in DELIVERIES["ML"] and "job_offers" in DELIVERIES["FT"]
    cd = [f for f in files if f.startswith("CD/2024-01/registrations__")]
    assert len(cd) > 20  # one file per département
    assert summary["persons"] == 2_000


def test_operator_file_habits(small) -> None:
    out, _ = small
    ft = (out / "FT/2024-02/registrations.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        ft.decode("utf-8")
    text = ft.decode("cp1252")
    assert b"\x80" in ft and b"\x9c" in ft and b"\x92" in ft and b"\x96" in ft  # € œ ’ –
    header = text.splitlines()[0].split(";")
    assert header[:3] == ["registration_id", "person_id", "registration_date"]
    assert "agence" in header and "category" in header and "\r\n" in text
    first = text.splitlines()[1].split(";")
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", first[2]) and first[-7] in ("O", "N")

    ml = (out / "ML/2024-02/registrations.csv").read_bytes()
    assert ml.startswith(b"\xef\xbb\xbf")
    assert re.search(rb"\n[^\n]*,\d{4}-\d{2}-\d{2},[^\n]*,(true|false),", ml)

    assert (out / "CE/2024-02/registrations.parquet").read_bytes()[:4] == b"PAR1"
    ce = pl.read_parquet(out / "CE/2024-02/registrations.parquet")
    assert ce.schema["registration_date"] == pl.Date and "zrr_resident" in ce.columns

    apec = gzip.decompress((out / "APEC/2024-02/registrations.csv.gz").read_bytes()).decode()
    assert apec.split("\n")[0].startswith("REGISTRATION_ID, PERSON_ID ,REGISTRATION_DATE")

    cd = sorted((out / "CD/2024-02").glob("registrations__*.csv"))
    deps = [p.stem.split("__")[1] for p in cd]
    regs = pl.concat([read_file(p, "registrations", "CD").with_columns(dep=pl.lit(d))
                      for p, d in zip(cd, deps, strict=True)])
    communes = pl.read_csv(schemas_ref() / "communes.csv", infer_schema=False)
    joined = regs.join(communes, on="commune_code")
    assert joined.height == regs.height
    assert (joined["dep"] == joined["departement_code"]).all()
    assert "oui" in cd[0].read_text() or "non" in cd[0].read_text()


def schemas_ref() -> Path:
    from socle.config import BUNDLED_REFERENCE_DIR
    return BUNDLED_REFERENCE_DIR


def test_clean_output_validates_against_the_schemas(small) -> None:
    out, summary = small
    checked = 0
    for d in summary["deliveries"]:
        if not d["files"]:
            continue
        frames = [read_file(out / f, d["extract"], d["operator"]) for f in d["files"]]
        df = pl.concat(frames, how="diagonal_relaxed")
        assert df.height == d["rows"]
        df = df.select([c for c in schemas.column_types(d["extract"]) if c in df.columns])
        ctx = schemas.DeliveryContext(d["operator"], date(*map(int, d["month"].split("-")), 1))
        schemas.schema_for(d["extract"], ctx).validate(df, lazy=True)
        checked += df.height
    assert checked == sum(summary["rows"].values()) > 9_000


def test_snapshots_are_consistent_month_to_month(small) -> None:
    out, summary = small
    months = summary["months"]
    for extract, start, end in (("registrations", "registration_date", "exit_date"),
                                ("pathways", "start_date", "end_date"),
                                ("job_offers", "posted_date", "closed_date")):
        df = read_extract(out, extract)
        key = "registration_id" if extract == "registrations" else \
            "pathway_id" if extract == "pathways" else "offer_id"
        idx = {m: i for i, m in enumerate(months)}
        df = df.with_columns(mi=pl.col("month").replace_strict(idx, return_dtype=pl.Int32))
        spans = df.group_by("operator", key).agg(
            pl.col("mi").min().alias("lo"), pl.col("mi").max().alias("hi"), pl.len().alias("n"),
            pl.col(end).drop_nulls().n_unique().alias("ends"),
            pl.col(end).is_not_null().sum().alias("rows_with_end"),
            pl.col(start).n_unique().alias("starts"),
        )
        assert (spans["n"] == spans["hi"] - spans["lo"] + 1).all()  # no holes
        assert (spans["starts"] == 1).all() and (spans["ends"] <= 1).all()
        assert (spans["rows_with_end"] <= 1).all()  # the end shows once, then the spell leaves
        ended = df.filter(pl.col(end).is_not_null())
        assert ended.height > 0
        assert (ended[end].dt.strftime("%Y-%m") == ended["month"]).all()
        joined = ended.join(spans, on=["operator", key])
        assert (joined["mi"] == joined["hi"]).all()  # absent from the months after its end
        last = len(months) - 1
        open_last = spans.join(df.filter(pl.col("mi") == last).filter(pl.col(end).is_null()),
                               on=["operator", key])
        starts_before = open_last.filter(pl.col(start) < date(2024, 1, 1))
        assert starts_before.height > 0 and (starts_before["lo"] == 0).all()


def test_truth_matches_the_written_registrations(small) -> None:
    out, summary = small
    regs = read_extract(out, "registrations")
    assert regs["person_id"].n_unique() == summary["persons"]
    assert regs["person_id"].str.contains(r"^[0-9a-f]{64}$").all()
    latest = regs.sort("month").group_by("operator", "registration_id").last()
    for label, expected in summary["active_persons_month_end"].items():
        d = _month_end(label)
        active = latest.filter((pl.col("registration_date") <= d)
                               & (pl.col("exit_date").is_null() | (pl.col("exit_date") > d)))
        assert active["person_id"].n_unique() == expected
    assert 0.8 * 2_000 < summary["active_persons_month_end"]["2024-01"] < 0.95 * 2_000


def test_national_shape_within_tolerances(moderate) -> None:
    out, summary = moderate
    months = summary["months"]
    regs = read_extract(out, "registrations")
    latest = regs.sort("month").group_by("operator", "registration_id").last()
    ops = regs.group_by("person_id").agg(pl.col("operator").n_unique())
    assert ops.height == 20_000
    assert (ops["operator"] >= 2).mean() == pytest.approx(0.15, abs=0.015)
    assert regs.filter(pl.col("operator") == "FT")["category"].null_count() == 0

    def active(m: str) -> set[str]:
        d = _month_end(m)
        return set(latest.filter((pl.col("registration_date") <= d) & (
            pl.col("exit_date").is_null() | (pl.col("exit_date") > d)))["person_id"])

    stock = {m: active(m) for m in months}
    sizes = [len(s) for s in stock.values()]
    assert max(sizes) / min(sizes) < 1.05  # inflows balance exits

    hires = read_extract(out, "hires")
    rates = [len(stock[p] & set(hires.filter(pl.col("month") == m)["person_id"])) / len(stock[p])
             for p, m in zip(months, months[1:], strict=False)]
    assert sum(rates) / len(rates) == pytest.approx(0.05, abs=0.006)
    durable = hires["contract_type"].is_in(["CDI", "CREATION"]) | (hires["contract_months"] >= 6)
    assert durable.mean() == pytest.approx(0.45, abs=0.03)

    cohort = regs.filter(pl.col("registration_date").dt.strftime("%Y-%m") == "2024-01").group_by(
        "person_id").agg(pl.col("registration_date").min().alias("d"))
    found = cohort.join(hires, on="person_id").filter(
        pl.col("hire_date").is_between(pl.col("d"), pl.col("d").dt.offset_by("6mo")))
    assert found["person_id"].n_unique() / cohort.height == pytest.approx(0.475, abs=0.04)

    paths = read_extract(out, "pathways").sort("month").group_by("operator", "pathway_id").last()
    d = _month_end(months[-1])
    open_paths = paths.filter((pl.col("start_date") <= d)
                              & (pl.col("end_date").is_null() | (pl.col("end_date") > d)))
    intensive = open_paths.filter(pl.col("pathway_type").is_in(INTENSIVE_PATHWAY_TYPES))
    share = intensive["person_id"].n_unique() / open_paths["person_id"].n_unique()
    assert share == pytest.approx(0.25, abs=0.02)

    offers = read_extract(out, "job_offers").filter(pl.col("closed_date").is_not_null())
    assert (offers["closing_reason"] == "POURVUE").mean() == pytest.approx(0.83, abs=0.02)
    filled = offers.filter(pl.col("closing_reason") == "POURVUE")
    delay = (filled["closed_date"] - filled["posted_date"]).dt.total_days().median()
    assert delay == pytest.approx(45, abs=4)

    answers = read_extract(out, "satisfaction")
    person = answers.filter(pl.col("respondent_type") == "PERSON")
    assert (person["score"] >= 3).mean() == pytest.approx(0.70, abs=0.03)
    assert set(answers.filter(pl.col("respondent_type") == "EMPLOYER")["operator"]) <= {
        "FT", "APEC"}

    diags = read_extract(out, "diagnostics")
    entrants = regs.filter(pl.col("registration_date") >= date(2024, 1, 1)).group_by(
        "person_id").agg(pl.col("registration_date").min().alias("d"))
    delays = entrants.join(diags, on="person_id").group_by("person_id").agg(
        (pl.col("diagnostic_date") - pl.col("d")).dt.total_days().min())
    assert delays["diagnostic_date"].median() <= 21  # most diagnosed within weeks
    assert delays.height / entrants.height < 0.95  # some never


def test_faults_are_mixed_in_and_leave_the_truth_alone(small, tmp_path: Path) -> None:
    out, clean = small
    faulty = generate_landing(tmp_path, seed=42, faults=True, progress=None, **SMALL)
    assert faulty["active_persons_month_end"] == clean["active_persons_month_end"]
    mix = faulty["fault_mix"]
    assert {(r["operator"], r["extract"]) for r in mix["rejected_deliveries"]} == {
        ("ML", "actions"), ("CE", "satisfaction"), ("CD", "hires")}
    assert mix["bad_rows"] == 24 * 3 and mix["duplicate_rows"] > 0  # 24 bad rows a month
    faults = {r["fault"] for r in mix["rows"]}
    assert {"impossible date", "exit before registration", "old merged commune code",
            "municipal arrondissement code", "unknown well-formed commune",
            "conflicting duplicate ids", "exact duplicate rows"} <= faults
    ft = (tmp_path / "FT/2024-02/registrations.csv").read_bytes().decode("cp1252")
    assert ";30/02/2024;" in ft and ";96001;" in ft and re.search(r";751\d\d;", ft)
    ml_actions = (tmp_path / "ML/2024-02/actions.csv").read_text(encoding="utf-8-sig")
    assert "action_type" not in ml_actions.splitlines()[0]
    assert "nom" in pl.read_parquet(tmp_path / "CE/2024-02/satisfaction.parquet").columns
    # Clean files of the same seed are untouched where no fault was planned.
    same = _hashes(out)
    for rel, digest in _hashes(tmp_path).items():
        if rel.startswith(("FT/2024-01/diagnostics", "ML/2024-03/pathways", "APEC/2024-01/hires")):
            assert same[rel] == digest


def test_generating_again_into_a_folder_leaves_only_the_new_files(small, tmp_path: Path):
    """Seed 43 over the small (seed 42) landing copied aside, then over a fresh folder: the
    same files, byte for byte; a file of the operator's own is left alone."""
    import shutil

    out, _ = small
    reused = tmp_path / "reused"
    shutil.copytree(out, reused)
    own = reused / "FT" / "notes.txt"
    own.write_text("kept", encoding="utf-8")
    generate_landing(reused, 300, ("2024-02", "2024-02"), seed=43, progress=None)
    generate_landing(tmp_path / "fresh", 300, ("2024-02", "2024-02"), seed=43, progress=None)
    new = {k: v for k, v in _hashes(reused).items() if k != "FT/notes.txt"}
    assert new == _hashes(tmp_path / "fresh")
    assert own.read_text(encoding="utf-8") == "kept"
