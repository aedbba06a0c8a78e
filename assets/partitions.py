"""Partitions: ingestion by month × operator, indicators and exports by month."""

from __future__ import annotations

import dagster as dg

from schemas.codes import OPERATORS
from socle.months import month_key
from socle.settings import Settings

# Partitions are part of the definitions: read once, when Dagster loads them.
FIRST_MONTH = month_key(Settings.from_env().first_month)

months = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", end_offset=1)
operators = dg.StaticPartitionsDefinition(sorted(OPERATORS))
slices = dg.MultiPartitionsDefinition({"month": months, "operator": operators})


def slice_key(month: str, operator: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"month": month, "operator": operator})
