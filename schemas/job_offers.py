"""Job offers: snapshot of offers open at any time in the month."""

import pandera.polars as pa
import polars as pl

from schemas import codes
from schemas._base import (
    COMMUNE_PATTERN,
    NO_CONTEXT,
    ROME_PATTERN,
    SIRET_PATTERN,
    DeliveryContext,
    column,
    date_bounds,
    isin,
    matches,
    row_check,
)

ID_COLUMN = "offer_id"


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "offer_id": column(pl.Utf8, "Identifiant de l'offre", "Offer id",
                               required=True, unique=True),
            "employer_siret": column(
                pl.Utf8, "SIRET de l'employeur", "Employer SIRET", required=True,
                checks=[matches(SIRET_PATTERN)],
            ),
            "commune_code": column(
                pl.Utf8, "Commune du lieu de travail", "Workplace commune", required=True,
                checks=[matches(COMMUNE_PATTERN)],
            ),
            "rome_code": column(
                pl.Utf8, "Code ROME", "ROME code", present=False, checks=[matches(ROME_PATTERN)]
            ),
            "posted_date": column(
                pl.Date, "Date de publication", "Posting date", required=True,
                checks=date_bounds(ctx, in_month=False),
            ),
            "closed_date": column(
                pl.Date, "Date de clôture", "Closing date", present=False,
                checks=date_bounds(ctx, in_month=False),
            ),
            "closing_reason": column(
                pl.Utf8, "Motif de clôture", "Closing reason", present=False,
                checks=[isin(codes.CLOSING_REASONS)],
            ),
            "positions": column(
                pl.Int64, "Nombre de postes", "Positions", required=True,
                checks=[pa.Check.ge(1, name="min_1")],
            ),
        },
        checks=[
            row_check(
                "closed_date:before_posted",
                lambda: pl.col("closed_date") >= pl.col("posted_date"),
                "la date de clôture précède la date de publication",
            ),
            row_check(
                "closing_reason:required_when_closed",
                lambda: pl.col("closed_date").is_null() | pl.col("closing_reason").is_not_null(),
                "motif de clôture obligatoire quand l'offre est clôturée",
            ),
        ],
        name="job_offers",
        description=codes.DESCRIPTIONS["job_offers"],
    )
