"""Compute the catalog: each indicator file yields unit-level facts, one shared roll-up
turns them into every level, breakdown and period, and the result replaces the rows of
those periods in `indicators.indicator_values` in one transaction."""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb

from schemas.codes import EXTRACTS
from socle.indicators.catalog import Indicator, load_catalog, population_path
from socle.indicators.sqlgen import (
    FACT_COLUMNS,
    OWN_SET_COLUMNS,
    branches,
    grouping,
    run_rendered,
)
from socle.indicators.vocabulary import vocabulary
from socle.months import add_months, month_end, month_start
from socle.reference import zoning_year
from socle.warehouse import read_sql, split_statements, transaction

OUTPUT_DDL = """
CREATE TABLE IF NOT EXISTS indicators.indicator_values (
    period DATE NOT NULL,
    indicator_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    territory_code VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL,
    breakdown_value VARCHAR NOT NULL,
    numerator BIGINT,
    denominator BIGINT,
    value DOUBLE,
    unit VARCHAR NOT NULL
)"""

# What indicator files read (README, "Adding an indicator"), built on demand the first
# time a file names it, after what it reads: computing CAP_REGISTERED alone reads no
# pathway or event. A name without a script of its own (None) is made by the script of
# what it needs (eng_stock_end by stock.sql), or is a macro of prepare.sql that reads it
# (eng_placed reads eng_terr).
# Spells (registrations, pathways, offers) are taken in their latest delivered version;
# events (diagnostics, hires, actions, answers) all: an event extract holds the events
# dated in its delivery month (ingestion checks it), so one id in two months' deliveries
# is two events (ids are unique within a delivery only), and a re-delivery of a month
# replaced that month's events in staging.
SHARED_TABLES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "eng_reg": ("engine/input_reg.sql", ()),
    "eng_reg_multi": (None, ("eng_reg",)),
    "eng_terr": ("engine/input_terr.sql", ("eng_reg",)),
    "eng_placed": (None, ("eng_terr",)),
    "eng_stock": ("engine/stock.sql", ("eng_reg", "eng_terr")),
    "eng_stock_end": (None, ("eng_stock",)),
    "eng_stock_prev_end": (None, ("eng_stock",)),
    "eng_path": ("engine/input_path.sql", ()),
    "eng_in_pathway": ("engine/in_pathway.sql", ("eng_path",)),
    "eng_in_pathway_by_operator": ("engine/in_pathway_by_operator.sql", ("eng_in_pathway",)),
    "eng_diag": ("engine/input_diag.sql", ()),
    "eng_hires": ("engine/input_hires.sql", ()),
    "eng_actions": ("engine/input_actions.sql", ()),
    "eng_sat": ("engine/input_sat.sql", ()),
    "eng_offers": ("engine/input_offers.sql", ()),
}


def _month_free() -> frozenset[str]:
    """The shared tables that do not depend on the months computed (latest versions, person
    ids, territory spells): built once for every batch of a run. The others read the
    months (`eng_periods`, `eng_refdates`, or anything a script reading them creates, such
    as a stock's views), as do the populations' views and counts: made again per batch."""
    texts = {t: re.sub(r"--[^\n]*", "", read_sql(script)) if script else ""
             for t, (script, _) in SHARED_TABLES.items()}
    month_names, reading = {"eng_periods", "eng_refdates"}, set()
    while True:  # until no script reading the months creates a name not seen yet
        reading = {t for t, text in texts.items()
                   if any(re.search(rf"\b{n}\b", text) for n in month_names)}
        made = {n for t in reading for n in _CREATED.findall(texts[t])}
        if made <= month_names:
            break
        month_names |= made

    def reads_months(table: str) -> bool:
        return table in reading or any(reads_months(d) for d in SHARED_TABLES[table][1])
    return frozenset(t for t in SHARED_TABLES if not reads_months(t))


_CREATED = re.compile(r"CREATE\s+OR\s+REPLACE\s+(?:TEMP\s+)?(?:TABLE|VIEW|MACRO)\s+"
                      r"(?:\w+\.)?(\w+)", re.IGNORECASE)
