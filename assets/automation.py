"""Sensors on the landing folder and on the loaded deliveries, and the monthly schedule."""

import json
from datetime import timedelta

import dagster as dg
import duckdb

from assets.indicators import exports, indicator_values
from assets.ingestion import staging
from assets.partitions import FIRST_MONTH, slice_key
from assets.resources import SocleData

ingest_job = dg.define_asset_job("ingest_job", selection=[staging])
monthly_job = dg.define_asset_job("monthly_job", selection=[indicator_values, exports])


@dg.sensor(job=ingest_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def landing_sensor(context: dg.SensorEvaluationContext, socle: SocleData):
    """Launch an ingestion of each (month, operator) slice whose files changed, judged by
    content hash (not mtime): re-delivering identical files launches nothing."""
    from socle.ingest import discover_deliveries

    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    by_slice: dict[tuple[str, str], list[str]] = {}
    for d in discover_deliveries(socle.paths.landing):
        by_slice.setdefault((f"{d.month:%Y-%m}", d.operator), []).append(d.content_hash)
    requests = []
    for (month, operator), hashes in sorted(by_slice.items()):
        digest = ",".join(sorted(hashes))
        key = f"{month}|{operator}"
        if seen.get(key) != digest:
            seen[key] = digest
            requests.append(
                dg.RunRequest(run_key=f"{key}|{hash(digest)}",
                              partition_key=slice_key(month, operator))
            )
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
