"""Pathways (parcours): snapshot of accompaniment spells; the delivering operator is the
referent."""

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

ID_COLUMN = "pathway_id"


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "pathway_id": column(
                pl.Utf8, "Identifiant du parcours", "Pathway id", required=True, unique=True
            ),
            "person_id": person_id(),
            "pathway_type": column(
                pl.Utf8, "Type de parcours", "Pathway type", required=True,
                checks=[isin(codes.PATHWAY_TYPES)],
            ),
            "start_date": column(
                pl.Date, "Date de début", "Start date", required=True,
                checks=date_bounds(ctx, in_month=False),
            ),
            "end_date": column(pl.Date, "Date de fin", "End date", present=False),
        },
        checks=[
            end_not_before_start("start_date", "end_date")
        ],
        name="pathways",
        description=codes.DESCRIPTIONS["pathways"],
    )
