"""Sensor on the landing folder and the monthly schedule."""


import json

import dagster as dg

from assets.indicators import exports, indicator_values
from assets.ingestion import staging
from assets.partitions import slice_key
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


monthly_schedule = dg.build_schedule_from_partitioned_job(
    monthly_job, hour_of_day=6, day_of_month=10,
)
