"""Diagnostics: events dated in the delivery month."""

import pandera.polars as pa
import polars as pl

from schemas import codes
from schemas._base import (
    NO_CONTEXT,
    DeliveryContext,
    column,
    date_bounds,
    isin,
    person_id,
)

ID_COLUMN = "diagnostic_id"


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "diagnostic_id": column(
                pl.Utf8, "Identifiant du diagnostic", "Diagnostic id", required=True, unique=True
            ),
            "person_id": person_id(),
            "diagnostic_date": column(
                pl.Date, "Date du diagnostic", "Diagnostic date", required=True,
                checks=date_bounds(ctx, in_month=True),
            ),
            "orientation": column(
                pl.Utf8, "Orientation", "Orientation", required=True,
                checks=[isin(codes.ORIENTATIONS)],
            ),
        },
        name="diagnostics",
        description=codes.DESCRIPTIONS["diagnostics"],
    )