MONTH_FREE = _month_free()


# The national stock (~40M person-months) lives in a scratch database file (attached as
# `eng_work`, found by name through the search path), not in a temporary table: DuckDB
# compresses tables written to a database file but not temporary ones, and the stock
# only fits the memory limit compressed. Every other working table is temporary: writing
# into a database file costs more than the smaller tables save (docs/performance.md).
WORK_CATALOG = "eng_work"
# Below this many registration rows the stock fits the memory limit uncompressed: an
# in-memory scratch database skips the cost of writing it into a file.
IN_MEMORY_MAX_ROWS = 10_000_000

def loaded_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Delivery months present in any staging table."""
    union = " UNION ".join(
        f"SELECT DISTINCT delivery_month FROM staging.{extract}" for extract in EXTRACTS
    )
    rows = con.execute(f"SELECT delivery_month FROM ({union}) ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def available_periods(
    con: duckdb.DuckDBPyConnection, indicator: Indicator | None = None
) -> list[date]:
    """Months that can be computed from what is loaded.

    Every loaded month; for an indicator needing later months (PERF_ACCESS_6M:
    `months_after = 6`), only months M with a delivery of M+6 or later loaded.
    """
    months = loaded_months(con)
    if indicator is None or indicator.months_after == 0 or not months:
        return months
    last = months[-1]
    return [m for m in months if add_months(m, indicator.months_after) <= last]


def _zoning_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT zoning_year FROM ref.bassins ORDER BY 1").fetchall()]


def _period_rows(con: duckdb.DuckDBPyConnection, periods: list[date]) -> dict[date, list]:
    """Each period's row of `eng_periods`, worked out once per run (it scans staging)."""
    months = loaded_months(con)
    last = months[-1] if months else None
    years = _zoning_years(con)
    rows = {}
    for p in periods:
        after = (last.year * 12 + last.month) - (p.year * 12 + p.month) if last else 0
        rows[p] = [p, p, month_end(p), p - timedelta(days=1),
                   zoning_year(years, p.year) if years else None, after]
    return rows


def _create_periods(con: duckdb.DuckDBPyConnection, rows: list[list]) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE eng_periods (period DATE PRIMARY KEY, m_start DATE, "
        "m_end DATE, prev_end DATE, zoning_year INTEGER, months_after INTEGER)"
    )
    if rows:
        con.executemany("INSERT INTO eng_periods VALUES (?, ?, ?, ?, ?, ?)", rows)


