"""`audit.deliveries` states facts in columns: `loaded_at` in UTC (the order of attempts and
the recompute sensor's cursor), `retry` for a rejection to read again (not the message's
wording), and a table made before `retry` existed gains it with the values it implied."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from socle.ingest import audit, ingest_landing
from socle.staging import ensure_staging

A = hashlib.sha256(b"a").hexdigest()
MARCH = date(2024, 3, 1)
NIR = "185057505612388"  # control key 88 = 97 - 1850575056123 % 97

# audit.deliveries as it was created before the `retry` column.
OLD_AUDIT_DDL = """
CREATE TABLE audit.deliveries (
    operator VARCHAR NOT NULL, delivery_month DATE NOT NULL, extract VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL, status VARCHAR NOT NULL, message VARCHAR,
    loaded_at TIMESTAMP NOT NULL
)
"""


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _ingest(con: duckdb.DuckDBPyConnection, root: Path, key: bytes | None = None) -> list:
    return ingest_landing(con, root, key=key, progress=lambda _: None)


@pytest.fixture
def far_time_zone():
    """The process in UTC+14 (Kiribati), where local time is 14 hours ahead of UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_loaded_at_is_utc_whatever_the_server_time_zone(warehouse, tmp_path, far_time_zone):
    root = tmp_path / "landing"
    _write(root, "FT/2024-03/hires.csv",
           f"hire_id;person_id;hire_date;contract_type;contract_months\nH1;{A};2024-03-05;CDI;\n")
    [result] = _ingest(warehouse, root)
    assert result.status == "accepted"
    now = datetime.now(UTC).replace(tzinfo=None)
    for table in ("audit.deliveries", "staging.hires"):
        [(loaded_at,)] = warehouse.execute(f"SELECT loaded_at FROM {table}").fetchall()
        assert abs((now - loaded_at).total_seconds()) < 120, (table, loaded_at, now)


def test_an_environment_rejection_is_marked_retry_and_a_file_rejection_is_not(
    warehouse, tmp_path: Path
):
    root = tmp_path / "landing"
    # No pseudonymisation key: the files are not at fault.
    _write(root, "FT/2024-03/diagnostics.csv",
           f"diagnostic_id;nir;diagnostic_date;orientation\nD1;{NIR};2024-03-05;PRO\n")
    # A direct identifier: the files are at fault.
    _write(root, "ML/2024-03/diagnostics.csv",
           f"diagnostic_id;person_id;diagnostic_date;orientation;nom\nD1;{A};2024-03-05;PRO;X\n")
    results = _ingest(warehouse, root)
    assert sorted((r.operator, r.status, r.rule) for r in results) == [
        ("FT", "rejected", "nir_without_key"), ("ML", "rejected", "direct_identifier")]
    assert warehouse.execute(
        "SELECT operator, retry FROM audit.deliveries ORDER BY operator").fetchall() == [
        ("FT", True), ("ML", False)]
    # Only the files' own rejection is remembered (the FT files are read again next run).
    assert list(audit.latest_rejections(warehouse)) == [("ML", MARCH, "diagnostics")]


def _reject(con: duckdb.DuckDBPyConnection, operator: str, message: str, retry: bool) -> None:
    audit.record(con, operator=operator, month=MARCH, extract="hires",
                 files=[{"source_file": f"{operator}/2024-03/hires.csv", "sha256": A,
                         "message": message}],
                 status="rejected", loaded_at=datetime(2024, 4, 2, 9), retry=retry)


def test_retry_is_read_from_the_column_not_from_the_message(warehouse):
    # Worded as a file rejection but caused by the environment, and the other way round.
    _reject(warehouse, "FT", "rejected: hires.csv: permission denied", retry=True)
    _reject(warehouse, "ML", "rejected (tried again next run): hires.csv: bad", retry=False)
    assert list(audit.latest_rejections(warehouse)) == [("ML", MARCH, "hires")]


def test_an_audit_table_from_before_the_retry_column_gains_it_from_the_old_wording():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA audit")
    con.execute(OLD_AUDIT_DDL)
    rows = [("FT", "rejected", "rejected (tried again next run): no key"),
            ("ML", "rejected", "rejected: hires.csv: missing column hire_date"),
            ("CE", "accepted", None)]
    for operator, status, message in rows:
        con.execute("INSERT INTO audit.deliveries VALUES (?, DATE '2024-03-01', 'hires', "
                    "'f.csv', 'aa', 1, 0, 0, 0, ?, ?, TIMESTAMP '2024-04-02 09:00')",
                    [operator, status, message])
    ensure_staging(con)
    ensure_staging(con)  # a second time changes nothing
    assert con.execute("SELECT operator, retry FROM audit.deliveries ORDER BY operator"
                       ).fetchall() == [("CE", False), ("FT", True), ("ML", False)]
    assert list(audit.latest_rejections(con)) == [("ML", MARCH, "hires")]
    # New attempts go in by name whatever the column order of the migrated table.
    _reject(con, "APEC", "rejected: x", retry=False)
    assert con.execute("SELECT retry, message FROM audit.deliveries WHERE operator = 'APEC'"
                       ).fetchall() == [(False, "rejected: x")]
