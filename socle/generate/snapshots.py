"""Month slices: what each delivery holds (CONTRACT §1).

Snapshot extracts hold every spell open at any time during the month, as known at its
end: the spell is there if it started by the month end and had not ended before the
month began; its end (exit, end or closing date, and the reason) is shown only once it
has happened, so a spell that ends in M shows its end in M and is absent from M+1.
Event extracts hold the events dated in the month.
"""

from __future__ import annotations

import polars as pl

from socle.generate.months import Month


def snapshot(df: pl.DataFrame, month: Month, start: str, end: str,
             end_attributes: tuple[str, ...] = ()) -> pl.DataFrame:
    """Spells open during `month`; `end` and its attributes hidden while in the future."""
    known = pl.col(end) <= month.last
    return df.filter((pl.col(start) <= month.last) & (pl.col(end) >= month.first)).with_columns(
        pl.when(known).then(pl.col(c)).otherwise(None).alias(c) for c in (end, *end_attributes)
    )


def events(df: pl.DataFrame, month: Month, date: str = "date") -> pl.DataFrame:
    return df.filter(pl.col(date).is_between(month.first, month.last))
