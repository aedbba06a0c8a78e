"""French wording of the export files (committee secretariats read French)."""

from __future__ import annotations

import math

import polars as pl

from socle.indicators.vocabulary import vocabulary

# Breakdown and unit codes of the export files: sql/indicators/vocabulary.toml.
BREAKDOWNS_FR = {"total": "ensemble",
                 **{b.name: b.export for b in vocabulary().breakdowns}}
# Values are written in French where they are words (codes such as `ARE` or `A` stay).
MODALITIES_FR = {
    "total": "ensemble",
    "true": "oui",
    "false": "non",
    "yes": "oui",
    "no": "non",
    "unknown": "inconnu",
    "none": "aucune",
    "infra_bac": "infra_bac",
    "sup_bac": "sup_bac",
}
UNITS_FR = {unit: words["export"] for unit, words in vocabulary().units.items()}


def translate(column: str, mapping: dict[str, str]) -> pl.Expr:
    """Map known codes to French, keep the others (codes such as `ARE` or `A` stay as is)."""
    return pl.col(column).replace(mapping)


SIGNIFICANT_DIGITS = 6
DECIMALS = 6


def french_number(x: float) -> str:
    """One number as French text, written out plainly (never `1e-06`: Excel and readers
    take scientific notation for text or misread it): integers without decimals, others
    with a decimal comma, to 6 decimals or 6 significant digits, whichever is finer (a
    rate of 0,0000012 keeps its digits, a median of 123456,789 days too)."""
    if not math.isfinite(x):
        return ""
    if x == int(x):
        return str(int(x))
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(DECIMALS, SIGNIFICANT_DIGITS - 1 - magnitude)
    plain = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if plain in ("", "-0") else plain.replace(".", ",")


def decimal_comma(column: str) -> pl.Expr:
    """Numbers as text with a decimal comma (`french_number`); null stays empty.

    Formatted once per distinct value: a period repeats the same counts and rates a lot."""

    def to_text(numbers: pl.Series) -> pl.Series:
        distinct = numbers.drop_nulls().unique()
        texts = pl.Series([french_number(x) for x in distinct], dtype=pl.Utf8)
        return numbers.replace_strict(distinct, texts, default=None, return_dtype=pl.Utf8)

    as_text = pl.col(column).cast(pl.Float64).map_batches(to_text, return_dtype=pl.Utf8)
    return as_text.alias(column)
