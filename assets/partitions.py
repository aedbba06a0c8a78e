"""Partitions: ingestion by month × operator, indicators and exports by month."""

from __future__ import annotations

import os

import dagster as dg

from schemas.codes import OPERATORS

FIRST_MONTH = os.environ.get("SOCLE_FIRST_MONTH", "2023-01")

months = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, fmt="%Y-%m", end_offset=1)
operators = dg.StaticPartitionsDefinition(sorted(OPERATORS))
slices = dg.MultiPartitionsDefinition({"month": months, "operator": operators})


def slice_key(month: str, operator: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"month": month, "operator": operator})
