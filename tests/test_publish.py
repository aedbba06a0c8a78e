"""Write-audit-publish: readers never block a run, a failed check or a killed run publishes
nothing partial, and the next run publishes what an uninterrupted one would have."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from socle.config import Paths
from socle.generate import generate_landing
from socle.pipeline import run_pipeline
from socle.publish import PublicationRefused, checks

pytestmark = pytest.mark.slow

# One month: each run writes ~480 workbooks a month, the cost of these tests.
MONTHS = ("2024-01", "2024-01")
QUIET = {"progress": lambda _: None}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    generate_landing(root, 400, MONTHS, seed=13, progress=None)
    return root


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, landing: Path) -> dict:
    """What an uninterrupted run publishes from `landing`: indicator rows and export files."""
    paths = _fresh(tmp_path_factory.mktemp("reference"), landing)
    run_pipeline(paths, **QUIET)
    return _published(paths)


def _fresh(root: Path, landing: Path) -> Paths:
    shutil.copytree(landing, root / "landing")
    return Paths(root)


def _values(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT * FROM indicators.indicator_values ORDER BY ALL").fetchall()
    finally:
        con.close()


def _files(folder: Path) -> dict[str, str]:
    """Every file under `folder` → its sha256; a manifest without its generation time and
    code version."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name == "manifest.json":
            manifest = json.loads(data)
            # When, and from which commit of a checkout being worked on (its digest too).
            for key in ("generated_at", "code_version", "digest"):
                manifest.pop(key)
            data = json.dumps(manifest, sort_keys=True).encode()
        out[str(path.relative_to(folder))] = hashlib.sha256(data).hexdigest()
    return out


def _published(paths: Paths) -> dict:
    """What a publication made; the site only by its pages, which carry their own date."""
    exports = _files(paths.exports)
    site = sorted(name for name in exports if name.startswith("site/"))
    return {"values": _values(paths.warehouse), "parquet": _files(paths.parquet),
            "exports": {k: v for k, v in exports.items() if not k.startswith("site/")},
            "site": site}


def _bytes(paths: Paths) -> dict[str, bytes]:
    """Every published file, byte for byte (the snapshot included)."""
    files = [paths.warehouse, *paths.exports.rglob("*"), *paths.parquet.rglob("*")]
    return {str(p): p.read_bytes() for p in files if p.is_file()}


def _socle_run_killed_at(paths: Paths, target: str, call: int = 1, workers: int = 2) -> int:
    """Run `socle run` in a process that kills itself (SIGKILL, as `kill -9`) when
    `target` ('module:function') is called for the `call`-th time; returns its exit code.
    With one export worker, months are exported in that process, where `target` is."""
    module, function = target.split(":")
    script = textwrap.dedent(f"""
        import importlib, os, signal, sys
        module = importlib.import_module({module!r})
        original, calls = getattr(module, {function!r}), []
        def killing(*args, **kwargs):
            calls.append(1)
            if len(calls) == {call}:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)
        setattr(module, {function!r}, killing)
        from socle.cli import main
        sys.exit(main(["run"]))
    """)
    env = {**os.environ, "SOCLE_DATA_DIR": str(paths.data_dir),
           "SOCLE_EXPORT_WORKERS": str(workers)}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          timeout=600).returncode


KILL_POINTS = {
    "ingestion": ("socle.ingest.load:ingest_delivery", 20),
    "computation": ("socle.indicators.engine:_run_indicator", 5),
    "publication": ("socle.publish.release:swap_in", 2),
}


@pytest.mark.parametrize("moment", list(KILL_POINTS))
def test_a_run_killed_at_any_moment_is_completed_by_the_next(
    moment: str, tmp_path: Path, landing: Path, reference: dict
):
    paths = _fresh(tmp_path, landing)
    target, call = KILL_POINTS[moment]
    assert _socle_run_killed_at(paths, target, call, workers=1) == -9
    summary = run_pipeline(paths, **QUIET)
    assert summary.ok
    assert _published(paths) == reference
    assert not list(paths.exports.glob(".*")) and not (paths.data_dir / ".publishing").exists()


def test_a_process_killed_between_build_and_publish_changes_no_published_byte(
    tmp_path: Path, landing: Path, reference: dict
):
    paths = _fresh(tmp_path, landing)
    shutil.rmtree(paths.landing / "FT" / "2024-01")  # first, publish without it
    run_pipeline(paths, **QUIET)
    before = _bytes(paths)
    shutil.copytree(landing / "FT" / "2024-01", paths.landing / "FT" / "2024-01")
    assert _socle_run_killed_at(paths, "socle.publish.release:run_checks") == -9
    assert _bytes(paths) == before
    run_pipeline(paths, **QUIET)
    assert _published(paths) == reference


