"""Registrations (inscriptions): snapshot of registration spells open during the month."""

import pandera.polars as pa
import polars as pl

from schemas import codes
from schemas._base import (
    COMMUNE_PATTERN,
    MIN_DATE,
    NO_CONTEXT,
    DeliveryContext,
    column,
    date_bounds,
    isin,
    matches,
    person_id,
    row_check,
)

ID_COLUMN = "registration_id"


def schema(ctx: DeliveryContext = NO_CONTEXT) -> pa.DataFrameSchema:
    allowance = {
        f"allowance_{a}": column(
            pl.Boolean, f"Allocataire {a.upper()}", f"{a.upper()} recipient", present=False
        )
        for a in codes.ALLOWANCES
    }
    checks = [
        row_check(
            "exit_date:before_registration",
            lambda: pl.col("exit_date") >= pl.col("registration_date"),
            "la date de sortie précède la date d'inscription",
        ),
        row_check(
            "exit_reason:required_with_exit",
            lambda: pl.col("exit_date").is_null() | pl.col("exit_reason").is_not_null(),
            "motif de sortie obligatoire quand la date de sortie est renseignée",
        ),
        row_check(
            "exit_reason:without_exit",
            lambda: pl.col("exit_reason").is_null() | pl.col("exit_date").is_not_null(),
            "motif de sortie sans date de sortie",
        ),
        row_check(
            "birth_year:age_15_75",
            lambda: (pl.col("registration_date").dt.year() - pl.col("birth_year")).is_between(
                15, 75
            ),
            "âge à l'inscription hors de 15 à 75 ans",
        ),
    ]
    if ctx.operator == "FT":
        checks.append(
            row_check(
                "category:required_for_FT",
                lambda: pl.col("category").is_not_null(),
                "catégorie obligatoire pour France Travail",
            )
        )
    return pa.DataFrameSchema(
        {
            "registration_id": column(
                pl.Utf8, "Identifiant de l'inscription", "Registration id",
                required=True, unique=True,
            ),
            "person_id": person_id(),
            "registration_date": column(
                pl.Date, "Date d'inscription", "Registration date", required=True,
                checks=date_bounds(ctx, in_month=False, min_date=MIN_DATE),
            ),
            "exit_date": column(
                pl.Date, "Date de sortie", "Exit date", present=False,
                checks=date_bounds(ctx, in_month=False),
            ),
            "exit_reason": column(
                pl.Utf8, "Motif de sortie", "Exit reason", present=False,
                checks=[isin(codes.EXIT_REASONS)],
            ),
            "commune_code": column(
                pl.Utf8, "Commune de résidence (code INSEE)", "Residence commune (INSEE code)",
                required=True, checks=[matches(COMMUNE_PATTERN)],
            ),
            "sex": column(pl.Utf8, "Sexe", "Sex", required=True, checks=[isin(codes.SEXES)]),
            "birth_year": column(pl.Int64, "Année de naissance", "Birth year", required=True),
            "education_level": column(
                pl.Utf8, "Niveau de diplôme (1 à 8)", "Education level (1 to 8)", present=False,
                checks=[isin(codes.EDUCATION_LEVELS)],
            ),
            # FT must deliver the column (a value per row: `category:required_for_FT`);
            # without it every FT row would be quarantined, so the header check rejects.
            "category": column(
                pl.Utf8, "Catégorie d'inscription (A à G)", "Registration category (A to G)",
                present=ctx.operator == "FT", checks=[isin(codes.CATEGORIES)],
            ),
            **allowance,
            "disabled_worker": column(
                pl.Boolean, "Travailleur handicapé (RQTH/BOETH)", "Disabled worker (RQTH/BOETH)",
                present=False,
            ),
            "qpv_resident": column(
                pl.Boolean, "Résident d'un quartier prioritaire", "Lives in a QPV", present=False
            ),
            "zrr_resident": column(
                pl.Boolean, "Résident en ZRR (déduit de la commune si absent)",
                "Lives in a ZRR (derived from the commune if absent)", present=False,
            ),
        },
        checks=checks,
        name="registrations",
        description=codes.DESCRIPTIONS["registrations"],
    )
