"""Satisfaction: survey answers dated in the month, from persons or employers."""

import pandera.polars as pa
import polars as pl

from schemas import codes
from schemas._base import (
    COMMUNE_PATTERN,
    NO_CONTEXT,
    SIRET_PATTERN,
    DeliveryContext,
    column,
    date_bounds,
    isin,
    matches,
    person_id,
    row_check,
)

ID_COLUMN = "response_id"


def _required_for(respondent: str, col: str) -> pl.Expr:
    return (pl.col("respondent_type") != respondent) | pl.col(col).is_not_null()


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "response_id": column(pl.Utf8, "Identifiant de la réponse", "Response id",
                                  required=True, unique=True),
            "respondent_type": column(
                pl.Utf8, "Type de répondant", "Respondent type", required=True,
                checks=[isin(codes.RESPONDENT_TYPES)],
            ),
            "person_id": person_id(required=False),
            "employer_siret": column(
                pl.Utf8, "SIRET de l'employeur", "Employer SIRET", present=False,
                checks=[matches(SIRET_PATTERN)],
            ),
            "commune_code": column(
                pl.Utf8, "Commune de l'employeur", "Employer commune", present=False,
                checks=[matches(COMMUNE_PATTERN)],
            ),
            "response_date": column(
                pl.Date, "Date de réponse", "Response date", required=True,
                checks=date_bounds(ctx, in_month=True),
            ),
            "score": column(
                pl.Int64, "Note (1 à 4)", "Score (1 to 4)", required=True,
                checks=[pa.Check.in_range(1, 4, name="range_1_4")],
            ),
        },
        checks=[
            row_check("person_id:required_for_PERSON", lambda: _required_for("PERSON", "person_id"),
                      "identifiant personne obligatoire pour une réponse PERSON"),
            row_check("employer_siret:required_for_EMPLOYER",
                      lambda: _required_for("EMPLOYER", "employer_siret"),
                      "SIRET obligatoire pour une réponse EMPLOYER"),
            row_check("commune_code:required_for_EMPLOYER",
                      lambda: _required_for("EMPLOYER", "commune_code"),
                      "commune obligatoire pour une réponse EMPLOYER"),
        ],
        name="satisfaction",
        description=codes.DESCRIPTIONS["satisfaction"],
    )
