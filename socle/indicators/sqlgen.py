"""The SQL the engine writes from the vocabulary (sql/indicators/vocabulary.toml): the
placeholders of its scripts, the columns and grouping sets of an indicator's facts, and
the roll-up's branch per breakdown. Adding a breakdown changes what these write, never
this code."""

from __future__ import annotations

import re
from collections.abc import Callable

import duckdb

from socle.indicators.vocabulary import vocabulary
from socle.warehouse import read_sql, split_statements

# Columns an indicator file may yield (sql/engine/facts.sql declares their types): a
# column per breakdown of the vocabulary, and `profile` for those it stands for.
FACT_COLUMNS = ("period", "commune_code", "num", "slice", "slice_value",
                *vocabulary().names, "profile")

# Breakdown columns counted on their own (a grouping set of the facts each): the roll-up
# never needs them together, and counting every combination of them with the profile
# would multiply the rows. The profile and its columns are counted together.
OWN_SET_COLUMNS = vocabulary().counted_alone


def _placeholders() -> dict[str, Callable[[list[str]], str]]:
    """What the engine's SQL placeholders stand for, written from the vocabulary: the
    profile's columns (`__PROFILE__`, `__PROFILE(x)__` with an alias), the person
    attributes among them (`__ATTRIBUTES__`), their types, key, null tests and so on."""
    words = vocabulary()
    types = {b.name: b.sql_type for b in words.breakdowns}
    profile, attributes = words.profile, words.person_attributes

    def columns(names: tuple[str, ...]) -> Callable[[list[str]], str]:
        return lambda a: ", ".join(f"{a[0]}.{c}" if a else c for c in names)

    return {
        "PROFILE": columns(profile),
        "ATTRIBUTES": columns(attributes),
        "PROFILE_DDL": lambda _a: ", ".join(f"{c} {types[c]}" for c in profile),
        "PROFILE_NULLS": lambda _a: ", ".join(f"NULL::{types[c]} AS {c}" for c in profile),
        "PROFILE_ALL_NULL": lambda _a: " AND ".join(f"{c} IS NULL" for c in profile),
        "PROFILE_KEY": lambda a: "{" + ", ".join(f"'{c}': {a[0]}.{c}" for c in profile) + "}",
        "PROFILE_COALESCE": lambda a: ", ".join(
            f"coalesce({a[0]}.{c}, {a[1]}.{c}) AS {c}" for c in profile),
        "FACT_DDL": lambda _a: ",\n    ".join(
            f"{b.name} {b.sql_type}" for b in words.breakdowns if b.source != "slice"),
    }


_PLACEHOLDER = re.compile(r"__([A-Z_]+?)(?:\(([\w, ]+)\))?__")


def render(sql: str, **values: str) -> str:
    """An engine script with the placeholders of its code (not of its comments) filled in:
    the vocabulary's (above), or `values` (an indicator's own SQL is inserted as is)."""
    written = _placeholders()

    def fill(m: re.Match[str]) -> str:
        name, args = m.group(1), [a.strip() for a in (m.group(2) or "").split(",") if a]
        if name in written:
            return written[name](args)
        if name in values:
            return values[name]
        raise ValueError(f"unknown placeholder {m.group(0)} in an engine script")

    lines = []
    for line in sql.splitlines():
        code, dashes, comment = line.partition("--")
        lines.append(_PLACEHOLDER.sub(fill, code) + dashes + comment)
    return "\n".join(lines)


def run_rendered(con: duckdb.DuckDBPyConnection, script: str, params: dict | None = None,
                 **values: str) -> None:
    """Run engine script `sql/<script>`, rendered, statement by statement, binding the
    named parameters each statement uses."""
    for stmt in split_statements(render(read_sql(script), **values)):
        used = {k: v for k, v in (params or {}).items() if f"${k}" in stmt}
        con.execute(stmt, used or None)


def grouping(columns: list[str]) -> tuple[str, str]:
    """GROUP BY clause of the facts and the expression naming each row's grouping set
    (`gset`): one set for the profile and its columns ('profile'), one per column counted
    on its own, one for slice rows ('slice'). `num` is in every set: a median's histograms
    count values."""
    base = ["period", "num", "area", *(["slice"] if "slice" in columns else [])]
    own = [c for c in columns if c in OWN_SET_COLUMNS]
    together = [c for c in columns if c not in {*base, *own, "slice_value"}]
    sets = [base + together] + [base + [c] for c in own]
    if "slice_value" in columns:
        sets.append(base + ["slice_value"])
    if len(sets) == 1:
        return "ALL", "'profile'"

    def expr(c: str) -> str:  # as in facts.sql's SELECT
        return "coalesce(m.area, 0)" if c == "area" else f"f.{c}"

    whens = [f"WHEN grouping(f.{c}) = 0 THEN '{c}'" for c in own]
    if "slice_value" in columns:
        whens.append("WHEN grouping(f.slice_value) = 0 THEN 'slice'")
    group_by = "GROUPING SETS (" + ", ".join(
        "(" + ", ".join(expr(c) for c in s) + ")" for s in sets) + ")"
    return group_by, f"CASE {' '.join(whens)} ELSE 'profile' END"


def branches(breakdowns: list[str]) -> str:
    """explode.sql's branch of each breakdown: a profile column is read from the decoded
    profile counts, another from its own grouping set of the facts; a list column puts a
    unit under each of its values."""
    words = vocabulary()
    out = []
    for name in breakdowns:
        if words.breakdown(name).source == "slice":
            continue
        if name in words.profile:
            source, n, d = "eng_profile_facts", "n", "d"
        else:
            source, n, d = (f"eng_facts WHERE gset = '{name}' AND slice IS NULL",
                            "num * units", "units")
        if words.breakdown(name).many:
            out.append(
                f"SELECT period, area, '{name}', v, val, sum(n), sum(d)\n"
                f"FROM (SELECT period, area, val, {n} AS n, {d} AS d,\n"
                f"             unnest(coalesce({name}, ['unknown'])) AS v\n"
                f"      FROM {source})\nGROUP BY ALL")
        else:
            out.append(f"SELECT period, area, '{name}', coalesce({name}, 'unknown'), val, "
                       f"sum({n}), sum({d})\nFROM {source} GROUP BY ALL")
    return "".join(f"UNION ALL\n{b}\n" for b in out)
