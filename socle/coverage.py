"""Delivery coverage: for each operator, month and expected extract, is the month's slice
delivered on time, late, missing, or rejected and not yet replaced?

A committee must see when a month's figures lack an operator: the exports' manifest carries
`coverage_summary`, the working database `audit.delivery_coverage`, and Dagster warns per
operator with `coverage_check_results`. Everything is read from `audit.deliveries`.

Rules (written for the people who read the statuses, in README "Delivery coverage"):
- expected: `schemas.codes.EXPECTED_EXTRACTS` (job offers from FT and Apec only), for every
  month from the first to the last month with any delivery attempt (or the months asked);
- delivered at: the first time socle saw the files of the slice's first published (accepted
  or partial) version, so a rejection caused by socle's environment (no pseudonymisation
  key) does not make the operator late once the same files load; UTC;
- on time when that UTC date is on or before the deadline, the `deadline_day`-th of the
  following month (`SOCLE_DELIVERY_DEADLINE_DAY`, default 8); late after it;
- rejected: attempts, all rejected, none published; missing: no attempt at all.
A correction rejected after a published version leaves the slice on time or late (its figures
still stand on that version); `rejected_attempts` counts it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

import duckdb
import polars as pl

from schemas import codes
from schemas.codes import EXPECTED_EXTRACTS, EXTRACTS, OPERATORS
from socle.months import add_months, month_start, months_between
from socle.settings import Settings
from socle.warehouse import frame, transaction

STATUSES = ("on_time", "late", "missing", "rejected")
TABLE = "audit.delivery_coverage"

SCHEMA: dict[str, pl.DataType] = {
    "operator": pl.Utf8(),
    "delivery_month": pl.Date(),
    "extract": pl.Utf8(),
    "status": pl.Utf8(),
    "deadline": pl.Date(),
    "delivered_at": pl.Datetime("us"),
    "days_late": pl.Int64(),
    "rejected_attempts": pl.Int64(),
    "message": pl.Utf8(),
}
_DDL = f"""
CREATE OR REPLACE TABLE {TABLE} (
    operator VARCHAR NOT NULL,
    delivery_month DATE NOT NULL,
    extract VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    deadline DATE NOT NULL,
    delivered_at TIMESTAMP,
    days_late BIGINT,
    rejected_attempts BIGINT NOT NULL,
    message VARCHAR
)
"""


def _checked_day(day: int) -> int:
    if not 1 <= day <= 28:
        raise ValueError(f"the delivery deadline must be a day from 1 to 28, got {day}")
    return day


def deadline(month: date, day: int) -> date:
    """Last day on which month `month`'s delivery is on time: day `day` of the next month."""
    return add_months(month, 1).replace(day=day)


def _attempts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per delivery attempt (its files share `loaded_at`), `loaded_at` in naive UTC,
    with the attempt's files as one sorted fingerprint."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'audit' AND table_name = 'deliveries'"
    ).fetchall()[0][0]
    if not exists:  # a warehouse never loaded: no attempt at all
        return pl.DataFrame(schema={"operator": pl.Utf8, "delivery_month": pl.Date,
                                    "extract": pl.Utf8, "loaded_at": pl.Datetime("us"),
                                    "status": pl.Utf8, "message": pl.Utf8,
                                    "files": pl.Utf8})
    rows = frame(con, "SELECT operator, delivery_month, extract, loaded_at, status, message, "
                      "source_file || ':' || sha256 AS file FROM audit.deliveries")
    loaded_at = rows["loaded_at"].dtype
    if isinstance(loaded_at, pl.Datetime) and loaded_at.time_zone is not None:
        rows = rows.with_columns(
            pl.col("loaded_at").dt.convert_time_zone("UTC").dt.replace_time_zone(None))
    return (
        rows.with_columns(pl.col("loaded_at").cast(pl.Datetime("us")))
        .group_by("operator", "delivery_month", "extract", "loaded_at")
        .agg(pl.col("status").first(), pl.col("message").first(),
             pl.col("file").sort().str.join("|").alias("files"))
    )