@contextmanager
def _work_catalog(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Attach a fresh scratch database as `eng_work` and put it on the search path (after
    the warehouse, so unqualified `eng_*` names resolve to it); detach and delete it after."""
    previous = con.execute("SELECT current_setting('search_path')").fetchall()[0][0]
    current = con.execute("SELECT current_database()").fetchall()[0][0]
    rows = con.execute("SELECT count(*) FROM staging.registrations").fetchone()[0]
    with tempfile.TemporaryDirectory(prefix="socle_eng_") as tmp:
        where = ":memory:" if rows < IN_MEMORY_MAX_ROWS else str(Path(tmp) / "work.duckdb")
        con.execute(f"ATTACH '{where}' AS {WORK_CATALOG}")
        try:
            con.execute("SET search_path = ?", [f'"{current}".main,{WORK_CATALOG}.main'])
            yield
        finally:
            if previous:
                con.execute("SET search_path = ?", [previous])
            else:
                con.execute("RESET search_path")
            con.execute(f"DETACH {WORK_CATALOG}")


def _build_shared(con: duckdb.DuckDBPyConnection, table: str, built: set[str]) -> None:
    if table in built:
        return
    script, needs = SHARED_TABLES[table]
    for dep in needs:
        _build_shared(con, dep, built)
    if script is not None:
        run_rendered(con, script)
    if table == "eng_reg":
        _check_person_attributes(con)
    built.add(table)


def _check_person_attributes(con: duckdb.DuckDBPyConnection) -> None:
    """Every person attribute of the vocabulary is a column of eng_reg: said plainly here,
    rather than as a binder error in a script that carries it."""
    columns = set(con.sql("FROM eng_reg LIMIT 0").columns)
    missing = [a for a in vocabulary().person_attributes if a not in columns]
    if missing:
        raise ValueError(
            f"sql/indicators/vocabulary.toml: breakdowns {missing} have source "
            "\"registration\" but sql/engine/input_reg.sql yields no column of that name")


def _fact_columns(
    con: duckdb.DuckDBPyConnection, label: str, sql: str, breakdowns: list[str]
) -> list[str]:
    """The fact columns an indicator file yields (besides its commune) and the roll-up
    uses, so the stored facts hold those only; a column it does not know is an error, and
    so is a breakdown it publishes but neither returns nor gets from `profile`."""
    try:
        yielded = con.sql(f"SELECT * FROM (\n{sql}\n) LIMIT 0").columns
    except duckdb.Error as e:
        raise ValueError(f"{label}: {e}") from e
    unknown = sorted(set(yielded) - set(FACT_COLUMNS))
    if unknown:
        raise ValueError(f"{label}: columns {unknown} are not fact columns "
                         f"(known: {', '.join(FACT_COLUMNS)})")
    given = {*yielded, *(vocabulary().profile if "profile" in yielded else ())}
    missing = [b for b in breakdowns if b not in given]
    if missing:
        raise ValueError(f"{label}: publishes breakdowns {missing} but returns no column "
                         "of that name (nor `profile`, for the person's operators and "
                         "attributes)")
    unused = {c for c in OWN_SET_COLUMNS if c not in breakdowns}
    keep = {"period", "num", *yielded} - {"commune_code"} - unused
    return [c for c in FACT_COLUMNS if c in keep]


def _build_for(con: duckdb.DuckDBPyConnection, sql: str, built: set[str]) -> None:
    """Build the shared tables and population views that `sql` names (outside comments)."""
    code = re.sub(r"--[^\n]*", "", sql)
    for table in SHARED_TABLES:
        if re.search(rf"\b{table}\b", code):
            _build_shared(con, table, built)
    for name in re.findall(r"\beng_pop_(\w+)", code):
        _build_population(con, name, built)


def _build_population(con: duckdb.DuckDBPyConnection, name: str, built: set[str]) -> None:
    """The view `eng_pop_<name>` over sql/populations/<name>.sql: a population's units."""
    view = f"eng_pop_{name}"
    if view in built:
        return
    path = population_path(name)
    if not path.is_file():
        raise ValueError(f"{view}: no population file {path}")
    sql = _single_select(path)
    _build_for(con, sql, built)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS\n{sql}")
    built.add(view)


def _single_select(path: Path) -> str:
    statements = split_statements(path.read_text(encoding="utf-8"))
    if len(statements) != 1:
        raise ValueError(f"{path.name}: one SELECT statement expected, "
                         f"found {len(statements)}")
    return statements[0]


def _count_facts(
    con: duckdb.DuckDBPyConnection, label: str, sql: str, kind: str,
    breakdowns: list[str], slices: list[str], months_after: int,
) -> None:
    """Facts of `sql` (placed in areas, stored counted), then their counts per (period,
    area, breakdown, value) in `eng_counts`: the indicator file stays one plain SELECT, the
    engine does the rest."""
    columns = _fact_columns(con, label, sql, breakdowns)
    group_by, gset = grouping(columns)
    try:
        run_rendered(con, "engine/facts.sql", {"months_after": months_after},
                     INDICATOR=sql, COLUMNS=", ".join(f"f.{c}" for c in columns),
                     GROUP_BY=group_by, GSET=gset,
                     VAL="num" if kind == "median" else "NULL::DOUBLE")
    except duckdb.Error as e:  # name the file: the failing statement is the engine's
        raise ValueError(f"{label}: {e}") from e
    run_rendered(con, "engine/explode.sql", {"slices": slices}, BRANCHES=branches(breakdowns))


def _population_counts(
    con: duckdb.DuckDBPyConnection, name: str, breakdowns: list[str], built: set[str]
) -> str:
    """The counts of population `name` per (period, area, breakdown, value), computed once
    per batch of months for every rate sharing it (`breakdowns`: theirs together)."""
    table = f"eng_popcounts_{name}"
    if table not in built:
        _build_population(con, name, built)
        # The population's fact columns: it may carry others (pid, dates) for the rates
        # selecting their numerator from it.
        facts = [c for c in con.sql(f"FROM eng_pop_{name} LIMIT 0").columns
                 if c in FACT_COLUMNS]
        _count_facts(con, f"populations/{name}.sql",
                     f"SELECT {', '.join(facts)} FROM eng_pop_{name}", "sum", breakdowns,
                     [], 0)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS FROM eng_counts")
        built.add(table)
    return table


def _run_indicator(
    con: duckdb.DuckDBPyConnection, ind: Indicator, built: set[str],
    population_breakdowns: dict[str, list[str]],
) -> None:
    sql = _single_select(ind.sql_path)
    _build_for(con, sql, built)
    kind = "median" if ind.aggregation == "median" else "sum"
    params = {
        "breakdowns": ["total", *ind.breakdowns],
        "months_after": ind.months_after,
        "code": ind.code,
        "aggregation": ind.aggregation,
        "unit": ind.unit,
    }
    if ind.denominator:
        counts = _population_counts(con, ind.denominator,
                                    population_breakdowns[ind.denominator], built)
        con.execute(f"CREATE OR REPLACE TEMP VIEW eng_denominator AS FROM {counts}")
    _count_facts(con, ind.sql_file, sql, kind, list(ind.breakdowns), list(ind.slices),
                 ind.months_after)
    if ind.denominator:
        run_rendered(con, "engine/add_denominator.sql", {
            **params,
            "slice_values": [{"breakdown": b, "value": v}
                             for b, values in ind.slice_values for v in values],
        })
        _check_within_population(con, ind)
    run_rendered(con, f"engine/rollup_{kind}.sql", params)


def _check_within_population(con: duckdb.DuckDBPyConnection, ind: Indicator) -> None:
    """A numerator unit outside the population would make a rate above 1 somewhere."""
    over = con.execute(
        "SELECT period, breakdown, breakdown_value FROM eng_counts "
        "GROUP BY period, area, breakdown, breakdown_value HAVING sum(n) > sum(d) LIMIT 1"
    ).fetchall()
    if over:
        period, breakdown, value = over[0]
        raise ValueError(
            f"{ind.sql_file}: yields units outside its population {ind.denominator} "
            f"(period {period}, {breakdown} = {value}): select them from "
            f"eng_pop_{ind.denominator}")


def compute_indicators(
    con: duckdb.DuckDBPyConnection,
    periods: list[date] | None = None,
    codes: list[str] | None = None,
    progress: Callable[[str], object] | None = print,
    catalog: list[Indicator] | None = None,
) -> int:
    """Compute `codes` (default: the whole catalog) for `periods` (default: every loaded
    month) and replace their rows in `indicators.indicator_values`; returns rows written.
    `catalog` (default: `load_catalog()`) lets a test or an analyst try indicators of
    their own.

    The replacement is one transaction: readers see the old values or the new ones.
    """
    if periods is None:
        periods = available_periods(con)
    return compute_batches(con, [(periods, codes)], progress, catalog)


Batch = tuple[list[date], list[str] | None]  # months, and the codes computed for them


def compute_batches(
    con: duckdb.DuckDBPyConnection,
    work: list[Batch],
    progress: Callable[[str], object] | None = print,
    catalog: list[Indicator] | None = None,
) -> int:
    """Compute each batch's codes (None: the whole catalog, or `catalog`) for its months,
    in one pass over the inputs: a monthly run computes its new month whole and the
    6-month access of the months before it, and the latest versions, person ids and
    territories over the whole history are built once for both. Batches do not overlap
    (a month's indicator in one batch only). Replaces every batch's rows in one
    transaction; returns rows written."""
    say = progress or (lambda _msg: None)
    catalog = load_catalog() if catalog is None else catalog
    known = {i.code for i in catalog}
    unknown = sorted({c for _, codes in work for c in codes or ()} - known)
    if unknown:
        raise ValueError(f"unknown indicator codes: {unknown}")
    batches = [(sorted({month_start(p) for p in months}),
                [i for i in catalog if codes is None or i.code in codes])
               for months, codes in work]
    batches = [(months, inds) for months, inds in batches if months and inds]
    pairs = Counter((p, i.code) for months, inds in batches for p in months for i in inds)
    twice = sorted(pair for pair, n in pairs.items() if n > 1)
    if twice:
        raise ValueError(f"{twice[0][1]} of {twice[0][0]:%Y-%m} is in two batches")
    con.execute(OUTPUT_DDL)
    if not batches:
        return 0
    started = time.perf_counter()
    try:
        with _work_catalog(con):
            rows = _period_rows(con, sorted({p for months, _ in batches for p in months}))
            _create_periods(con, list(rows.values()))
            run_rendered(con, "engine/prepare.sql")
            con.execute("CREATE OR REPLACE TEMP TABLE eng_out AS "
                        "SELECT * FROM indicators.indicator_values LIMIT 0")
            built: set[str] = set()
            for months, inds in batches:
                _create_periods(con, [rows[p] for p in months])
                run_rendered(con, "engine/periods.sql")
                _drop_tables(con, built - MONTH_FREE)  # what read the previous batch's months
                built &= MONTH_FREE
                say(f"indicators: inputs ready for {len(months)} months "
                    f"({time.perf_counter() - started:.1f} s)")
                population_breakdowns: dict[str, list[str]] = {}
                for ind in inds:
                    if ind.denominator:
                        seen = population_breakdowns.setdefault(ind.denominator, [])
                        seen += [b for b in ind.breakdowns if b not in seen]
                for ind in inds:
                    t0 = time.perf_counter()
                    _run_indicator(con, ind, built, population_breakdowns)
                    say(f"indicators: {ind.code} ({time.perf_counter() - t0:.1f} s)")
            with transaction(con):
                for months, inds in batches:
                    con.execute(
                        "DELETE FROM indicators.indicator_values WHERE list_contains(?, period) "
                        "AND list_contains(?, indicator_code)",
                        [months, [i.code for i in inds]],
                    )
                con.execute("INSERT INTO indicators.indicator_values SELECT * FROM eng_out")
            written = con.execute("SELECT count(*) FROM eng_out").fetchall()[0][0]
            say(f"indicators: {written} rows written ({time.perf_counter() - started:.1f} s)")
            return written
    finally:
        _drop_temporary(con)


def _drop_tables(con: duckdb.DuckDBPyConnection, names: set[str]) -> None:
    """Drop the tables among `names` (views cost nothing): a stock of the previous batch's
    months would otherwise hold its memory while the next one is built."""
    rows = con.execute(
        "SELECT database_name, table_name FROM duckdb_tables() WHERE list_contains(?, "
        "table_name) AND (temporary OR database_name = ?)", [sorted(names), WORK_CATALOG]
    ).fetchall()
    for database, name in rows:
        con.execute(f'DROP TABLE "{database}".main."{name}"')


def _drop_temporary(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the run's temporary views and tables (every `eng_*` one): they would otherwise
    hold their memory for as long as the connection lives."""
    rows = con.execute(
        "SELECT 'VIEW', view_name FROM duckdb_views() WHERE temporary UNION ALL "
        "SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary ORDER BY 1 DESC"
    ).fetchall()
    for kind, name in rows:
        if name.startswith("eng_"):
            con.execute(f'DROP {kind} IF EXISTS temp."{name}"')
