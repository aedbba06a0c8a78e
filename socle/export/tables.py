"""What the site and the workbooks show: a territory's figures beside its parents', in the
order people read them, with the catalog's words.

Built once per month from a published frame (export columns, secret cells with empty
numbers), then read territory by territory: a national month has ~480 territories."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

import duckdb
import polars as pl

from socle.export.labels import indicator_rank, people_order
from socle.warehouse import frame

Node = tuple[str, str]  # (level, territory code)
Cell = tuple[str, str, str]  # (indicateur, ventilation, modalite)
HEADLINE = ("ensemble", "ensemble")


class Figure(NamedTuple):
    """One published number: `value` None with `secret` False means no row (see `absent`)."""

    value: float | None
    secret: bool


NO_ROW = Figure(None, False)
_new_tuple = tuple.__new__  # Figure(value, secret) without the Python-level __new__


@dataclass(frozen=True)
class Indicator:
    """A catalog entry as readers see it."""

    code: str
    family: str
    unit: str
    label: str
    definition: str
    aggregation: str
    breakdowns: tuple[str, ...]


def catalog(con: duckdb.DuckDBPyConnection) -> list[Indicator]:
    """`ref.indicators` of the snapshot, in catalog order (codes the catalog file no longer
    knows go last, by code)."""
    rows = frame(con, "SELECT code, family, unit, label_fr, definition_fr, aggregation, "
                      "breakdowns FROM ref.indicators").rows()
    rank = indicator_rank()
    rows.sort(key=lambda r: (rank.get(r[0], len(rank)), r[0]))
    return [Indicator(c, f, u, lab, d, a, tuple(b or ())) for c, f, u, lab, d, a, b in rows]


@dataclass(frozen=True)
class Geography:
    """Territories with their names and their chain of parents up to the nation."""

    names: dict[Node, str]
    parents: dict[Node, Node | None]

    @classmethod
    def from_frame(cls, territories: pl.DataFrame) -> Geography:
        names, parents = {}, {}
        for r in territories.iter_rows(named=True):
            node = (r["level"], r["territory_code"])
            names[node] = r["territory_name"]
            parents[node] = (r["parent_level"], r["parent_code"]) if r["parent_level"] else None
        return cls(names, parents)

    def chain(self, node: Node) -> list[Node]:
        """The territory, then its département, région and the nation (as far as it goes)."""
        out: list[Node] = []
        cur: Node | None = node
        while cur is not None and cur not in out:
            out.append(cur)
            cur = self.parents.get(cur)
        return out

    def name(self, node: Node) -> str:
        return self.names.get(node) or node[1]


class MonthFigures:
    """One month's published figures by territory and cell, with cells in reading order."""

    def __init__(self, published: pl.DataFrame, indicators: Iterable[Indicator]) -> None:
        ordered = people_order(
            published.select("indicateur", "ventilation", "modalite", "niveau",
                             "code_territoire", "valeur", "secret"),
            then=["niveau", "code_territoire"],
        )
        self.cells: list[Cell] = ordered.select(
            "indicateur", "ventilation", "modalite").unique(maintain_order=True).rows()
        # Built per territory from whole columns: a loop over the rows cost twice as much.
        self.by_node: dict[Node, dict[Cell, Figure]] = {}
        parts = ordered.with_columns(pl.col("secret").cast(pl.Utf8).eq_missing("oui")).partition_by(
            ["niveau", "code_territoire"], maintain_order=True, as_dict=True)
        # One Figure per row (~300,000 a national month), tracked by the cyclic collector:
        # it would walk them all again each time they grow by a quarter. They hold no cycle.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for (level, code), part in parts.items():
                cells = zip(*(part[c].to_list() for c in ("indicateur", "ventilation", "modalite")),
                            strict=True)
                values = zip(part["valeur"].to_list(), part["secret"].to_list(), strict=True)
                figures = map(_new_tuple, repeat(Figure), values)
                self.by_node[(level, code)] = dict(zip(cells, figures, strict=True))
        finally:
            if collecting:
                gc.enable()
        self.published_codes = {c[0] for c in self.cells}
        self._counts = {i.code for i in indicators if i.aggregation == "count"}
        self._position = {c: i for i, c in enumerate(self.cells)}
        self._positions: dict[Node, set[int]] = {}

    def figure(self, node: Node, cell: Cell) -> Figure:
        """The cell's figure at `node`; a count with no row is 0 once the indicator is
        published this month (rows are left out where a count is 0)."""
        found = self.by_node.get(node, {}).get(cell)
        if found is not None:
            return found
        if cell[0] in self._counts and cell[0] in self.published_codes:
            return Figure(0.0, False)
        return NO_ROW

    def headline(self, node: Node, code: str) -> Figure:
        return self.figure(node, (code, *HEADLINE))

    def cells_of(self, chain: list[Node]) -> list[Cell]:
        """The cells any territory of `chain` has a row for, in reading order."""
        found: set[int] = set()
        for node in chain:
            positions = self._positions.get(node)
            if positions is None:
                positions = self._positions[node] = {
                    self._position[c] for c in self.by_node.get(node, {})}
            found |= positions
        return [self.cells[i] for i in sorted(found)]

    def rows_of(self, chain: list[Node]) -> int:
        """Export rows the chain's territories hold (as the territory's CSV file)."""
        return sum(len(self.by_node.get(n, {})) for n in chain)
