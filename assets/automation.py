"""Sensors on the landing folder and on the loaded deliveries, and the monthly schedule."""

import functools
import hashlib
import json

import dagster as dg
import duckdb

from assets.indicators import exports, indicators, site
from assets.ingestion import staging
from assets.partitions import FIRST_MONTH, slice_key
from assets.resources import SocleData
from socle.months import add_months, month_key

# Every job that writes the working database carries this tag: the production instance
# (deploy/dagster.yaml) runs them one at a time.
WRITER_TAG = {"socle/writer": "working-database"}

ingest_job = dg.define_asset_job("ingest_job", selection=[staging], tags=WRITER_TAG)
monthly_job = dg.define_asset_job("monthly_job", selection=[indicators, exports, site],
                                  tags=WRITER_TAG)


@functools.cache
def _landing_hashes():
    """The sensor's process lives on between ticks: a file unchanged since a tick (same
    size, times and inode) is not read again. Imported at the first tick, like the rest of
    the ingestion."""
    from socle.ingest.hashes import FileHashes

    return FileHashes(to_save=False)


@dg.sensor(job=ingest_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def landing_sensor(context: dg.SensorEvaluationContext, socle: SocleData):
    """Launch an ingestion of each (month, operator) slice whose files changed, judged by
    content hash (not mtime) against the published audit and the runs already requested:
    identical files launch nothing, even on a fresh Dagster instance. A file is read for
    its hash only when new or written since the last tick (`socle.ingest.hashes`)."""
    from socle.ingest import discover_deliveries

    known = _audited_hashes(socle)
    # slice → [digest of its files, changes seen]: the count makes each change's run key new
    seen: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
    by_slice: dict[tuple[str, str], list[str]] = {}
    new: set[tuple[str, str]] = set()
    for d in discover_deliveries(socle.paths.landing):
        hashes = d.file_hashes(_landing_hashes())
        slice_ = (f"{d.month:%Y-%m}", d.operator)
        by_slice.setdefault(slice_, []).append(json.dumps(sorted(hashes.items())))
        if hashes not in known.get(d.key, []):
            new.add(slice_)
    requests = []
    for (month, operator), contents in sorted(by_slice.items()):
        digest = hashlib.sha256(",".join(sorted(contents)).encode()).hexdigest()
        key = f"{month}|{operator}"
        state = seen.get(key)
        before, changes = state if isinstance(state, list) else (state, 0)  # older cursors
        if before != digest:
            changes += 1
            if (month, operator) in new:
                # Dagster launches a run key once: A → B → A needs a third key.
                requests.append(dg.RunRequest(run_key=f"{key}|{changes}|{digest}",
                                              partition_key=slice_key(month, operator)))
        seen[key] = [digest, changes]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen))


def _audited_hashes(socle: SocleData) -> dict[tuple, list[dict[str, str]]]:
    """Each slice's files as the published audit knows them (its current version and its
    latest rejection): read from the analysts' snapshot, which no run ever locks."""
    from socle.ingest.audit import all_current_hashes, latest_rejections

    if not socle.paths.warehouse.exists():
        return {}
    con = duckdb.connect(str(socle.paths.warehouse), read_only=True)
    try:
        known: dict[tuple, list[dict[str, str]]] = {}
        for k, (hashes, _message) in latest_rejections(con).items():
            known.setdefault(k, []).append(hashes)
        for k, hashes in all_current_hashes(con).items():
            known.setdefault(k, []).append(hashes)
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    return known


@dg.sensor(job=monthly_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def recompute_sensor(context: dg.SensorEvaluationContext, socle: SocleData):
    """After deliveries load, recompute and publish what they can change in one run. Its
    partition range: the months to recompute whole (`affected_work`: from the month of the
    earliest change on) and those computed but not yet published; the run adds the months
    where only some indicators change (those looking back). A delivery that changed nothing
    still gets a run (on the latest month), to publish its audit."""
    from socle.indicators import affected_work
    from socle.indicators.engine import loaded_months
    from socle.publish.state import changes_since_computed, unpublished
    from socle.warehouse import connect

    if not socle.paths.working.exists():
        return dg.SkipReason("nothing loaded yet")
    try:
        con = connect(socle.paths.working, read_only=True, lock_wait=0)
    except duckdb.IOException:
        return dg.SkipReason("a run is writing the working database: next tick")
    try:
        changes, latest = changes_since_computed(con)
        work = affected_work(con, changes)
        periods = (sorted({p for p, codes in work.items() if codes is None} | unpublished(con))
                   or sorted(work)[-1:] or (loaded_months(con)[-1:] if changes else []))
    except duckdb.CatalogException:
        return dg.SkipReason("nothing loaded yet")
    finally:
        con.close()
    if not periods:
        return dg.SkipReason("no new delivery")
    first, end = f"{periods[0]:%Y-%m}", f"{periods[-1]:%Y-%m}"
    return dg.SensorResult(
        run_requests=[dg.RunRequest(
            run_key=f"recompute|{latest}|{first}|{end}",
            tags={"dagster/asset_partition_range_start": first,
                  "dagster/asset_partition_range_end": end},
        )],
        cursor=str(latest),
    )


@dg.schedule(job=monthly_job, cron_schedule="0 6 10 * *", name="monthly_job_schedule",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def monthly_schedule(context: dg.ScheduleEvaluationContext):
    """The 10th of each month at 06:00, the month before (its deliveries are in by then).
    Off by default: the recompute sensor already runs after every delivery; turn it on for
    a monthly run whatever arrived."""
    when = context.scheduled_execution_time
    previous = month_key(add_months(when.date(), -1))
    if previous < FIRST_MONTH:
        return dg.SkipReason(f"{previous} is before the first partition {FIRST_MONTH}")
    return dg.RunRequest(run_key=previous, partition_key=previous)
