"""Calendar helpers: every date is handled as an int32 day number (days since 1970-01-01),
so spells and events are plain numpy arrays until they are written."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    return (d - EPOCH).days


MIN_REGISTRATION_DAY = day_number(date(1990, 1, 1))
DAY_2025 = day_number(date(2025, 1, 1))


@dataclass(frozen=True)
class Month:
    """One delivery month: its label and first/last day numbers (inclusive)."""

    label: str  # YYYY-MM
    first: int
    last: int

    @property
    def first_date(self) -> date:
        return date.fromordinal(EPOCH.toordinal() + self.first)

    @property
    def last_date(self) -> date:
        return date.fromordinal(EPOCH.toordinal() + self.last)


def parse_month(label: str) -> tuple[int, int]:
    year, month = label.split("-")
    y, m = int(year), int(month)
    if not (1 <= m <= 12 and len(year) == 4):
        raise ValueError(f"month must be YYYY-MM, got {label!r}")
    return y, m


def month_range(months: tuple[str, str]) -> list[Month]:
    """The months from `months[0]` to `months[1]`, both included."""
    (y, m), end = parse_month(months[0]), parse_month(months[1])
    if (y, m) > end:
        raise ValueError(f"empty month range {months[0]}:{months[1]}")
    out = []
    while (y, m) <= end:
        last = calendar.monthrange(y, m)[1]
        out.append(Month(f"{y:04d}-{m:02d}", day_number(date(y, m, 1)),
                         day_number(date(y, m, last))))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
