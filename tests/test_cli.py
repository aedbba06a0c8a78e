"""Command-line parsing: month ranges and choices fail early with a clear message."""

import argparse
from datetime import date

import pytest

from socle.cli import _month_range, _months_between, build_parser


def test_month_range_accepts_one_month_or_a_range():
    assert _month_range("2024-03") == ("2024-03", "2024-03")
    assert _months_between(_month_range("2024-11:2025-02")) == {
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1),
    }


@pytest.mark.parametrize("bad", ["2024-13", "2024/01", "2024-05:2024-01"])
def test_month_range_rejects_nonsense(bad):
    with pytest.raises(argparse.ArgumentTypeError):
        _month_range(bad)


def test_validate_requires_a_known_extract(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["validate", "x.csv", "--extract", "inscriptions"])
    assert exc.value.code == 2
    assert "invalid choice: 'inscriptions'" in capsys.readouterr().err
