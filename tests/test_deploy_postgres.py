"""The production Dagster instance (deploy/dagster.yaml) on a real PostgreSQL server: a small
generated network goes through Dagster's jobs, as the sensors launch them (ingestion of each
slice, then indicators and exports of its months), and PostgreSQL holds the runs, their
tags and every materialization and asset check.

The server comes from SOCLE_TEST_PG_HOST, _PORT, _USER, _PASSWORD, _DB (`.ci/with-postgres`
starts a throwaway one); each test run works in a database of its own, dropped at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from services import service_missing

from assets.automation import WRITER_TAG
from assets.partitions import slice_key
from assets.resources import SocleData
from schemas.codes import EXTRACTS, OPERATORS
from socle.generate import generate_landing

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
MONTHS = ("2024-01", "2024-02")
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


@pytest.fixture(scope="module")
def pg_database() -> Iterator[dict[str, str]]:
    """The DAGSTER_PG_* settings of a fresh database on the test server."""
    host = os.environ.get("SOCLE_TEST_PG_HOST")
    if not host:
        service_missing("no PostgreSQL server: SOCLE_TEST_PG_HOST is not set "
                        "(run the tests under .ci/with-postgres)")
    import psycopg2  # dagster-postgres' driver

    server = {"host": host, "port": os.environ.get("SOCLE_TEST_PG_PORT", "5432"),
              "user": os.environ.get("SOCLE_TEST_PG_USER", "postgres"),
              "password": os.environ.get("SOCLE_TEST_PG_PASSWORD", "")}
    try:
        admin = psycopg2.connect(dbname=os.environ.get("SOCLE_TEST_PG_DB", "postgres"),
                                 connect_timeout=10, **server)
    except psycopg2.OperationalError as e:
        service_missing(f"PostgreSQL at {host}:{server['port']} does not answer: {e}")
    admin.autocommit = True
    name = f"socle_dagster_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DAGSTER_PG_HOST": host, "DAGSTER_PG_PORT": server["port"],
               "DAGSTER_PG_USER": server["user"], "DAGSTER_PG_PASSWORD": server["password"],
               "DAGSTER_PG_DB": name}
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _query(settings: dict[str, str], sql: str) -> list[tuple]:
    import psycopg2

    con = psycopg2.connect(host=settings["DAGSTER_PG_HOST"], port=settings["DAGSTER_PG_PORT"],
                           user=settings["DAGSTER_PG_USER"],
                           password=settings["DAGSTER_PG_PASSWORD"],
                           dbname=settings["DAGSTER_PG_DB"])
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


def test_a_generated_network_runs_on_the_postgres_instance(
    pg_database: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home, data = tmp_path / "dagster_home", tmp_path / "data"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    for name, value in {**pg_database, "DAGSTER_HOME": str(home),
                        "SOCLE_DATA_DIR": str(data)}.items():
        monkeypatch.setenv(name, value)
    generate_landing(data / "landing", 800, MONTHS, seed=7, progress=None)

    # The instance as the services see it, by Dagster's own command.
    info = subprocess.run([str(Path(sys.executable).parent / "dagster"), "instance", "info"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert info.returncode == 0, info.stderr
    for storage in ("PostgresRunStorage", "PostgresEventLogStorage", "PostgresScheduleStorage"):
        assert f": {storage}" in info.stdout

    from pipelines.definitions import defs

    ingest = defs.resolve_job_def("ingest_job")
    monthly = defs.resolve_job_def("monthly_job")
    resources = {"socle": SocleData(data_dir=str(data))}
    operators = sorted(OPERATORS)
    slices = [(m, op) for m in MONTHS for op in operators]
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        for month, operator in slices:
            result = ingest.execute_in_process(
                instance=instance, partition_key=slice_key(month, operator),
                resources=resources)
            assert result.success
        result = monthly.execute_in_process(
            instance=instance, resources=resources,
            tags={RANGE_START: MONTHS[0], RANGE_END: MONTHS[-1]})
        assert result.success

    # From PostgreSQL: every run succeeded and carries the tags the queue limits read.
    runs = len(slices) + 1
    assert _query(pg_database, "SELECT status, count(*) FROM runs GROUP BY status") == [
        ("SUCCESS", runs)]
    [(writer, value)] = WRITER_TAG.items()
    assert _query(pg_database, f"SELECT count(*) FROM run_tags WHERE key = '{writer}' "
                               f"AND value = '{value}'") == [(runs,)]
    assert sorted(_query(pg_database, "SELECT value, count(*) FROM run_tags WHERE key = "
                                      "'dagster/partition/operator' GROUP BY value")) == [
        (op, len(MONTHS)) for op in operators]

    # Every asset of each job materialized for each of its partitions, recorded once.
    recorded = _query(pg_database, """
        SELECT asset_key, partition, count(*) FROM event_logs
        WHERE dagster_event_type = 'ASSET_MATERIALIZATION' GROUP BY 1, 2""")
    expected = {(key, f"{m}|{op}") for key in ingest.asset_layer.selected_asset_keys
                for m, op in slices}
    expected |= {(key, m) for key in monthly.asset_layer.selected_asset_keys for m in MONTHS}
    assert {(dg.AssetKey(json.loads(k)), p) for k, p, _n in recorded} == expected
    assert {n for _k, _p, n in recorded} == {1}

    # The ingestion checks of each slice, evaluated and stored; rows always accounted for.
    checks = _query(pg_database, """
        SELECT check_name, execution_status, count(*) FROM asset_check_executions
        GROUP BY 1, 2""")
    assert ("rows_accounted", "SUCCEEDED", len(slices) * len(EXTRACTS)) in checks  # per table
    assert not [c for c in checks if c[0] == "rows_accounted" and c[1] != "SUCCEEDED"]
