"""Settings: every SOCLE_* variable read in one place, typed, and refused with its name and
value when socle cannot use it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from assets.resources import socle_data_from_settings
from socle.settings import SettingError, Settings


def test_defaults_when_nothing_is_set():
    s = Settings.from_env({})
    assert s.data_dir == Path("data").resolve()
    assert s.pseudonymisation_key is None
    assert (s.secret_threshold, s.duckdb_memory, s.first_month) == (5, "3GB", date(2023, 1, 1))
    assert (s.publish_row_level, s.delivery_deadline_day) == (False, 8)
    assert s.from_environment == frozenset()


def test_every_variable_is_read_and_typed(tmp_path: Path):
    s = Settings.from_env({
        "SOCLE_DATA_DIR": str(tmp_path), "SOCLE_PSEUDONYMISATION_KEY": "clé ",
        "SOCLE_SECRET_THRESHOLD": "11", "SOCLE_DUCKDB_MEMORY": "512MiB",
        "SOCLE_FIRST_MONTH": "2024-07", "SOCLE_PUBLISH_ROW_LEVEL": "true",
        "SOCLE_DELIVERY_DEADLINE_DAY": " 28 ", "SOCLE_EXPORT_WORKERS": "3",
    })
    assert s.data_dir == tmp_path
    assert s.pseudonymisation_key == "clé ".encode()  # a key is taken as is, spaces included
    assert (s.secret_threshold, s.duckdb_memory, s.first_month) == (11, "512MiB",
                                                                    date(2024, 7, 1))
    assert (s.publish_row_level, s.delivery_deadline_day, s.export_workers) == (True, 28, 3)
    assert "SOCLE_FIRST_MONTH" in s.from_environment
    assert "clé" not in repr(s)  # never printed in a log


def test_an_empty_variable_is_its_default():
    s = Settings.from_env({"SOCLE_SECRET_THRESHOLD": "", "SOCLE_PSEUDONYMISATION_KEY": ""})
    assert (s.secret_threshold, s.pseudonymisation_key) == (5, None)


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("SOCLE_SECRET_THRESHOLD", "cinq", "a whole number, 1 or more"),
    ("SOCLE_SECRET_THRESHOLD", "0", "a whole number, 1 or more"),
    ("SOCLE_DELIVERY_DEADLINE_DAY", "31", "a day of the month from 1 to 28"),
    ("SOCLE_DUCKDB_MEMORY", "3GB'; DROP TABLE x; --", "a memory size"),
    ("SOCLE_DUCKDB_MEMORY", "lots", "a memory size"),
    ("SOCLE_FIRST_MONTH", "2023-13", "a month as YYYY-MM"),
    ("SOCLE_FIRST_MONTH", "janvier", "a month as YYYY-MM"),
    ("SOCLE_PUBLISH_ROW_LEVEL", "peut-être", "1 or 0"),
    ("SOCLE_EXPORT_WORKERS", "-1", "a whole number, 1 or more"),
])
def test_a_bad_value_names_the_variable_and_the_value(variable, value, expected):
    with pytest.raises(SettingError) as caught:
        Settings.from_env({variable: value})
    assert str(caught.value).startswith(f"{variable}={value!r}: expected {expected}")
    assert caught.value.variable == variable


def test_the_dagster_resource_reads_a_set_data_dir_when_a_run_starts(tmp_path: Path,
                                                                     monkeypatch):
    monkeypatch.setenv("SOCLE_DATA_DIR", str(tmp_path / "then"))
    resource = socle_data_from_settings(Settings.from_env())
    monkeypatch.setenv("SOCLE_DATA_DIR", str(tmp_path / "now"))
    assert resource.process_config_and_initialize().paths.data_dir == tmp_path / "now"
    monkeypatch.delenv("SOCLE_DATA_DIR")
    unset = socle_data_from_settings(Settings.from_env())
    assert unset.process_config_and_initialize().paths.data_dir == Path("data").resolve()


def test_no_module_but_settings_reads_the_environment():
    root = Path(__file__).resolve().parents[1]
    readers = sorted(
        str(path.relative_to(root)) for folder in ("socle", "assets", "pipelines", "schemas")
        for path in (root / folder).rglob("*.py")
        if re.search(r"os\.environ|getenv", path.read_text(encoding="utf-8"))
    )
    assert readers == ["socle/settings.py"]
