"""Pathways (parcours): snapshot of accompaniment spells; the delivering operator is the
referent."""

import pandera.polars as pa
import polars as pl

from schemas import codes
from schemas._base import (
    NO_CONTEXT,
    PERSON_ID_PATTERN,
    DeliveryContext,
    column,
    date_bounds,
    isin,
    matches,
    row_check,
)

ID_COLUMN = "pathway_id"


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "pathway_id": column(
                pl.Utf8, "Identifiant du parcours", "Pathway id", required=True, unique=True
            ),
            "person_id": column(
                pl.Utf8, "Identifiant pseudonyme de la personne", "Pseudonymous person id",
                required=True, checks=[matches(PERSON_ID_PATTERN)],
            ),
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
            row_check(
                "end_date:before_start",
                lambda: pl.col("end_date") >= pl.col("start_date"),
                "la date de fin précède la date de début",
            )
        ],
        name="pathways",
        description="Parcours d'accompagnement : photographie des parcours ouverts dans le mois",
    )
