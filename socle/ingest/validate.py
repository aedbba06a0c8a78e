"""`validate_file` (`socle validate`): the check an operator runs before sending, with the
pipeline's own code.

No database: the file is validated into an in-memory DuckDB with the installation's reference
(`SOCLE_DATA_DIR/reference` when it has one, else the bundled copy, as the pipeline loads it),
then the report is read from the same pending tables the pipeline would load from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

import schemas
from schemas._base import DeliveryContext
from schemas.codes import OPERATORS
from socle.config import Paths
from socle.ingest.communes import Lookups
from socle.ingest.discover import landing_path_problem, parse_landing_path
from socle.ingest.errors import Rejected
from socle.ingest.pending import quarantine_rows, validate_delivery
from socle.settings import Settings

MAX_LINES = 20


@dataclass
class ValidationReport:
    path: Path
    extract: str
    operator: str | None
    month: date | None
    status: str  # accepted | partial | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    message: str = ""
    rule: str | None = None
    reason_counts: dict[str, int] = field(default_factory=dict)
    failing_lines: list[tuple[int, str | None, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # the layout rule the file's path breaks, when it sits in a landing folder: the pipeline
    # would not read it at all
    path_problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when every row would load (exact duplicate rows are dropped, not refused) and
        the pipeline would read the file where it lies."""
        return self.status == "accepted" and self.path_problem is None

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def render(self) -> str:
        month = f"{self.month:%Y-%m}" if self.month else "unknown month"
        lines = [f"{self.path.name} ({self.extract}, operator {self.operator or 'unknown'}, "
                 f"{month}): {self.verdict()}"]
        if self.path_problem:
            lines.append(f"  not read by the pipeline where it lies: {self.path_problem}")
        if self.status == "rejected":
            lines.append(f"  rejected [{self.rule}]: {self.message}")
        else:
            lines.append(f"  rows read {self.rows_read}: {self.rows_loaded} would load, "
                         f"{self.rows_quarantined} quarantined, {self.rows_duplicate} exact "
                         "duplicates dropped")
        if self.reason_counts:
            lines.append("  rows by rule:")
            lines += [f"    {reason:<45} {n}" for reason, n in self.reason_counts.items()]
        if self.failing_lines:
            id_col = schemas.id_column(self.extract)
            lines.append(f"  first failing lines (line 1 = first data row, {id_col}):")
            lines += [f"    line {ln:>7}  {rid or '-':<20} {why}"
                      for ln, rid, why in self.failing_lines]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def verdict(self) -> str:
        if self.path_problem and self.status == "accepted":
            return "NOT OK, the rows are fine but the file is misnamed"
        return {"accepted": "OK, the file would load whole",
                "partial": "NOT OK, some rows would be quarantined",
                "rejected": "NOT OK, the file would be rejected"}[self.status]


def _check_path(report: ValidationReport, path: Path, extract: str) -> None:
    """The landing layout, checked where it can be: in an operator's folder a path the
    pipeline would skip fails the check; elsewhere (a file checked before it is renamed and
    sent) a misfit name is only noted."""
    problem = landing_path_problem(path)
    _, _, named = parse_landing_path(path)
    if problem is None and named is not None and named != extract:
        problem = f"the name says {named}, not {extract}: the pipeline would read it as {named}"
    if problem is None:
        return
    in_landing = path.parent.name.upper() in OPERATORS or \
        path.parent.parent.name.upper() in OPERATORS
    if in_landing:
        report.path_problem = problem
    else:
        report.notes.append(f"file name: {problem}; name it so before delivering")


def validate_file(
    path: Path | str,
    extract: str,
    operator: str | None = None,
    month: date | None = None,
    *,
    key: bytes | None = None,
) -> ValidationReport:
    """Validate one file as the pipeline would; operator and month default to the landing path.

    Without a month the in-month date rules cannot run, without an operator neither can the
    FT-only ones; the report says so. The key defaults to `SOCLE_PSEUDONYMISATION_KEY`.
    """
    path = Path(path)
    p_op, p_month, _ = parse_landing_path(path)
    operator = operator or p_op
    month = month or p_month
    settings = Settings.from_env()
    key = key if key is not None else settings.pseudonymisation_key
    report = ValidationReport(path, extract, operator, month, "rejected")
    _check_path(report, path, extract)
    if month is None:
        report.notes.append("month unknown: date-in-month rules not checked (give --month)")
    if operator is None:
        report.notes.append("operator unknown: operator-specific rules not checked")
    source = path.name
    con = duckdb.connect()
    try:
        pending = validate_delivery(con, [(path, source)], extract,
                                    DeliveryContext(operator, month),
                                    lookups=Lookups.bundled(Paths(settings.data_dir).reference),
                                    key=key)
    except Rejected as e:
        report.message, report.rule, report.rows_read = e.message, e.rule, e.rows_read
        con.close()
        return report
    try:
        c = pending.counts.get(source, {})
        for k, v in c.items():
            setattr(report, k, v)
        report.reason_counts = pending.reason_counts
        report.status = "partial" if report.rows_quarantined else "accepted"
        nothing = pending.nothing_loads_message()
        if nothing is not None:  # as the pipeline does: rejected, the rows still listed
            report.status, report.rule = "rejected", "nothing_loaded"
            report.message = f"{source}: {nothing}"
        id_col = schemas.id_column(extract)
        report.failing_lines = [
            (r[0], r[1], r[2]) for r in con.execute(
                f"""SELECT line_number, "{id_col}", reasons FROM ({quarantine_rows(extract)})
                    ORDER BY line_number LIMIT {MAX_LINES}""").fetchall()
        ]
        report.notes += pending.notes()[1]
        if report.rows_duplicate:
            report.notes.append(f"{report.rows_duplicate} exact duplicate rows would be dropped")
    finally:
        con.close()
    return report
