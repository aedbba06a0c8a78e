"""Sensors on the landing folder and on the loaded deliveries, and the monthly schedule."""

import hashlib
import json
from datetime import timedelta

import dagster as dg
import duckdb

from assets.indicators import exports, indicator_values
from assets.ingestion import staging
from assets.partitions import FIRST_MONTH, slice_key
from assets.resources import SocleData

# Every job that writes the working database carries this tag: the production instance
# (deploy/dagster.yaml) runs them one at a time.
WRITER_TAG = {"socle/writer": "working-database"}

ingest_job = dg.define_asset_job("ingest_job", selection=[staging], tags=WRITER_TAG)
monthly_job = dg.define_asset_job("monthly_job", selection=[indicator_values, exports],
                                  tags=WRITER_TAG)


@dg.sensor(job=ingest_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def landing_sensor(context: dg.SensorEvaluationContext, socle: SocleData):
    """Launch an ingestion of each (month, operator) slice whose files changed, judged by
    content hash (not mtime): re-delivering identical files launches nothing."""
    from socle.ingest import discover_deliveries

    # slice → [digest of its files, changes seen]: the count makes each change's run key new
    seen: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
    by_slice: dict[tuple[str, str], list[str]] = {}
    for d in discover_deliveries(socle.paths.landing):
        by_slice.setdefault((f"{d.month:%Y-%m}", d.operator), []).append(d.content_hash)
    requests = []
    for (month, operator), hashes in sorted(by_slice.items()):
        digest = hashlib.sha256(",".join(sorted(hashes)).encode()).hexdigest()
        key = f"{month}|{operator}"
        state = seen.get(key)
        before, changes = state if isinstance(state, list) else (state, 0)  # older cursors
        if before != digest:
            changes += 1
            # Dagster launches a run key once: A → B → A needs a third key.
            requests.append(dg.RunRequest(run_key=f"{key}|{changes}|{digest}",
                                          partition_key=slice_key(month, operator)))
            seen[key] = [digest, changes]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen))


@dg.sensor(job=monthly_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def recompute_sensor(context: dg.SensorEvaluationContext, socle: SocleData):
    """After deliveries load, recompute every month they can change in one run: every
    loaded month after a snapshot (it may correct spells begun at any time), the delivered
    month, the later ones and the six before after events (`affected_periods`)."""
    from socle.indicators import affected_periods

    if not socle.paths.warehouse.exists():
        return dg.SkipReason("no warehouse yet")
    try:
        con = duckdb.connect(str(socle.paths.warehouse), read_only=True)
    except duckdb.Error:
        return dg.SkipReason("warehouse busy (a run is writing): next tick")
    try:
        since = context.cursor or "1970-01-01 00:00:00"
        changed, last = con.execute(
            """SELECT list(DISTINCT (extract, delivery_month)), max(loaded_at)::VARCHAR
               FROM audit.deliveries WHERE status <> 'rejected' AND loaded_at > ?::TIMESTAMP""",
            [since],
        ).fetchone()
        periods = affected_periods(con, changed or [])
    except duckdb.CatalogException:
        return dg.SkipReason("nothing loaded yet")
    finally:
        con.close()
    if not periods:
        return dg.SkipReason("no new delivery")
    first, end = f"{periods[0]:%Y-%m}", f"{periods[-1]:%Y-%m}"
    return dg.SensorResult(
        run_requests=[dg.RunRequest(
            run_key=f"recompute|{last}",
            tags={"dagster/asset_partition_range_start": first,
                  "dagster/asset_partition_range_end": end},
        )],
        cursor=last,
    )


@dg.schedule(job=monthly_job, cron_schedule="0 6 10 * *", name="monthly_job_schedule",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def monthly_schedule(context: dg.ScheduleEvaluationContext):
    """The 10th of each month at 06:00, the month before (its deliveries are in by then).
    Off by default: the recompute sensor already runs after every delivery; turn it on for
    a monthly run whatever arrived."""
    when = context.scheduled_execution_time
    previous = (when.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    if previous < FIRST_MONTH:
        return dg.SkipReason(f"{previous} is before the first partition {FIRST_MONTH}")
    return dg.RunRequest(run_key=previous, partition_key=previous)
