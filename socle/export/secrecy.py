"""Statistical secrecy: primary masking of small cells, then secondary suppression.

A cell is one published row (period, indicator, level, territory, breakdown, modality).
Its *size* is what secrecy looks at: the count for counts, the denominator for rates and
medians. Cells with 0 < size < threshold are masked (primary), and so are rate cells whose
numerator is from 1 to threshold - 1 (value × denominator gives it back). Masking one cell alone is
not enough when published cells add up to another published cell: the masked one could be
recovered by subtraction. The additive relations of an indicator's tables are:

- territories: a région with its départements, the nation with its régions, a département
  with the committees attached to it, the nation with every committee (for rule 1 even
  where the sum does not hold, e.g. a committee spanning two départements: that only
  masks more; for rule 2 where it holds);
- breakdowns: at a territory, the modalities of a breakdown with its total, wherever
  their sizes add up to the total's. That holds by construction for the breakdowns
  partitioning the units (sex, age band, ...), and for a list breakdown (operator,
  pathway type, allowance) wherever each unit happens to have a single value: always
  for units with one operator (pathways, diagnostics, offers, answers), in a territory
  where no person is followed by two operators for persons. Reading the relation from
  the data protects every relation an attacker could check, and only those.

Rules, repeated until none masks anything more:
1. in any relation where exactly one cell is masked, the smallest other published cell
   is masked too;
2. a breakdown over the territories of one relation (e.g. the départements of a région
   by age band, with their totals) is a two-way table with margins: a masked cell can be
   recovered by adding and subtracting rows and columns exactly when it is a *bridge* of
   the graph whose vertices are the table's rows and columns and whose edges are its
   masked cells (a row without an exact relation is one free vertex). A bridge gets a
   partner: the smallest published cell joining the two sides, which closes a cycle.
3. last, a check of all the relations at once (`determined.py`): tables share cells, and
   a combination across them can still determine a masked cell; such a cell gets a
   partner sharing a relation with it (for groups of masked cells up to a size).
Masks are computed once per period over all levels, so every file agrees.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from operator import itemgetter

import polars as pl

from socle.export.determined import MARGIN, determined_cells, partners, relations
from socle.settings import DEFAULT_SECRET_THRESHOLD

CELL_KEY = ["period", "indicator_code", "level", "territory_code", "breakdown", "breakdown_value"]
PLACE = ["period", "indicator_code", "level", "territory_code"]
# Territorial relations: (child level, parent level).
LEVEL_PAIRS = (("REG", "NAT"), ("DEP", "REG"), ("BASSIN", "DEP"), ("BASSIN", "NAT"))


def _size() -> pl.Expr:
    return pl.coalesce(pl.col("denominator"), pl.col("numerator")).cast(pl.Float64)


def _primary(threshold: int) -> pl.Expr:
    """Cells masked for themselves: a count of 1 to threshold - 1 units, whether published
    as the count, a denominator, or a rate's numerator (the rate times its denominator
    gives the numerator back)."""
    def small(column: pl.Expr) -> pl.Expr:
        return ((column > 0) & (column < threshold)).fill_null(False)

    numerator = pl.when(pl.col("denominator").is_not_null()).then(pl.col("numerator"))
    return small(_size()) | small(numerator.cast(pl.Float64))


def _with_parents(cells: pl.DataFrame, territories: pl.DataFrame) -> pl.DataFrame:
    parents = territories.select("level", "territory_code", "parent_code")
    return cells.join(parents, on=["level", "territory_code"], how="left")


def _additive(cells: pl.DataFrame) -> pl.DataFrame:
    """(place, breakdown) pairs whose modalities' sizes add up exactly to the total's."""
    sums = (
        cells.filter(pl.col("breakdown") != "total")
        .group_by([*PLACE, "breakdown"])
        .agg(pl.col("size").sum().alias("sum"))
    )
    totals = cells.filter(pl.col("breakdown") == "total").select(
        *PLACE, pl.col("size").alias("total")
    )
    return (
        sums.join(totals, on=PLACE)
        .filter(pl.col("sum") == pl.col("total"))
        .select(*PLACE, "breakdown")
    )


def _territory_groups(cells: pl.DataFrame) -> pl.DataFrame:
    """(cell_id, group) pairs for the territorial relations."""
    series = pl.concat_str(
        ["period", "indicator_code", "breakdown", "breakdown_value"], separator="|"
    )
    groups = []
    for child, parent in LEVEL_PAIRS:
        parent_ref = pl.lit("FR") if parent == "NAT" else pl.col("parent_code")
        kids = cells.filter(pl.col("level") == child).select(
            "cell_id", (series + f"|{child}<{parent}|" + parent_ref).alias("group")
        )
        heads = cells.filter(pl.col("level") == parent).select(
            "cell_id", (series + f"|{child}<{parent}|" + pl.col("territory_code")).alias("group")
        )
        groups += [kids, heads]
    return pl.concat(groups)


def _breakdown_groups(cells: pl.DataFrame, additive: pl.DataFrame) -> pl.DataFrame:
    """(cell_id, group) pairs: each additive breakdown's modalities with their total."""
    place = pl.concat_str(PLACE, separator="|")
    members = cells.join(additive, on=[*PLACE, "breakdown"]).select(
        "cell_id", (place + "|" + pl.col("breakdown")).alias("group")
    )
    heads = (
        cells.filter(pl.col("breakdown") == "total")
        .join(additive.select(*PLACE, pl.col("breakdown").alias("of")), on=PLACE)
        .select("cell_id", (place + "|" + pl.col("of")).alias("group"))
    )
    return pl.concat([members, heads])


