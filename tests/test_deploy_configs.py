"""The production configuration files (deploy/, shown by docs/deploy.md) are valid as they
stand: the Dagster instance against Dagster's own schemas, the environment file against the
settings the code reads, the systemd units against the commands they start, the backup
script on a database."""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from dagster._config import process_config
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import pg_url_from_config

from assets.automation import WRITER_TAG
from socle.settings import VARIABLES

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALL_DIR = "/opt/socle"  # where docs/deploy.md installs the project
ENV_FILE = "/etc/socle/socle.env"


def _env_example() -> dict[str, str]:
    out = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not NAME=value: {line!r}"
            out[name] = value
    return out


def _instance_yaml() -> dict:
    return yaml.safe_load((DEPLOY / "dagster.yaml").read_text(encoding="utf-8"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    assert parser.read(path, encoding="utf-8") == [str(path)]
    return parser


def _env_vars_named(node: object) -> set[str]:
    """Every `env:` source in a Dagster config tree."""
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return {node["env"]}
        return set().union(*(_env_vars_named(v) for v in node.values()))
    return set()


def test_the_instance_loads_with_its_queue_limits_retries_and_no_telemetry(tmp_path: Path):
    """Everything but the storage, on an instance with the same file and SQLite storage (the
    PostgreSQL storage itself: next test, and tests/test_deploy_postgres.py)."""
    config = _instance_yaml()
    config["storage"] = {"sqlite": {"base_dir": str(tmp_path / "storage")}}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        queue = instance.get_concurrency_config().run_queue_config
        [writer_key] = WRITER_TAG
        assert queue.tag_concurrency_limits == [
            {"key": writer_key, "limit": 1},
            {"key": "dagster/partition/operator", "value": {"applyLimitPerUniqueValue": True},
             "limit": 1},
        ]
        assert queue.max_concurrent_runs > 1  # room for runs that only read
        assert (instance.run_retries_enabled, instance.run_retries_max_retries) == (True, 2)
        assert instance.run_monitoring_enabled
        assert not instance.telemetry_enabled
    finally:
        instance.dispose()


def test_the_postgres_storage_reads_its_connection_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
):
    env = {"DAGSTER_PG_HOST": "db.example", "DAGSTER_PG_PORT": "5433",
           "DAGSTER_PG_USER": "socle", "DAGSTER_PG_PASSWORD": "p@ss word",
           "DAGSTER_PG_DB": "dagster"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    storage = _instance_yaml()["storage"]["postgres"]
    assert _env_vars_named(storage) == set(env)
    result = process_config(DagsterPostgresStorage.config_type(), storage)
    assert result.success, result.errors
    assert pg_url_from_config(result.value) == (
        "postgresql+psycopg2://socle:p%40ss%20word@db.example:5433/dagster")


def test_env_example_sets_every_setting_the_code_and_the_instance_read():
    names = set(_env_example())
    assert {"SOCLE_DATA_DIR", "SOCLE_PSEUDONYMISATION_KEY"} <= set(VARIABLES)
    assert set(VARIABLES) - names == set(), "settings missing from deploy/env.example"
    assert _env_vars_named(_instance_yaml()) | {"DAGSTER_HOME"} <= names


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_systemd_unit_starts_a_command_of_the_project(unit: Path):
    parser = _unit(unit)
    assert parser.sections() == ["Unit", "Service", "Install"]
    service = parser["Service"]
    assert service["WorkingDirectory"] == INSTALL_DIR
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["User"] == "socle"
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    program, *args = shlex.split(service["ExecStart"])
    # Installed at INSTALL_DIR/.venv, the same program as in this environment's venv.
    installed = Path(program)
    assert installed.parent == Path(INSTALL_DIR) / ".venv" / "bin"
    assert (Path(sys.executable).parent / installed.name).exists(), installed.name
    # The code location it loads is this project's Definitions.
    assert args[args.index("-m") + 1] == "pipelines.definitions"


def test_the_units_are_the_webserver_and_the_daemon():
    starts = {Path(shlex.split(_unit(u)["Service"]["ExecStart"])[0]).name for u in UNITS}
    assert starts == {"dagster-webserver", "dagster-daemon"}


def test_docs_deploy_names_only_files_that_exist_and_every_deploy_file():
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    named = set(re.findall(r"deploy/[\w./*-]*[\w*]", text))  # paths, or globs of paths
    assert {n for n in named if not list(ROOT.glob(n))} == set()
    files = {p.relative_to(ROOT).as_posix() for p in DEPLOY.rglob("*") if p.is_file()
             and "__pycache__" not in p.parts}
    assert {f for f in files if not any(fnmatch(f, n) for n in named)} == set(), (
        "deploy files docs/deploy.md does not explain")


def _backup(source: Path, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEPLOY / "backup_working_db.py"), str(source),
                           str(target)], capture_output=True, text=True, timeout=120)


def test_backup_copies_the_working_database_and_waits_for_no_writer(tmp_path: Path):
    source = tmp_path / "socle.duckdb"
    con = duckdb.connect(str(source))
    con.execute("CREATE SCHEMA audit")
    con.execute("CREATE TABLE audit.deliveries AS SELECT range AS n FROM range(7)")
    # A run holds the database: refused, nothing left behind.
    busy = _backup(source, tmp_path / "busy.duckdb")
    assert busy.returncode == 1 and "in use by a run" in busy.stderr
    assert [p.name for p in tmp_path.glob("busy*")] == []
    con.close()
    done = _backup(source, tmp_path / "copy.duckdb")
    assert done.returncode == 0, done.stderr
    copy = duckdb.connect(str(tmp_path / "copy.duckdb"), read_only=True)
    assert copy.execute("SELECT sum(n) FROM audit.deliveries").fetchone() == (21,)
    copy.close()
    # Never over an earlier backup.
    again = _backup(source, tmp_path / "copy.duckdb")
    assert again.returncode == 2 and "exists" in again.stderr