def delivery_coverage(
    con: duckdb.DuckDBPyConnection,
    months: Iterable[date] | None = None,
    deadline_day: int | None = None,
) -> pl.DataFrame:
    """Status of every (operator, month, expected extract) (columns: `SCHEMA`), sorted by
    operator, month and extract in the contract's order. `months` (first days) defaults to
    every month from the first to the last with any delivery attempt."""
    day = (Settings.from_env().delivery_deadline_day if deadline_day is None
           else _checked_day(deadline_day))
    attempts = _attempts(con)
    if months is None:
        if attempts.is_empty():
            return pl.DataFrame(schema=SCHEMA)
        first, last = attempts.select(pl.col("delivery_month").min().alias("first"),
                                      pl.col("delivery_month").max().alias("last")).row(0)
        wanted = months_between(first, last)
    else:
        wanted = sorted({month_start(m) for m in months})
    expected = pl.DataFrame(
        [(op, m, ex, deadline(m, day)) for op in OPERATORS for m in wanted
         for ex in EXPECTED_EXTRACTS[op]],
        schema={"operator": pl.Utf8, "delivery_month": pl.Date, "extract": pl.Utf8,
                "deadline": pl.Date}, orient="row",
    )
    key = ["operator", "delivery_month", "extract"]
    published = pl.col("status").is_in(["accepted", "partial"])
    # The first published version's files, and the first time any attempt brought them.
    first_published = (
        attempts.filter(published).sort("loaded_at").group_by(key).first()
        .select(*key, "files")
    )
    delivered = (
        attempts.join(first_published, on=[*key, "files"])
        .group_by(key).agg(pl.col("loaded_at").min().alias("delivered_at"))
    )
    rejections = (
        attempts.filter(pl.col("status") == "rejected").sort("loaded_at").group_by(key)
        .agg(pl.len().cast(pl.Int64).alias("rejected_attempts"),
             pl.col("message").last().alias("last_rejection"))
    )
    days_after = (pl.col("delivered_at").dt.date() - pl.col("deadline")).dt.total_days()
    status = (
        pl.when(pl.col("delivered_at").is_null() & (pl.col("rejected_attempts") > 0))
        .then(pl.lit("rejected"))
        .when(pl.col("delivered_at").is_null()).then(pl.lit("missing"))
        .when(days_after > 0).then(pl.lit("late"))
        .otherwise(pl.lit("on_time"))
    )
    return (
        expected.join(delivered, on=key, how="left")
        .join(rejections, on=key, how="left")
        .with_columns(pl.col("rejected_attempts").fill_null(0))
        .with_columns(
            status.alias("status"),
            pl.when(days_after > 0).then(days_after).cast(pl.Int64).alias("days_late"),
            pl.when(pl.col("delivered_at").is_null()).then(pl.col("last_rejection"))
            .alias("message"),
        )
        .sort(pl.col("operator").cast(pl.Enum(list(OPERATORS))), "delivery_month",
              pl.col("extract").cast(pl.Enum(list(EXTRACTS))))
        .select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
    )


def write_delivery_coverage(
    con: duckdb.DuckDBPyConnection, deadline_day: int | None = None
) -> int:
    """Replace `audit.delivery_coverage` in `con` (the working database, before publication:
    the snapshot copies every audit table) with every month's coverage; returns its rows."""
    coverage = delivery_coverage(con, deadline_day=deadline_day)
    with transaction(con):
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        con.execute(_DDL)
        if not coverage.is_empty():
            con.register("_coverage", coverage.to_arrow())
            try:
                con.execute(f"INSERT INTO {TABLE} SELECT * FROM _coverage")
            finally:
                con.unregister("_coverage")
    return coverage.height


@cache
def extract_label(extract: str) -> str:
    """French name of an extract, lower case, from its description ("Embauches : …" →
    embauches)."""
    return codes.DESCRIPTIONS[extract].split(" :")[0].lower()


def _s(count: int, word: str) -> str:
    """`word` agreeing with `count` (French: 0 and 1 take the singular)."""
    return word + "s" if count > 1 else word


def _labels(extracts: list[str]) -> str:
    return ", ".join(extract_label(e) for e in extracts)


def _sentence(name: str, expected: int, by_status: dict[str, list[str]]) -> str:
    """One French line a committee reads: what the month's figures stand on."""
    late, missing, rejected = by_status["late"], by_status["missing"], by_status["rejected"]
    delivered = expected - len(missing) - len(rejected)
    if delivered == expected:
        text = f"{name} : les {expected} extraits attendus ont été livrés"
        text += f", dont {len(late)} en retard ({_labels(late)})" if late else " à temps"
    else:
        text = (f"{name} : {delivered} {_s(delivered, 'extrait')} {_s(delivered, 'livré')} "
                f"sur {expected} attendus")
        text += f", dont {len(late)} en retard ({_labels(late)})" if late else ""
        if missing:
            text += f" ; {len(missing)} {_s(len(missing), 'manquant')} ({_labels(missing)})"
        if rejected:
            n = len(rejected)
            text += f" ; {n} {_s(n, 'rejeté')} et non {_s(n, 'remplacé')} ({_labels(rejected)})"
        text += " : les chiffres du mois ne comprennent pas ces données de l'opérateur"
    return text + "."


def coverage_summary(con: duckdb.DuckDBPyConnection, period: date) -> list[dict]:
    """Per operator, the month's coverage in French keys (the manifest's `couverture`, the
    committee site and workbooks): counts by status, the extracts concerned, one sentence."""
    coverage = delivery_coverage(con, months=[period])
    out = []
    for op, name in OPERATORS.items():
        rows = coverage.filter(pl.col("operator") == op)
        by_status = {s: rows.filter(pl.col("status") == s)["extract"].to_list()
                     for s in STATUSES}
        out.append({
            "operateur": op,
            "libelle_operateur": name,
            "extraits_attendus": rows.height,
            "a_temps": len(by_status["on_time"]),
            "en_retard": len(by_status["late"]),
            "manquants": len(by_status["missing"]),
            "rejetes": len(by_status["rejected"]),
            "extraits_en_retard": by_status["late"],
            "extraits_manquants": by_status["missing"],
            "extraits_rejetes": by_status["rejected"],
            "complet": not by_status["missing"] and not by_status["rejected"],
            "phrase": _sentence(name, rows.height, by_status),
        })
    return out


def coverage_check_results(
    con: duckdb.DuckDBPyConnection, period: date
) -> list[tuple[str, bool, str]]:
    """(operator, passed, description) per operator for a warning asset check: passed when
    every expected extract of the month is on time; the description is the French sentence."""
    return [(s["operateur"], s["a_temps"] == s["extraits_attendus"], s["phrase"])
            for s in coverage_summary(con, period)]

