"""Actions: training and immersion starts dated in the month."""

import pandera.polars as pa
import polars as pl

from schemas import codes
from schemas._base import (
    NO_CONTEXT,
    DeliveryContext,
    column,
    date_bounds,
    end_not_before_start,
    isin,
    person_id,
)

ID_COLUMN = "action_id"


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "action_id": column(pl.Utf8, "Identifiant de l'action", "Action id",
                                required=True, unique=True),
            "person_id": person_id(),
            "action_type": column(
                pl.Utf8, "Type d'action", "Action type", required=True,
                checks=[isin(codes.ACTION_TYPES)],
            ),
            "start_date": column(
                pl.Date, "Date de début", "Start date", required=True,
                checks=date_bounds(ctx, in_month=True),
            ),
            "end_date": column(pl.Date, "Date de fin", "End date", present=False),
        },
        checks=[
            end_not_before_start("start_date", "end_date")
        ],
        name="actions",
        description=codes.DESCRIPTIONS["actions"],
    )
