"""Hires: returns to employment dated in the month (DPAE/DSN matching)."""

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
    row_check,
)

ID_COLUMN = "hire_id"


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "hire_id": column(pl.Utf8, "Identifiant de l'embauche", "Hire id",
                              required=True, unique=True),
            "person_id": person_id(),
            "hire_date": column(
                pl.Date, "Date d'embauche", "Hire date", required=True,
                checks=date_bounds(ctx, in_month=True),
            ),
            "contract_type": column(
                pl.Utf8, "Type de contrat", "Contract type", required=True,
                checks=[isin(codes.CONTRACT_TYPES)],
            ),
            "contract_months": column(
                pl.Int64, "Durée du contrat (mois)", "Contract length (months)", present=False,
                checks=[pa.Check.ge(0, name="negative")],
            ),
        },
        checks=[
            row_check(
                "contract_months:required_for_fixed_term",
                lambda: ~pl.col("contract_type").is_in(list(codes.CONTRACTS_NEEDING_MONTHS))
                | pl.col("contract_months").is_not_null(),
                "durée obligatoire pour un CDD, CTT, ALTERNANCE ou IAE",
            )
        ],
        name="hires",
        description=codes.DESCRIPTIONS["hires"],
    )
