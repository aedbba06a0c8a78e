"""Write, audit, publish: everything analysts and committees read changes at once, after
its checks pass, or not at all.

A publication builds, beside what is published, a new snapshot database, the export
folders of the months whose values changed (and the site), and their Parquet partitions;
it checks them; only then does it move them into place by renames. The months it covers
leave `meta.unpublished` last, so a run killed anywhere publishes them next time.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from socle.config import Paths
from socle.coverage import write_delivery_coverage
from socle.export.files import export_digest, swap_in, write_period_folder
from socle.export.site import exported_months, write_site
from socle.processes import in_processes
from socle.publish import state
from socle.publish.checks import Candidate, CheckResult, PublicationRefused, run_checks
from socle.publish.snapshot import build_snapshot, fsync
from socle.settings import Settings
from socle.warehouse import connect, frame

Progress = Callable[[str], object]
STAGE = ".publishing"


@dataclass
class Publication:
    """What a publication did."""

    published: bool
    periods: list[date] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    exported: list[date] = field(default_factory=list)  # months whose files were written

    def render(self) -> str:
        if not self.published:
            return "publication: nothing new to publish"
        months = (f"{self.periods[0]:%Y-%m} … {self.periods[-1]:%Y-%m}" if self.periods
                  else "none")
        kept = len(self.periods) - len(self.exported)
        return (f"published: snapshot and exports of {len(self.periods)} month(s) ({months}), "
                f"files written for {len(self.exported)}"
                + (f", {kept} unchanged" if kept else "")
                + f"; {len(self.checks)} checks passed")


def publish(
    work: duckdb.DuckDBPyConnection,
    paths: Paths,
    loaded_months: list[date],
    periods: Iterable[date] = (),
    progress: Progress = print,
    with_site: bool = True,
) -> Publication:
    """Publish the working database: the snapshot, and the exports of `periods`, of the
    months computed since their last publication, and of loaded months never exported,
    with the committee site over every exported month (unless `with_site` is false: Dagster
    builds it as an asset of its own).

    Raises `PublicationRefused` (nothing moved) when a check fails."""
    todo = sorted(
        (state.unpublished(work) | set(periods) | _never_exported(paths, loaded_months))
        & set(loaded_months)
    )
    fingerprint = state.audit_fingerprint(work)
    if not todo and paths.warehouse.exists() and fingerprint == state.published_fingerprint(work):
        return Publication(False)
    stage = _fresh_stage(paths)
    snapshot = paths.warehouse.with_name(f".{paths.warehouse.name}{STAGE}")
    progress("publication: building the snapshot")
    write_delivery_coverage(work)
    build_snapshot(work, snapshot, row_level=Settings.from_env().publish_row_level)
    snap = connect(snapshot, read_only=True)
    try:
        changed = _changed_exports(snap, paths, todo, progress)
        folders = write_exports(snapshot, changed, stage.exports, progress)
        rewrite = [p for p in todo if p in changed or not _parquet_path(paths, p).exists()]
        progress(f"publication: Parquet of {len(rewrite)} month(s)")
        parquet = _write_parquet(snap, rewrite, stage.parquet)
        site = (_write_site(snap, paths, folders, stage, progress, "publication") if with_site
                else None)
        progress("publication: checks")
        checks = run_checks(Candidate(snap, loaded_months, _accounting(work), folders))
    finally:
        snap.close()
    if not all(c.passed for c in checks):
        _discard(stage, snapshot)
        raise PublicationRefused(checks)
    progress(f"publication: {len(checks)} checks passed, moving into place")
    os.replace(snapshot, paths.warehouse)
    fsync(paths.warehouse.parent)
    for period, path in parquet.items():
        final = _parquet_path(paths, period)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, final)
    paths.exports.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        swap_in(folder, paths.exports / folder.name)
    if site is not None:
        swap_in(site, paths.exports / "site")
    _discard(stage, snapshot)
    state.mark_published(work, todo, fingerprint)
    return Publication(True, todo, checks, changed)


def write_exports(
    snapshot: Path, periods: list[date], out: Path, progress: Progress
) -> list[Path]:
    """Each period's export folder under `out`, from the snapshot file `snapshot`; months
    in parallel processes (`SOCLE_EXPORT_WORKERS`, default one per core), each reading
    the snapshot read-only."""
    settings = Settings.from_env()
    jobs = [(snapshot, period, out / f"{period:%Y-%m}", settings.secret_threshold)
            for period in periods]
    for period in in_processes(_export_one, jobs, settings.export_workers):
        progress(f"exported {period:%Y-%m}")
    return [job[2] for job in jobs]


def _export_one(job: tuple[Path, date, Path, int]) -> date:
    snapshot, period, folder, threshold = job
    con = connect(snapshot, read_only=True)
    try:
        write_period_folder(con, period, folder, threshold)
    finally:
        con.close()
    return period


def _changed_exports(
    snap: duckdb.DuckDBPyConnection, paths: Paths, periods: list[date], progress: Progress
) -> list[date]:
    """The months whose files would change: the digest of what they are made from differs
    from the one their published manifest records (or there is none)."""
    changed, threshold = [], Settings.from_env().secret_threshold
    for period in periods:
        manifest = paths.exports / f"{period:%Y-%m}" / "manifest.json"
        published = (json.loads(manifest.read_text(encoding="utf-8")).get("digest")
                     if manifest.exists() else None)
        if published != export_digest(snap, period, threshold):
            changed.append(period)
    if len(changed) < len(periods):
        progress(f"exports unchanged, kept: {len(periods) - len(changed)} month(s)")
    return changed


def release_exports(paths: Paths, periods: list[date], progress: Progress = print) -> list[Path]:
    """`socle export`: rebuild the export folders of `periods` from the published snapshot,
    checked and swapped in like a publication's."""
    snap = connect(paths.warehouse, read_only=True)
    stage = _fresh_stage(paths)
    try:
        folders = write_exports(paths.warehouse, periods, stage.exports, progress)
        site = _write_site(snap, paths, folders, stage, progress, "export")
        progress("export: checks")
        checks = run_checks(Candidate(snap, [], [], folders))
    finally:
        snap.close()
    if not all(c.passed for c in checks):
        _discard(stage)
        raise PublicationRefused(checks)
    paths.exports.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        swap_in(folder, paths.exports / folder.name)
    if site is not None:
        swap_in(site, paths.exports / "site")
    _discard(stage)
    return [paths.exports / f.name for f in folders]


