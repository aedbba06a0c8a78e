"""Calendar months, the unit of every delivery, partition and indicator period.

A month is the `date` of its first day; its text form is `YYYY-MM`. Every module that
parses, steps or bounds months uses these, so a month means the same everywhere.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_LABEL = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> date:
    """`YYYY-MM` → the month's first day; a clear ValueError for anything else."""
    m = _LABEL.fullmatch(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    return date(int(m.group(1)), int(m.group(2)), 1)


def month_or_none(text: str) -> date | None:
    """`parse_month`, or None for text that names no month (a folder of another name)."""
    try:
        return parse_month(text)
    except ValueError:
        return None


def month_key(d: date) -> str:
    """The `YYYY-MM` of the month holding `d`."""
    return f"{d.year:04d}-{d.month:02d}"


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    """The last day of the month holding `d`."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """First day of the month `months` after the month of `d` (negative: before)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The months from the month of `first` to that of `last`, both included (none when
    `first` is later)."""
    out, current, last = [], month_start(first), month_start(last)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out
