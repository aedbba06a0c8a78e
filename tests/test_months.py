"""Month arithmetic, the one module every month computation goes through."""

from __future__ import annotations

from datetime import date

import pytest

from socle.months import (
    add_months,
    month_end,
    month_key,
    month_or_none,
    month_start,
    months_between,
    parse_month,
)


def test_parse_and_key_round_trip():
    assert parse_month("2024-02") == date(2024, 2, 1)
    assert month_key(date(2024, 2, 29)) == "2024-02"
    assert month_key(date(987, 3, 1)) == "0987-03"


@pytest.mark.parametrize("bad", ["2024-13", "2024-00", "2024-2", "24-02", "2024/02",
                                 " 2024-02", "2024-02-01", ""])
def test_anything_but_yyyy_mm_is_refused_with_the_text(bad):
    with pytest.raises(ValueError, match=f"expected a month as YYYY-MM, got {bad!r}"):
        parse_month(bad)
    assert month_or_none(bad) is None


def test_steps_across_years_and_month_lengths():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 1)
    assert add_months(date(2024, 11, 15), 2) == date(2025, 1, 1)
    assert add_months(date(2024, 3, 1), -6) == date(2023, 9, 1)
    assert add_months(date(2024, 1, 1), -13) == date(2022, 12, 1)
    assert month_start(date(2024, 5, 17)) == date(2024, 5, 1)
    assert month_end(date(2024, 2, 3)) == date(2024, 2, 29)
    assert month_end(date(2023, 2, 3)) == date(2023, 2, 28)
    assert month_end(date(2024, 12, 1)) == date(2024, 12, 31)


def test_months_between_includes_both_ends():
    assert months_between(date(2024, 11, 20), date(2025, 2, 3)) == [
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
    assert months_between(date(2024, 5, 1), date(2024, 5, 31)) == [date(2024, 5, 1)]
    assert months_between(date(2024, 6, 1), date(2024, 5, 1)) == []
