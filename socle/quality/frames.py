"""The tables the quality suites validate, read from the published snapshot.

Great Expectations validates one frame per suite (pandas only, see STACK.md), so what a
suite compares across rows (a month with the month before, a delivery with the previous
ones, the catalog with the values) is put side by side here, in polars, and the
expectation then reads one column. The tolerances live here, stated once; the suites'
descriptions quote them.
"""

from __future__ import annotations

import math
import statistics
from datetime import date

import duckdb
import polars as pl

from schemas.codes import SNAPSHOT_EXTRACTS
from socle.coverage import delivery_coverage
from socle.warehouse import frame

LEVELS = ("NAT", "REG", "DEP", "BASSIN")
# Month-over-month change of a national headline: a count or a median stays between 2/3 and
# 3/2 of the month before; a rate moves by at most 15 points. Compared only when both months
# have at least MIN_UNITS units (the count, or the denominator of a rate or median): small
# numbers move by chance.
CHANGE_LOW, CHANGE_HIGH = -1 / 3, 0.5
RATE_POINTS = 0.15
MIN_UNITS = 100
# Share of rows an operator's current deliveries of a month send to quarantine (as the
# staging asset check `reject_rate`).
MAX_QUARANTINE_RATE = 0.05
# Rows of a delivery against the median of the slice's up to three previous months: ±20 %
# for a snapshot (stocks move slowly), ±50 % for events, never narrower than ±5√median
# (chance variation of a small count; ±5 rows around a median of 0 or 1).
BAND_MONTHS = 3
BAND_SNAPSHOT, BAND_EVENTS, BAND_SIGMAS = 0.20, 0.50, 5.0


def loaded_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Months with a published (accepted or partial) delivery, in order."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT delivery_month FROM audit.deliveries "
        "WHERE status IN ('accepted', 'partial') ORDER BY 1").fetchall()]


def indicator_values(con: duckdb.DuckDBPyConnection, months: list[date]) -> pl.DataFrame:
    """`indicators.indicator_values` of the months, as published."""
    return frame(con, "SELECT * FROM indicators.indicator_values "
                      "WHERE list_contains(?::DATE[], period)", [months])


def level_rows(
    con: duckdb.DuckDBPyConnection, months: list[date], last_loaded: date
) -> pl.DataFrame:
    """Per month, catalog indicator and level: how many territories have its headline.

    An indicator needing later months (`months_after`, PERF_ACCESS_6M) is expected only
    for months those are loaded for."""
    return frame(con, """
        WITH expected AS (
            SELECT m.period, i.code AS indicator_code, l.level
            FROM (SELECT unnest(?::DATE[]) AS period) m
            CROSS JOIN ref.indicators i
            CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS level) l
            WHERE m.period + to_months(coalesce(i.months_after, 0)) <= ?::DATE
        ),
        present AS (
            SELECT period, indicator_code, level, count(*) AS lignes
            FROM indicators.indicator_values
            WHERE breakdown = 'total' AND list_contains(?::DATE[], period)
            GROUP BY ALL
        )
        SELECT strftime(e.period, '%Y-%m') AS periode, e.indicator_code AS indicateur,
               e.level AS niveau, coalesce(p.lignes, 0) AS territoires
        FROM expected e LEFT JOIN present p USING (period, indicator_code, level)
        ORDER BY ALL
        """, [months, list(LEVELS), last_loaded, months])


def headline_changes(
    con: duckdb.DuckDBPyConnection, months: list[date], first_loaded: date
) -> pl.DataFrame:
    """Each national headline beside the month before: `variation_relative` for counts and
    medians, `variation_points` for rates. Left out: fewer than MIN_UNITS units in either
    month, and the first loaded month as the month before (it lacks the events dated before
    it, never delivered, so its delays and waits are not a reference)."""
    return frame(con, f"""
        WITH nat AS (
            SELECT period, indicator_code, unit, value,
                   CASE WHEN denominator IS NULL THEN numerator ELSE denominator END AS units
            FROM indicators.indicator_values
            WHERE level = 'NAT' AND breakdown = 'total'
        )
        SELECT strftime(c.period, '%Y-%m') AS periode, c.indicator_code AS indicateur,
               p.value AS precedent, c.value AS valeur, least(c.units, p.units) AS unites,
               CASE WHEN c.unit <> 'rate' AND p.value <> 0 THEN c.value / p.value - 1 END
                   AS variation_relative,
               CASE WHEN c.unit = 'rate' THEN c.value - p.value END AS variation_points
        FROM nat c
        JOIN nat p ON p.indicator_code = c.indicator_code
                  AND p.period = c.period - INTERVAL 1 MONTH
        WHERE list_contains(?::DATE[], c.period) AND p.period > ?::DATE
          AND c.units >= {MIN_UNITS} AND p.units >= {MIN_UNITS}
        ORDER BY ALL
        """, [months, first_loaded])


