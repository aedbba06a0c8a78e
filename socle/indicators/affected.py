"""What a delivery can change, and so what to recompute (docs/indicators.md states the rule).

At ingestion, `changes_from` gives the earliest date a delivery's changes touch, recorded
in `audit.deliveries.changes_from`: for a snapshot (registrations, pathways, job offers),
from each spell's version the engine used before the delivery to the one it uses after
(unknown, 0001-01-01, while no month has values: nothing needs comparing then); for an
event extract, the first day of its month (its events are dated in it). Then
`affected_work` turns the earliest such date X into (month → indicators) to recompute:
every indicator in every loaded month from the month of X on, and an indicator whose value
for M reads dates after M (`looks_back_months = k` in the catalog) also in the k months
before. Month M's values read no date after the end of M otherwise: a change dated X moves
no earlier month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

import schemas
from schemas.codes import SNAPSHOT_EXTRACTS
from socle.indicators.catalog import Indicator, load_catalog
from socle.indicators.engine import Batch, available_periods, loaded_months
from socle.months import add_months, month_start
from socle.staging import UNKNOWN_CHANGE


@dataclass(frozen=True)
class Spell:
    """The dates of a snapshot extract's spell: its start, its end and what goes with the
    end (the exit or closing reason, read only in the month of the end)."""

    start: str
    end: str
    end_reason: str | None = None


SPELLS: dict[str, Spell] = {
    "registrations": Spell("registration_date", "exit_date", "exit_reason"),
    "pathways": Spell("start_date", "end_date"),
    "job_offers": Spell("posted_date", "closed_date", "closing_reason"),
}


def changes_from(
    con: duckdb.DuckDBPyConnection, extract: str, operator: str, month: date, new_rows: str
) -> date | None:
    """The earliest date the (re)delivery of slice (operator, month, extract) changes, None
    when it changes nothing the engine reads. Call it before the slice is replaced:
    `new_rows` is a SELECT of the rows about to replace it (every schema column).

    Snapshots: the engine takes each spell (operator + id) in its latest delivered version,
    across all months' slices (sql/engine/input_*.sql). A spell whose latest version is in
    a later month's slice is unchanged. Otherwise the version before is the replaced
    slice's row, else that of the latest other slice; the version after, the new row, else
    that of the latest other slice. New spell: its start; gone: its old start; only its end
    (and end reason) changed: the earlier of the two ends, an open end being none; any other
    change: the earlier of the two starts. An operator's first slice: its earliest start
    (every spell is new). While no month has values, nothing is compared: UNKNOWN_CHANGE,
    unknown (every month is computed whole then).
    """
    if extract not in SNAPSHOT_EXTRACTS:
        return month_start(month)
    if not _computed_periods(con, any_one=True):
        # No month has values yet: every loaded month will be computed whole, whatever the
        # comparison found (~1.2 s a month at 600,000 persons, ~14 s of a year's first load).
        return UNKNOWN_CHANGE
    spell = SPELLS[extract]
    params = {"operator": operator, "month": month_start(month)}
    if not con.execute(f"SELECT 1 FROM staging.{extract} WHERE operator = $operator LIMIT 1",
                       {"operator": operator}).fetchall():
        # The operator's first slice: every spell is new, from its start. The comparison
        # below would build and compare every spell's versions (17 s for 10M rows).
        [(earliest,)] = con.execute(f"SELECT min({spell.start}) FROM ({new_rows})").fetchall()
        return earliest
    id_col = schemas.id_column(extract)
    cols = list(schemas.column_types(extract))
    ending = [c for c in (spell.end, spell.end_reason) if c]
    rest = [c for c in cols if c not in {id_col, *ending}]

    def version(alias: str) -> str:
        """A spell's version: `core` (every column but the id and the end's), `ending` (the
        end and its reason); `start` and `end` again, to read them."""
        core = ", ".join(f"'{c}': {alias}.{c}" for c in rest)
        end = ", ".join(f"'{c}': {alias}.{c}" for c in ending)
        return (f"{{'start': {alias}.{spell.start}, 'core': {{{core}}}, "
                f"'end': {alias}.{spell.end}, 'ending': {{{end}}}}}")

    col_list = ", ".join(cols)
    [(earliest,)] = con.execute(
        f"""
        WITH new AS ({new_rows}),
        old AS (SELECT {col_list} FROM staging.{extract}
                WHERE operator = $operator AND delivery_month = $month),
        ids AS (SELECT {id_col} AS id FROM new UNION SELECT {id_col} FROM old),
        latest AS (
            SELECT s.{id_col} AS id, max(s.delivery_month) AS month,
                   arg_max(s.rowid, s.delivery_month) AS rid
            FROM staging.{extract} s SEMI JOIN ids ON ids.id = s.{id_col}
            WHERE s.operator = $operator AND s.delivery_month <> $month
            GROUP BY s.{id_col}
        ),
        other AS (SELECT l.month, s.* FROM latest l
                  JOIN staging.{extract} s ON s.rowid = l.rid),
        versions AS (
            SELECT CASE WHEN o.{id_col} IS NOT NULL THEN {version('o')}
                        WHEN x.{id_col} IS NOT NULL THEN {version('x')} END AS before,
                   CASE WHEN n.{id_col} IS NOT NULL THEN {version('n')}
                        WHEN x.{id_col} IS NOT NULL THEN {version('x')} END AS after
            FROM ids i
            LEFT JOIN old o ON o.{id_col} = i.id
            LEFT JOIN new n ON n.{id_col} = i.id
            LEFT JOIN other x ON x.{id_col} = i.id
            WHERE x.month IS NULL OR x.month < $month
        )
        SELECT min(CASE
            WHEN before IS NULL THEN after.start
            WHEN after IS NULL THEN before.start
            -- Only the end moved: from the earlier end (least() skips an open one).
            WHEN before.core IS NOT DISTINCT FROM after.core
            THEN coalesce(least(before."end", after."end"), least(before.start, after.start))
            ELSE least(before.start, after.start) END)
        FROM versions WHERE before IS DISTINCT FROM after
        """,
        params,
    ).fetchall()
    return earliest


def affected_work(
    con: duckdb.DuckDBPyConnection, changes: Iterable[date | None]
) -> dict[date, set[str] | None]:
    """Loaded month → indicator codes to recompute (None: all of them) after deliveries
    whose changes begin at `changes` (their `changes_from`; None: changed nothing).

    The earliest change X: every indicator in every loaded month from the month of X on,
    and an indicator looking back k months also in the k months before. Besides, months
    never computed (all indicators) and indicators newly computable (`months_after = k`:
    the months M with M + k loaded now, but after the last month computed).
    """
    catalog = load_catalog()
    loaded = loaded_months(con)
    work: dict[date, set[str] | None] = {}
    for period, codes in _from_changes(loaded, changes, catalog):
        _add(work, period, codes)
    computed = _computed_periods(con)
    for m in loaded:
        if m not in computed:
            _add(work, m, None)
    last = max(computed, default=None)
    for ind in catalog:
        if ind.months_after:
            for m in available_periods(con, ind):
                if last is None or add_months(m, ind.months_after) > last:
                    _add(work, m, {ind.code})
    every = {i.code for i in catalog}
    return {m: None if codes == every else codes for m, codes in sorted(work.items())}


def affected_periods(
    con: duckdb.DuckDBPyConnection, changed: Iterable[tuple[str, date]]
) -> list[date]:
    """Loaded months that (re)deliveries `changed`, given as (extract, delivery month)
    pairs, can change when what a snapshot changed is not known: any date (a snapshot may
    correct a spell begun at any time); an event delivery of month C, from C (and the
    months indicators look back from it)."""
    changes = [UNKNOWN_CHANGE if extract in SNAPSHOT_EXTRACTS else month_start(m)
               for extract, m in changed]
    return sorted({m for m, _ in _from_changes(loaded_months(con), changes, load_catalog())})


def _from_changes(
    loaded: list[date], changes: Iterable[date | None], catalog: list[Indicator]
) -> list[tuple[date, set[str] | None]]:
    """(month, codes) that changes beginning at `changes` make recompute, among `loaded`."""
    earliest = min((c for c in changes if c is not None), default=None)
    if earliest is None or not loaded:
        return []
    first = max(month_start(earliest), loaded[0])  # before any loaded month: from the first
    out: list[tuple[date, set[str] | None]] = [(m, None) for m in loaded if m >= first]
    for ind in catalog:
        back = add_months(first, -ind.looks_back_months)
        out += [(m, {ind.code}) for m in loaded if back <= m < first]
    return out


def _add(work: dict[date, set[str] | None], period: date, codes: set[str] | None) -> None:
    """Merge `codes` (None: all) into the work of `period`."""
    if period in work and work[period] is None:
        return
    work[period] = None if codes is None else (work.get(period) or set()) | codes


def batches(work: dict[date, set[str] | None]) -> list[Batch]:
    """`work` as the batches of `compute_batches`: the months sharing a set of codes
    together, codes sorted, None for the whole catalog."""
    groups: dict[frozenset[str] | None, list[date]] = {}
    for period, codes in sorted(work.items()):
        groups.setdefault(None if codes is None else frozenset(codes), []).append(period)
    return [(periods, None if codes is None else sorted(codes))
            for codes, periods in groups.items()]


def _computed_periods(con: duckdb.DuckDBPyConnection, any_one: bool = False) -> set[date]:
    """Months with values (`any_one`: one of them at most, to tell whether there are any)."""
    [(exists,)] = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'indicators' AND table_name = 'indicator_values'").fetchall()
    if not exists:
        return set()
    query = ("SELECT period FROM indicators.indicator_values LIMIT 1" if any_one
             else "SELECT DISTINCT period FROM indicators.indicator_values")
    return {r[0] for r in con.execute(query).fetchall()}
