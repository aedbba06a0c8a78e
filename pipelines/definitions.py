"""The Dagster entry point (`[tool.dagster] module_name`): every asset, check, job,
schedule and sensor of socle, with resources configured from the environment."""

from __future__ import annotations

import dagster as dg

from assets.automation import (
    ingest_job,
    landing_sensor,
    monthly_job,
    monthly_schedule,
    recompute_sensor,
)
from assets.indicators import exports, indicator_values
from assets.ingestion import staging
from assets.reference import reference
from assets.resources import socle_data_from_env

defs = dg.Definitions(
    assets=[reference, staging, indicator_values, exports],
    jobs=[ingest_job, monthly_job],
    schedules=[monthly_schedule],
    sensors=[landing_sensor, recompute_sensor],
    resources={"socle": socle_data_from_env()},
    executor=dg.in_process_executor,
)
