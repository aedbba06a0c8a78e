"""Building blocks shared by the extract schemas.

Each extract schema is built for a delivery context (operator, month) because some
rules depend on it: dates inside the delivery month, `category` required for FT.
Column metadata carries the French and English labels the data dictionary is
generated from, so nothing about a column is written twice.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandera.polars as pa
import polars as pl

PERSON_ID_PATTERN = r"^[0-9a-f]{64}$"
COMMUNE_PATTERN = r"^([0-9]{5}|2[AB][0-9]{3})$"
SIRET_PATTERN = r"^[0-9]{14}$"
ROME_PATTERN = r"^[A-Z][0-9]{4}$"
MIN_DATE = date(1990, 1, 1)

# Cross-column rule name (`column:rule`) → the columns its expression reads. Ingestion uses it
# to drop a rule's reason when one of those columns is already reported as unparseable.
ROW_CHECK_COLUMNS: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class DeliveryContext:
    """What a schema needs to know about the delivery it validates."""

    operator: str | None = None
    month: date | None = None  # first day of the delivery month

    @property
    def month_end(self) -> date | None:
        if self.month is None:
            return None
        last = calendar.monthrange(self.month.year, self.month.month)[1]
        return self.month.replace(day=last)


NO_CONTEXT = DeliveryContext()  # schema without delivery-dependent rules (docs, headers)


def column(
    dtype: type[pl.DataType] | pl.DataType,
    fr: str,
    en: str,
    *,
    required: bool = False,
    checks: list[pa.Check] | None = None,
    unique: bool = False,
    present: bool = True,
) -> pa.Column:
    """A schema column; `required` means a value is mandatory, `present` that the column is."""
    return pa.Column(
        dtype,
        checks=checks or [],
        nullable=not required,
        unique=unique,
        required=present,
        metadata={"fr": fr, "en": en, "mandatory": required},
    )


def isin(values: tuple[str, ...]) -> pa.Check:
    return pa.Check.isin(list(values), name="code")


def matches(pattern: str, name: str = "format") -> pa.Check:
    return pa.Check.str_matches(pattern, name=name)


def row_check(name: str, expr: Callable[[], pl.Expr], fr: str) -> pa.Check:
    """A cross-column rule; `name` is `column:rule`, as reported in quarantine.

    `expr` builds a boolean expression that is true (or null) for valid rows.
    """

    ROW_CHECK_COLUMNS[name] = tuple(expr().meta.root_names())

    def check(data) -> pl.LazyFrame:
        return data.lazyframe.select(expr().fill_null(True).alias(name))

    return pa.Check(check, name=name, error=fr, description=fr)


def date_bounds(ctx: DeliveryContext, *, in_month: bool, min_date: date | None = None) -> list:
    """Date checks: inside the delivery month, or at most its end."""
    checks: list[pa.Check] = []
    if min_date is not None:
        checks.append(pa.Check.ge(min_date, name="min_date"))
    if ctx.month is not None:
        if in_month:
            checks.append(pa.Check.in_range(ctx.month, ctx.month_end, name="in_month"))
        else:
            checks.append(pa.Check.le(ctx.month_end, name="after_month_end"))
    return checks


def person_id(*, required: bool = True) -> pa.Column:
    """The network-wide pseudonymous person id, shared by every person-level extract."""
    return column(
        pl.Utf8, "Identifiant pseudonyme de la personne", "Pseudonymous person id",
        required=required, present=required, checks=[matches(PERSON_ID_PATTERN)],
    )


def end_not_before_start(start: str, end: str) -> pa.Check:
    """The cross-column rule of every spell: it cannot end before it starts."""
    return row_check(
        f"{end}:before_start",
        lambda: pl.col(end) >= pl.col(start),
        "la date de fin précède la date de début",
    )