def _table_entries(cells: pl.DataFrame, additive: pl.DataFrame) -> pl.DataFrame:
    """Each cell's places in the two-way tables: (table, row, col, free_row, free_col,
    cell_id).

    A table is one indicator, period, breakdown and territorial relation (a parent and its
    children); rows are the children and the parent (MARGIN), columns the modalities and
    the total (MARGIN). `free_row`: the row's modalities do not add up to its total, so
    the row gives no equation; `free_col`: the column gives none either (its parent is
    not the sum of its children).
    """
    breakdowns = (
        cells.filter(pl.col("breakdown") != "total")
        .select("period", "indicator_code", "breakdown").unique()
    )
    # Totals are the margin column of every breakdown's tables.
    totals = (
        cells.filter(pl.col("breakdown") == "total").drop("breakdown")
        .join(breakdowns, on=["period", "indicator_code"])
        .with_columns(pl.lit(MARGIN).alias("col"))
    )
    modalities = cells.filter(pl.col("breakdown") != "total").with_columns(
        pl.col("breakdown_value").alias("col")
    )
    placed = pl.concat([modalities.select(totals.columns), totals], how="vertical")
    placed = placed.join(
        additive.with_columns(pl.lit(False).alias("free_row")), on=[*PLACE, "breakdown"],
        how="left",
    ).with_columns(pl.col("free_row").fill_null(True))
    key = pl.concat_str(["period", "indicator_code", "breakdown"], separator="|")
    parts = []
    for child, parent in LEVEL_PAIRS:
        parent_ref = pl.lit("FR") if parent == "NAT" else pl.col("parent_code")
        parts.append(placed.filter(pl.col("level") == child).select(
            (key + f"|{child}<{parent}|" + parent_ref).alias("table"),
            pl.col("territory_code").alias("row"), "col", "free_row", "cell_id", "size",
        ))
        parts.append(placed.filter(pl.col("level") == parent).select(
            (key + f"|{child}<{parent}|" + pl.col("territory_code")).alias("table"),
            pl.lit(MARGIN).alias("row"), "col", "free_row", "cell_id", "size",
        ))
    entries = pl.concat(parts).drop_nulls("table")
    # A column gives an equation where its parent is the sum of its children's sizes: not
    # where the relation does not hold (a committee spanning two départements counts in one
    # only; the nation counts persons of unknown commune), which no one can use.
    is_child = pl.col("row") != MARGIN
    margins = entries.group_by("table", "col").agg(
        ((~is_child).sum() == 0).alias("no_parent"),
        pl.col("size").filter(~is_child).sum().alias("parent"),
        pl.col("size").filter(is_child).sum().alias("children"),
    ).select("table", "col", (pl.col("no_parent") | (pl.col("parent") != pl.col("children")))
             .alias("free_col"))
    return entries.drop("size").join(margins, on=["table", "col"])


