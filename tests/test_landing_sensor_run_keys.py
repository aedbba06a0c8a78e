"""The landing sensor's run keys: Dagster launches a run key once per sensor, so a key must
change with every change of a slice's files, and must not depend on the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets.automation import landing_sensor
from assets.resources import SocleData

# Evaluates the sensor on the landing folder given in argv and prints its run keys.
_SENSOR_IN_A_SUBPROCESS = """
import json, sys
import dagster as dg
from assets.automation import landing_sensor
from assets.resources import SocleData
context = dg.build_sensor_context(resources={"socle": SocleData(data_dir=sys.argv[1])})
print(json.dumps([r.run_key for r in landing_sensor(context).run_requests]))
"""


def _evaluate(root: Path, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(resources={"socle": SocleData(data_dir=str(root))},
                                      cursor=cursor)
    return landing_sensor(context)


def _deliver(root: Path, content: bytes) -> None:
    path = root / "landing" / "ML" / "2024-02" / "hires.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_a_slice_back_to_an_earlier_content_gets_a_new_run_key(tmp_path: Path):
    cursor, keys = None, []
    for content in (b"A\n", b"B\n", b"A\n"):  # a re-delivery, then the first files again
        _deliver(tmp_path, content)
        result = _evaluate(tmp_path, cursor)
        assert [str(r.partition_key) for r in result.run_requests] == ["2024-02|ML"]
        keys.append(result.run_requests[0].run_key)
        cursor = result.cursor
    # With the first key again, Dagster would skip the third run: A would stay unloaded.
    assert len(set(keys)) == 3
    assert _evaluate(tmp_path, cursor).run_requests == []


@pytest.mark.slow  # a second interpreter loads dagster and the definitions
def test_run_keys_are_the_same_in_another_process(tmp_path: Path):
    _deliver(tmp_path, b"A\n")
    here = [r.run_key for r in _evaluate(tmp_path, None).run_requests]
    # Another string-hash seed than this process's, as a restarted code server would have.
    env = {**os.environ, "PYTHONHASHSEED": "1" if os.environ.get("PYTHONHASHSEED") != "1"
           else "2"}
    out = subprocess.run([sys.executable, "-c", _SENSOR_IN_A_SUBPROCESS, str(tmp_path)],
                         env=env, capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here


def test_a_cursor_written_before_change_counts_is_read(tmp_path: Path):
    """Cursors stored before the counts held each slice's digest alone: such a slice is not
    launched again while its files stay the same."""
    _deliver(tmp_path, b"A\n")
    first = _evaluate(tmp_path, None)
    old = {k: v[0] for k, v in json.loads(first.cursor).items()}
    assert _evaluate(tmp_path, json.dumps(old)).run_requests == []
