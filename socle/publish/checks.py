"""Checks on what a publication is about to replace: all must pass, or nothing is published.

Each check reads a publication (`Candidate`): the snapshot's tables, the export folders it
writes, and what the working database says was delivered. The same functions are the
Dagster asset checks on the published assets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

LEVELS = ("NAT", "REG", "DEP", "BASSIN")
# Values are doubles computed by sums and averages: compare with this slack.
EPSILON = 1e-9
SHOWN = 5  # failures quoted in a message; the count says how many there are


@dataclass
class Candidate:
    """What is about to be published."""

    snapshot: duckdb.DuckDBPyConnection
    loaded_months: list[date]
    accounting_errors: list[str]
    export_folders: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class CheckResult:
    name: str
    description: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    def render(self) -> str:
        if self.passed:
            return f"{self.name}: ok"
        more = len(self.failures) - SHOWN
        quoted = "; ".join(self.failures[:SHOWN]) + (f"; … {more} more" if more > 0 else "")
        return f"{self.name}: {len(self.failures)} failure(s): {quoted}"


class PublicationRefused(RuntimeError):
    """A check failed: nothing was published."""

    def __init__(self, checks: list[CheckResult]):
        self.checks = checks
        self.failed = [c for c in checks if not c.passed]
        super().__init__("publication refused, check failed: "
                         + " | ".join(c.render() for c in self.failed))


def deliveries_accounted(c: Candidate) -> list[str]:
    return c.accounting_errors


def rates_within_unit_interval(c: Candidate) -> list[str]:
    rows = c.snapshot.execute(
        f"""SELECT v.* FROM indicators.indicator_values v
            JOIN ref.indicators i ON i.code = v.indicator_code
            WHERE i.aggregation = 'rate' AND (v.value < -{EPSILON} OR v.value > 1 + {EPSILON}
                  OR v.numerator > v.denominator OR v.numerator < 0)
            ORDER BY ALL"""
    ).fetchall()
    return [f"{_cell(r)} = {r[8]} ({r[6]}/{r[7]})" for r in rows]


def counts_within_nation(c: Candidate) -> list[str]:
    """No count (a count indicator's value, any denominator) is negative or above the same
    cell's national figure: every territory is part of the nation."""
    rows = c.snapshot.execute(
        """WITH sized AS (
               SELECT v.*, CASE WHEN i.aggregation = 'count' THEN v.value
                                ELSE v.denominator END AS size
               FROM indicators.indicator_values v
               JOIN ref.indicators i ON i.code = v.indicator_code
           ),
           nat AS (SELECT period, indicator_code, breakdown, breakdown_value, size AS nat
                   FROM sized WHERE level = 'NAT')
           SELECT s.* EXCLUDE (size), s.size, n.nat FROM sized s
           LEFT JOIN nat n USING (period, indicator_code, breakdown, breakdown_value)
           WHERE s.size < 0 OR (s.level <> 'NAT' AND s.size > coalesce(n.nat, 0))
           ORDER BY ALL"""
    ).fetchall()
    return [f"{_cell(r)}: {r[10]:g} above the nation's {r[11] or 0:g}" if r[10] >= 0
            else f"{_cell(r)}: negative {r[10]:g}" for r in rows]


def medians_within_their_parts(c: Candidate) -> list[str]:
    """A median over units that several cells partition (the nation's régions when their
    units add up to the nation's; a breakdown's modalities when they add up to the total)
    lies between the smallest and the largest median of those cells: at least half of the
    union's values lie at or below the largest, and at least half at or above the smallest."""
    rows = c.snapshot.execute(
        f"""WITH med AS (
                SELECT v.* FROM indicators.indicator_values v
                JOIN ref.indicators i ON i.code = v.indicator_code
                WHERE i.aggregation = 'median'
            ),
            parts AS (
                SELECT period, indicator_code, 'NAT' AS level, 'FR' AS territory_code,
                       breakdown, breakdown_value, 'régions' AS by,
                       sum(denominator) AS d, min(value) AS lo, max(value) AS hi
                FROM med WHERE level = 'REG' GROUP BY ALL
                UNION ALL
                SELECT period, indicator_code, level, territory_code, 'total', 'total',
                       breakdown, sum(denominator), min(value), max(value)
                FROM med WHERE breakdown <> 'total' GROUP BY ALL
            )
            SELECT m.period, m.indicator_code, m.level, m.territory_code, m.breakdown,
                   m.breakdown_value, p.by, m.value, p.lo, p.hi
            FROM med m JOIN parts p
              USING (period, indicator_code, level, territory_code, breakdown, breakdown_value)
            WHERE p.d = m.denominator AND m.value IS NOT NULL
              AND (m.value < p.lo - {EPSILON} OR m.value > p.hi + {EPSILON})
            ORDER BY ALL"""
    ).fetchall()
    return [f"{_cell(r)} median {r[7]:g} outside its {r[6]}' [{r[8]:g}, {r[9]:g}]"
            for r in rows]


def months_at_every_level(c: Candidate) -> list[str]:
    present = {
        (p, level) for p, level in c.snapshot.execute(
            "SELECT DISTINCT period, level FROM indicators.indicator_values").fetchall()
    }
    return [f"{m:%Y-%m} has no value at level {level}"
            for m in c.loaded_months for level in LEVELS if (m, level) not in present]


def manifests_match_files(c: Candidate) -> list[str]:
    """Every file an export folder holds is in its manifest with its hash, and only those."""
    failures = []
    for folder in c.export_folders:
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            failures.append(f"{folder.name}: no manifest.json")
            continue
        listed = {f["file"]: f["sha256"]
                  for f in json.loads(manifest_path.read_text(encoding="utf-8"))["files"]}
        present = {str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file() and p != manifest_path}
        failures += [f"{folder.name}/{name}: not in the manifest"
                     for name in sorted(present - set(listed))]
        failures += [f"{folder.name}/{name}: listed, missing"
                     for name in sorted(set(listed) - present)]
        failures += [
            f"{folder.name}/{name}: sha256 differs from the manifest"
            for name in sorted(present & set(listed))
            if hashlib.sha256((folder / name).read_bytes()).hexdigest() != listed[name]
        ]
    return failures


CHECKS: dict[str, tuple[str, Callable[[Candidate], list[str]]]] = {
    "deliveries_accounted": (
        "every delivery's rows read = loaded + quarantined + duplicates, and the loaded "
        "tables agree with the audit", deliveries_accounted),
    "rates_within_0_1": ("rates within [0, 1], numerators within their denominators",
                         rates_within_unit_interval),
    "counts_within_nation": ("no count negative or above the nation's",
                             counts_within_nation),
    "medians_within_parts": ("medians within the range of the medians of their parts",
                             medians_within_their_parts),
    "months_at_every_level": ("every loaded month has values at NAT, REG, DEP and BASSIN",
                              months_at_every_level),
    "manifests_match_files": ("every export file listed in its manifest with its sha256",
                              manifests_match_files),
}


def run_checks(candidate: Candidate) -> list[CheckResult]:
    return [CheckResult(name, description, tuple(check(candidate)))
            for name, (description, check) in CHECKS.items()]


def _cell(r: tuple) -> str:
    return f"{r[0]:%Y-%m} {r[1]} {r[2]} {r[3]} {r[4]}={r[5]}"
