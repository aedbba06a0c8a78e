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
from assets.indicators import exports, indicators, site
from assets.ingestion import staging
from assets.quality import quality_job, quality_report
from assets.reference import reference
from assets.resources import socle_data_from_settings
from socle.settings import Settings

defs = dg.Definitions(
    assets=[reference, staging, indicators, exports, site, quality_report],
    jobs=[ingest_job, monthly_job, quality_job],
    schedules=[monthly_schedule],
    sensors=[landing_sensor, recompute_sensor],
    resources={"socle": socle_data_from_settings(Settings.from_env())},
    executor=dg.in_process_executor,
)
