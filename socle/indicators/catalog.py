"""The indicator catalog (`sql/indicators/catalog.toml`): what each indicator is and how
it is computed. Adding an indicator is one catalog entry plus one SQL file."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from socle.config import SQL_DIR
from socle.indicators.vocabulary import vocabulary

CATALOG_PATH = SQL_DIR / "indicators" / "catalog.toml"
# Shared denominators of rates (`denominator = "<name>"`): sql/populations/<name>.sql.
POPULATIONS_DIR = SQL_DIR / "populations"


def population_path(name: str) -> Path:
    """The SQL file of population `name` (its units, read as the view eng_pop_<name>)."""
    return POPULATIONS_DIR / f"{name}.sql"

FAMILIES = tuple(vocabulary().families)
AGGREGATIONS = ("count", "rate", "median")
UNITS = tuple(vocabulary().units)
# Breakdowns the shared roll-up knows (CONTRACT §4), besides 'total': sql/indicators/
# vocabulary.toml, which also names the slices indicator files emit.
BREAKDOWNS = vocabulary().names
SLICES = tuple(b.name for b in vocabulary().breakdowns)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("code", "family", "unit", "label_fr", "definition_fr", "aggregation", "sql_file")


@dataclass(frozen=True)
class Indicator:
    """One catalog entry."""

    code: str
    family: str
    unit: str
    label_fr: str
    definition_fr: str
    aggregation: str
    breakdowns: tuple[str, ...]
    sql_file: str
    months_after: int = 0  # loaded months needed after the period (6 for PERF_ACCESS_6M)
    # Months after the period whose data its value reads (PERF_ACCESS_6M: hires up to
    # M+6): a change dated in month C recomputes it from C minus this many months.
    looks_back_months: int = 0
    slices: tuple[str, ...] = ()  # breakdowns the SQL file emits itself, as rows
    # A rate over a shared population: the file yields its numerator units only, the
    # denominator is the population's count (sql/populations/<denominator>.sql).
    denominator: str = ""
    # The values of each slice of such a rate ((slice, (value, ...)), ...): each takes the
    # whole population as denominator, including where no unit of the value occurs.
    slice_values: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def sql_path(self) -> Path:
        return SQL_DIR / "indicators" / self.sql_file

    @property
    def population_path(self) -> Path | None:
        return population_path(self.denominator) if self.denominator else None

    @property
    def published_breakdowns(self) -> tuple[str, ...]:
        return ("total", *self.breakdowns, *self.slices)


class CatalogError(ValueError):
    """The catalog breaks a rule: the pipeline stops before computing anything."""


def parse_indicator(entry: dict, position: int = 1) -> Indicator:
    """One `[[indicator]]` entry of the catalog, checked; `position` names it in errors."""
    missing = [k for k in _REQUIRED if not entry.get(k)]
    if missing:
        raise CatalogError(f"indicator #{position}: missing {', '.join(missing)}")
    ind = Indicator(
        code=entry["code"],
        family=entry["family"],
        unit=entry["unit"],
        label_fr=entry["label_fr"].strip(),
        definition_fr=" ".join(entry["definition_fr"].split()),
        aggregation=entry["aggregation"],
        breakdowns=tuple(entry.get("breakdowns", ())),
        sql_file=entry["sql_file"],
        months_after=int(entry.get("months_after", 0)),
        looks_back_months=int(entry.get("looks_back_months", 0)),
        slices=tuple(entry.get("slices", ())),
        denominator=entry.get("denominator", ""),
        slice_values=tuple((k, tuple(v)) for k, v in entry.get("slice_values", {}).items()),
    )
    problems = []
    if ind.family not in FAMILIES:
        problems.append(f"family {ind.family!r} not in {FAMILIES}")
    if ind.aggregation not in AGGREGATIONS:
        problems.append(f"aggregation {ind.aggregation!r} not in {AGGREGATIONS}")
    if ind.unit not in UNITS:
        problems.append(f"unit {ind.unit!r} not in {UNITS}")
    unknown = [b for b in ind.breakdowns if b not in BREAKDOWNS]
    if unknown:
        problems.append(f"unknown breakdowns {unknown} (known: {BREAKDOWNS})")
    clash = set(ind.slices) & {"total", *ind.breakdowns}
    if clash:
        problems.append(f"slices {sorted(clash)} also listed as breakdowns (or 'total')")
    bad = [s for s in ind.slices if s not in SLICES]
    if bad:
        problems.append(f"slices {bad} are not in sql/indicators/vocabulary.toml (its "
                        "breakdowns, or an entry with source = \"slice\")")
    if ind.months_after < 0:
        problems.append("months_after < 0")
    if ind.looks_back_months < 0:
        problems.append("looks_back_months < 0")
    if ind.denominator:
        if ind.aggregation != "rate":
            problems.append("a denominator is for rates only")
        population = population_path(ind.denominator)
        if not _NAME.match(ind.denominator) or not population.is_file():
            problems.append(f"population {population} not found")
        missing_values = [s for s in ind.slices if s not in dict(ind.slice_values)]
        if missing_values:
            problems.append(f"slices {missing_values} need their values (slice_values)")
    stray = [s for s, _ in ind.slice_values if s not in ind.slices]
    if ind.slice_values and not ind.denominator:
        problems.append("slice_values are for rates with a denominator only")
    elif stray:
        problems.append(f"slice_values for {stray}, not slices")
    if not ind.sql_path.is_file():
        problems.append(f"SQL file {ind.sql_path} not found")
    if problems:
        raise CatalogError(f"indicator {ind.code}: " + "; ".join(problems))
    return ind


def load_catalog(path: Path = CATALOG_PATH) -> list[Indicator]:
    """Read and validate the catalog; fails loudly rather than publish a half catalog."""
    with path.open("rb") as fh:
        entries = tomllib.load(fh).get("indicator", [])
    indicators = [parse_indicator(e, i + 1) for i, e in enumerate(entries)]
    codes = [i.code for i in indicators]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise CatalogError(f"duplicate indicator codes: {dupes}")
    return indicators


def write_catalog(con: duckdb.DuckDBPyConnection, indicators: list[Indicator] | None = None) -> int:
    """(Re)write `ref.indicators`, the catalog analysts read beside the values."""
    indicators = indicators if indicators is not None else load_catalog()
    con.execute("CREATE SCHEMA IF NOT EXISTS ref")
    con.execute(
        "CREATE OR REPLACE TABLE ref.indicators (code VARCHAR PRIMARY KEY, family VARCHAR, "
        "unit VARCHAR, label_fr VARCHAR, definition_fr VARCHAR, aggregation VARCHAR, "
        "breakdowns VARCHAR[], sql_file VARCHAR, months_after INTEGER)"
    )
    con.executemany(
        "INSERT INTO ref.indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [i.code, i.family, i.unit, i.label_fr, i.definition_fr, i.aggregation,
             list(i.published_breakdowns[1:]), i.sql_file, i.months_after]
            for i in indicators
        ],
    )
    return len(indicators)