def test_a_failed_check_publishes_nothing_and_the_next_run_publishes(
    tmp_path: Path, landing: Path, reference: dict, monkeypatch: pytest.MonkeyPatch
):
    paths = _fresh(tmp_path, landing)
    shutil.rmtree(paths.landing / "CD" / "2024-01")
    run_pipeline(paths, **QUIET)
    before = _bytes(paths)
    shutil.copytree(landing / "CD" / "2024-01", paths.landing / "CD" / "2024-01")
    failing = {**checks.CHECKS, "always_fails": ("a check made to fail",
                                                  lambda _c: ["planted failure"])}
    monkeypatch.setattr(checks, "CHECKS", failing)
    with pytest.raises(PublicationRefused, match="always_fails: 1 failure.*planted failure"):
        run_pipeline(paths, **QUIET)
    assert _bytes(paths) == before
    monkeypatch.undo()
    run_pipeline(paths, **QUIET)
    assert _published(paths) == reference


ANALYST = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    query = "SELECT count(*), sum(value) FROM indicators.indicator_values"
    print(con.execute(query).fetchall(), flush=True)
    sys.stdin.readline()  # held open until the test says the run is over
    print(con.execute(query).fetchall(), flush=True)
""")


def test_an_analyst_holding_the_warehouse_open_blocks_nothing_and_reads_one_version(
    tmp_path: Path, landing: Path, reference: dict
):
    paths = _fresh(tmp_path, landing)
    shutil.rmtree(paths.landing / "ML" / "2024-01")
    run_pipeline(paths, **QUIET)
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(paths.warehouse)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        seen_before = analyst.stdout.readline()
        shutil.copytree(landing / "ML" / "2024-01", paths.landing / "ML" / "2024-01")
        summary = run_pipeline(paths, **QUIET)  # a lock conflict would raise here
        seen_during = analyst.communicate("\n", timeout=60)[0]
    finally:
        analyst.kill()
    assert summary.ok and summary.publication.published
    assert seen_during.strip() == seen_before.strip()  # the old version, consistent
    assert _published(paths) == reference  # a new connection sees the new one
    assert _values(paths.warehouse) != []


def test_row_level_data_is_published_only_when_asked(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
):
    paths = _fresh(tmp_path, landing)
    monkeypatch.setenv("SOCLE_PUBLISH_ROW_LEVEL", "1")
    run_pipeline(paths, **QUIET)
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    published = con.execute("SELECT count(*) FROM staging.registrations").fetchone()[0]
    con.close()
    work = duckdb.connect(str(paths.working), read_only=True)
    loaded = work.execute("SELECT count(*) FROM staging.registrations").fetchone()[0]
    work.close()
    assert published == loaded > 0


def test_socle_export_rebuilds_identical_files_from_the_published_warehouse(
    tmp_path: Path, landing: Path, reference: dict, monkeypatch: pytest.MonkeyPatch
):
    from socle.cli import main

    paths = _fresh(tmp_path, landing)
    run_pipeline(paths, **QUIET)
    monkeypatch.setenv("SOCLE_DATA_DIR", str(paths.data_dir))
    assert main(["export"]) == 0
    first = _files(paths.exports)
    assert main(["export", "--months", "2024-01"]) == 0
    assert _published(paths)["exports"] == reference["exports"]
    assert {k: v for k, v in first.items() if not k.startswith("site/")} == reference["exports"]
    assert main(["export", "--months", "2023-12"]) == 2


def test_a_month_whose_values_did_not_change_keeps_its_files(
    tmp_path: Path, landing: Path, reference: dict
):
    """A re-delivery with the same rows (one blank line more): the month is recomputed, its
    values and hence its digest are the same, so no export file nor Parquet partition is
    rewritten, and the summary says so."""
    paths = _fresh(tmp_path, landing)
    run_pipeline(paths, **QUIET)
    manifests = {p: p.read_bytes() for p in paths.exports.glob("*/manifest.json")}
    partitions = {p: p.stat().st_ino for p in paths.parquet.rglob("*.parquet")}
    assert len(partitions) == 1
    hires = next((paths.landing / "ML" / "2024-01").glob("hires*"))
    hires.write_bytes(hires.read_bytes() + b"\n")
    messages: list[str] = []
    summary = run_pipeline(paths, progress=messages.append)
    assert summary.periods and summary.publication.published
    assert summary.publication.exported == []
    assert "files written for 0, 1 unchanged" in summary.publication.render()
    assert "exports unchanged, kept: 1 month(s)" in messages
    assert "publication: Parquet of 0 month(s)" in messages
    assert {p: p.read_bytes() for p in paths.exports.glob("*/manifest.json")} == manifests
    # The analysts' partition is the same file, not rewritten.
    assert {p: p.stat().st_ino for p in paths.parquet.rglob("*.parquet")} == partitions
    assert _published(paths) == reference