def audit_rows(con: duckdb.DuckDBPyConnection, months: list[date]) -> pl.DataFrame:
    """Every accepted or partial delivery file of the months, with the rows it leaves
    unaccounted for (rows read − loaded − quarantined − duplicates)."""
    return frame(con, """
        SELECT operator, strftime(delivery_month, '%Y-%m') AS mois, extract, source_file,
               rows_read, rows_loaded, rows_quarantined, rows_duplicate,
               rows_read - rows_loaded - rows_quarantined - rows_duplicate
                   AS lignes_non_comptees
        FROM audit.deliveries
        WHERE status IN ('accepted', 'partial') AND list_contains(?::DATE[], delivery_month)
        ORDER BY ALL
        """, [months])


def _current_slices(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Rows read and quarantined by the current version of every slice (its latest accepted
    or partial attempt, as `socle.ingest.audit` defines it)."""
    return frame(con, """
        WITH current AS (
            SELECT operator, delivery_month, extract, max(loaded_at) AS loaded_at
            FROM audit.deliveries WHERE status IN ('accepted', 'partial') GROUP BY ALL
        )
        SELECT operator, delivery_month, extract, sum(rows_read)::BIGINT AS rows_read,
               sum(rows_quarantined)::BIGINT AS rows_quarantined
        FROM audit.deliveries JOIN current USING (operator, delivery_month, extract, loaded_at)
        GROUP BY ALL
        """)


def quarantine_rates(con: duckdb.DuckDBPyConnection, months: list[date]) -> pl.DataFrame:
    """Per operator and month, the share of rows its current deliveries quarantined."""
    return (
        _current_slices(con).filter(pl.col("delivery_month").is_in(months))
        .group_by("operator", "delivery_month")
        .agg(pl.col("rows_read").sum(), pl.col("rows_quarantined").sum())
        .with_columns(
            pl.when(pl.col("rows_read") > 0)
            .then(pl.col("rows_quarantined") / pl.col("rows_read")).alias("taux_quarantaine"),
            pl.col("delivery_month").dt.strftime("%Y-%m").alias("mois"),
        )
        .sort("operator", "delivery_month")
        .select("operator", "mois", "rows_read", "rows_quarantined", "taux_quarantaine")
    )


def _band(median: float | None, extract: str) -> tuple[float | None, float | None]:
    if median is None:
        return None, None
    share = BAND_SNAPSHOT if extract in SNAPSHOT_EXTRACTS else BAND_EVENTS
    width = max(share * median, BAND_SIGMAS * math.sqrt(max(median, 1.0)))
    return max(0.0, median - width), median + width


def operator_deliveries(
    con: duckdb.DuckDBPyConnection, operator: str, months: list[date]
) -> pl.DataFrame:
    """Per month and expected extract of one operator: its coverage status, the rows its
    current version read, and the band those rows should fall in (from the slice's previous
    up to BAND_MONTHS loaded months; null for its first month)."""
    counts = _current_slices(con).filter(pl.col("operator") == operator).sort("delivery_month")
    history: dict[str, list[tuple[date, int]]] = {}
    for r in counts.iter_rows(named=True):
        history.setdefault(r["extract"], []).append((r["delivery_month"], r["rows_read"]))
    bands = []
    for extract, series in history.items():
        for i, (month, _) in enumerate(series):
            previous = [n for _, n in series[max(0, i - BAND_MONTHS):i]]
            median = float(statistics.median(previous)) if previous else None
            low, high = _band(median, extract)
            bands.append((month, extract, median, low, high))
    band = pl.DataFrame(bands, orient="row", schema={
        "delivery_month": pl.Date, "extract": pl.Utf8, "mediane_precedente": pl.Float64,
        "bande_min": pl.Float64, "bande_max": pl.Float64})
    coverage = delivery_coverage(con, months=months).filter(pl.col("operator") == operator)
    return (
        coverage.select("delivery_month", "extract", pl.col("status").alias("statut"))
        .join(counts.select("delivery_month", "extract", pl.col("rows_read").alias("lignes")),
              on=["delivery_month", "extract"], how="left")
        .join(band, on=["delivery_month", "extract"], how="left")
        .with_columns(pl.col("delivery_month").dt.strftime("%Y-%m").alias("mois"))
        .select("mois", "extract", "statut", "lignes", "mediane_precedente", "bande_min",
                "bande_max")
    )