def _bridges(edges: list[tuple[str, str, int]]) -> list[int]:
    """Cell ids of the bridges of a multigraph given as (vertex, vertex, cell_id) edges."""
    adjacency: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for a, b, cell in edges:
        adjacency[a].append((b, cell))
        adjacency[b].append((a, cell))
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    found = []
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            vertex, via, neighbours = stack[-1]
            advanced = False
            for nxt, cell in neighbours:
                if cell == via:
                    continue
                if nxt in order:
                    low[vertex] = min(low[vertex], order[nxt])
                else:
                    order[nxt] = low[nxt] = len(order)
                    stack.append((nxt, cell, iter(adjacency[nxt])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[vertex])
                    if low[vertex] > order[parent]:
                        found.append(via)
    return found


def _side(edges: list[tuple[str, str, int]], start: str, without: int) -> set[str]:
    """Vertices reachable from `start` without crossing edge `without`."""
    adjacency: dict[str, list[str]] = defaultdict(list)
    for a, b, cell in edges:
        if cell != without:
            adjacency[a].append(b)
            adjacency[b].append(a)
    seen, todo = {start}, [start]
    while todo:
        for nxt in adjacency[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _vertices(row: str, col: str, free_row: bool, free_col: bool) -> tuple[str, str]:
    """A table entry's two vertices; rows and columns giving no equation are one free
    vertex (an edge between two of them is a loop: never a bridge)."""
    return ("free" if free_row else "r" + row), ("free" if free_col else "c" + col)


def _partner(entries: list[tuple], edges: list[tuple[str, str, int]], bridge: int,
             taken: set[int], size: dict[int, float]) -> int | None:
    """The smallest published cell joining the two sides of `bridge` (closing a cycle
    through it); failing that, one touching it (a later pass goes on from there)."""
    a, b = next((u, v) for u, v, cell in edges if cell == bridge)
    side_a, side_b = _side(edges, a, bridge), _side(edges, b, bridge)
    free = [(cell, _vertices(r, c, fr, fc)) for r, c, fr, fc, cell in entries
            if cell not in taken]
    joining = [cell for cell, (u, v) in free
               if (u in side_a and v in side_b) or (u in side_b and v in side_a)]
    touching = [cell for cell, (u, v) in free if {u, v} & {a, b}]
    candidates = joining or touching
    return min(candidates, key=lambda cell: (size[cell], cell)) if candidates else None


def _protect_table(entries: list[tuple], taken: set[int], size: dict[int, float]) -> set[int]:
    """Cells to mask so that no masked cell of one two-way table is a bridge; `taken` (the
    masked cells) grows with them."""
    added: set[int] = set()
    while True:
        edges = [(*_vertices(r, c, fr, fc), cell) for r, c, fr, fc, cell in entries
                 if cell in taken]
        bridges = sorted(_bridges(edges))
        if not bridges:
            return added
        partner = _partner(entries, edges, bridges[0], taken, size)
        if partner is None:
            return added
        added.add(partner)
        taken.add(partner)


def _lone_partners(membership: pl.DataFrame, masked: pl.DataFrame) -> pl.DataFrame:
    """For each relation with exactly one masked cell, its smallest other published cell."""
    state = membership.join(masked, on="cell_id")
    lone = (
        state.group_by("group")
        .agg(pl.col("masked").sum().alias("n_masked"), pl.len().alias("n"))
        .filter((pl.col("n_masked") == 1) & (pl.col("n") > 1))
        .select("group")
    )
    return (
        state.join(lone, on="group")
        .filter(~pl.col("masked"))
        .sort(["size", "cell_id"])
        .group_by("group", maintain_order=True)
        .first()
        .select("cell_id")
        .unique()
    )


def apply_secrecy(
    values: pl.DataFrame, territories: pl.DataFrame, threshold: int = DEFAULT_SECRET_THRESHOLD
) -> pl.DataFrame:
    """Add a boolean `masked` column to indicator values (see the module docstring).

    `values` has the columns of `indicators.indicator_values`; `territories` those of
    `ref.territories` (level, territory_code, parent_code).
    """
    # Cells in a fixed order, so that ties between equally small cells always break the
    # same way: the same data must give the same masks.
    cells = values.sort(CELL_KEY).with_row_index("cell_id").with_columns(
        pl.col("period").cast(pl.Utf8).alias("period_key"),
        _size().alias("size"),
    )
    keyed = _with_parents(
        cells.with_columns(pl.col("period_key").alias("period")), territories
    )
    additive = _additive(keyed)
    membership = pl.concat([_territory_groups(keyed), _breakdown_groups(keyed, additive)])
    tables = _table_entries(keyed, additive)
    exact = relations(tables)
    size = dict(zip(cells["cell_id"].to_list(), cells["size"].fill_null(0).to_list(),
                    strict=True))
    masked = cells.select("cell_id", "size", _primary(threshold).alias("masked"))
    checked: set[int] | None = None  # masked cells when tables were last checked
    while True:
        extra = _lone_partners(membership, masked)
        if extra.height == 0:
            now = set(masked.filter(pl.col("masked"))["cell_id"].to_list())
            # A table whose masked cells did not change since it was checked has no bridge
            # (cells a pass adds count as changed: a table checked before them holds some).
            added = _bridge_partners(tables, now, size,
                                     None if checked is None else now - checked)
            checked = now
            if not added:  # last, the exact check across tables
                determined = determined_cells(exact, now)
                added = partners(exact, determined, now, size) if determined else set()
            extra = pl.DataFrame({"cell_id": sorted(added)}, schema={"cell_id": pl.UInt32})
        if extra.height == 0:
            break
        masked = masked.with_columns(
            (pl.col("masked") | pl.col("cell_id").is_in(extra["cell_id"].implode())).alias(
                "masked"
            )
        )
    return cells.join(masked.select("cell_id", "masked"), on="cell_id").sort("cell_id").drop(
        "cell_id", "size", "period_key"
    )


def _bridge_partners(
    tables: pl.DataFrame, is_masked: set[int], size: dict[int, float],
    changed: set[int] | None,
) -> set[int]:
    """Cells to mask so that no two-way table has a masked cell recoverable from its rows
    and columns. Only tables with two masked cells or more can hide a bridge the lone
    rule has not already closed; with `changed`, only tables holding one of those cells."""
    flagged = tables.with_columns(pl.col("cell_id").is_in(list(is_masked)).alias("m"))
    flagged = flagged.with_columns(
        (pl.col("m") if changed is None else pl.col("cell_id").is_in(list(changed)))
        .alias("changed"))
    busy = flagged.group_by("table").agg(pl.col("m").sum(), pl.col("changed").any()).filter(
        (pl.col("m") >= 2) & pl.col("changed"))
    rows = flagged.join(busy.select("table"), on="table").sort(["table", "cell_id"])
    added: set[int] = set()
    taken = set(is_masked)
    columns = ("table", "row", "col", "free_row", "free_col", "cell_id")
    for _, group in groupby(zip(*(rows[c].to_list() for c in columns), strict=True),
                            key=itemgetter(0)):
        added |= _protect_table([entry[1:] for entry in group], taken, size)
    return added
