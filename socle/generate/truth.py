"""Ground truth that the pipeline's published figures must reproduce."""

from __future__ import annotations

import polars as pl

from socle.generate.months import Month


def active_persons_month_end(registrations: pl.DataFrame, months: list[Month]) -> dict[str, int]:
    """CAP_REGISTERED truth: distinct persons with a spell active at the end of each month
    (`start <= d` and `exit` null or `> d`, any operator).

    `registrations` holds a person column (`pid` or `person_id`), `start` and `exit`,
    as day numbers or dates. Pass each spell's final exit: by the time month M is
    delivered, every exit up to M's end is known.
    """
    who = "pid" if "pid" in registrations.columns else "person_id"
    as_date = registrations.schema["start"] == pl.Date
    out = {}
    for m in months:
        last = m.last_date if as_date else m.last
        active = registrations.filter(
            (pl.col("start") <= last) & (pl.col("exit").is_null() | (pl.col("exit") > last))
        )
        out[m.label] = active[who].n_unique()
    return out