@dataclass(frozen=True)
class _Stage:
    root: Path

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"


def _fresh_stage(paths: Paths) -> _Stage:
    """Empty staging folders in the data folder, out of readers' sight, on the same disk as
    what they replace (a rename never crosses devices); whatever an interrupted
    publication left there is dropped."""
    stage = _Stage(paths.data_dir / STAGE)
    _discard(stage)
    stage.exports.mkdir(parents=True)
    stage.parquet.mkdir(parents=True)
    return stage


def _discard(stage: _Stage, *files: Path) -> None:
    shutil.rmtree(stage.root, ignore_errors=True)
    for f in files:
        f.unlink(missing_ok=True)


def _parquet_path(paths: Paths, period: date) -> Path:
    """The analysts' partition of a month; kept, like its exports, while its digest holds
    (the digest covers the month's values, which are all the partition holds)."""
    return paths.parquet / "indicator_values" / f"period={period:%Y-%m}" / "data.parquet"


def _write_parquet(
    snap: duckdb.DuckDBPyConnection, periods: list[date], out: Path
) -> dict[date, Path]:
    written = {}
    for period in periods:
        path = out / f"{period:%Y-%m}.parquet"
        frame(snap, "SELECT * EXCLUDE (period) FROM indicators.indicator_values "
                    "WHERE period = ? ORDER BY ALL", [period]).write_parquet(path)
        written[period] = path
    return written


def _write_site(
    snap: duckdb.DuckDBPyConnection, paths: Paths, folders: list[Path], stage: _Stage,
    progress: Progress, step: str,
) -> Path | None:
    """The committee site over every exported month, the staged folders in place of the
    published ones they replace; None when no month is exported."""
    months = {**exported_months(paths.exports), **{f.name: f for f in folders}}
    previous = paths.exports / "site"
    if not months or (not folders and previous.is_dir()):
        return None  # nothing new to show: the published site stays
    progress(f"{step}: committee site (the months whose exports changed and those after)")
    write_site(snap, months, stage.root / "site", previous=previous,
               rebuild_from=min((f.name for f in folders), default=None),
               workers=Settings.from_env().export_workers)
    return stage.root / "site"


def _never_exported(paths: Paths, months: list[date]) -> set[date]:
    return {m for m in months if not (paths.exports / f"{m:%Y-%m}" / "manifest.json").exists()}


def _accounting(work: duckdb.DuckDBPyConnection) -> list[str]:
    from socle.ingest import accounting_errors

    return accounting_errors(work)
