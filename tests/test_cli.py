"""Command-line parsing: month ranges and choices fail early with a clear message."""

import argparse
from datetime import date

import pytest

from socle.cli import _month_range, _months_between, build_parser, main


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


@pytest.mark.parametrize("argv, message", [
    (["generate", "--out", "x", "--persons", "0", "--months", "2024-01"],
     "argument --persons: expected a whole number of at least 1, got '0'"),
    (["demo", "--persons", "-5"], "argument --persons: expected a whole number of at least 1"),
    (["generate", "--out", "x", "--persons", "5", "--months", "24-01"],
     "argument --months: expected a month as YYYY-MM, got '24-01'"),
    (["validate", "f.csv", "--extract", "hires", "--month", "2024-13"],
     "argument --month: expected a month as YYYY-MM, got '2024-13'"),
])
def test_bad_arguments_get_a_usage_error_not_a_traceback(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_an_output_folder_that_is_a_file_is_one_line_exit_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["generate", "--out", str(blocker), "--persons", "5",
                 "--months", "2024-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("socle generate: ") and "Not a directory" in err
    assert len(err.strip().splitlines()) == 1
