"""Which extracts an indicator reads, from its SQL file and the engine's shared tables:
the lineage the Dagster graph shows is derived, never written a second time."""

from __future__ import annotations

import re
from collections.abc import Iterable

from socle.config import SQL_DIR
from socle.indicators.catalog import Indicator, load_catalog, population_path
from socle.indicators.engine import SHARED_TABLES


def _code(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _tables_named(sql: str) -> set[str]:
    """Shared tables a query names, with those they are built from; populations followed."""
    code = _code(sql)
    named = {t for t in SHARED_TABLES if re.search(rf"\b{t}\b", code)}
    for name in re.findall(r"\beng_pop_(\w+)", code):
        named |= _tables_named(population_path(name).read_text(encoding="utf-8"))
    todo, closed = list(named), set()
    while todo:
        table = todo.pop()
        if table not in closed:
            closed.add(table)
            todo += SHARED_TABLES[table][1]
    return closed


def extracts_read(indicator: Indicator) -> set[str]:
    """The staging extracts `indicator` reads, through the engine's input scripts."""
    sql = indicator.sql_path.read_text(encoding="utf-8")
    if indicator.denominator:
        sql += population_path(indicator.denominator).read_text(encoding="utf-8")
    extracts = set()
    for table in _tables_named(sql):
        script = SHARED_TABLES[table][0]
        if script is not None:
            text = _code((SQL_DIR / script).read_text(encoding="utf-8"))
            extracts |= set(re.findall(r"\bstaging\.(\w+)", text))
    return extracts


def family_extracts(catalog: Iterable[Indicator] | None = None) -> dict[str, set[str]]:
    """Indicator family → the extracts its indicators read."""
    out: dict[str, set[str]] = {}
    for ind in catalog if catalog is not None else load_catalog():
        out.setdefault(ind.family, set()).update(extracts_read(ind))
    return out
