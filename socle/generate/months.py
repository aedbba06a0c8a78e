"""Calendar helpers: every date is handled as an int32 day number (days since 1970-01-01),
so spells and events are plain numpy arrays until they are written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from socle.months import month_end, month_key, months_between, parse_month

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


def month_range(months: tuple[str, str]) -> list[Month]:
    """The months from `months[0]` to `months[1]` (`YYYY-MM`), both included."""
    first, last = parse_month(months[0]), parse_month(months[1])
    if first > last:
        raise ValueError(f"empty month range {months[0]}:{months[1]}")
    return [Month(month_key(m), day_number(m), day_number(month_end(m)))
            for m in months_between(first, last)]
