"""The exact check behind secondary suppression: which masked cells do published cells
determine through the relations of all the tables at once?

The bridge rule (`secrecy.py`) protects each two-way table; tables share cells (a
territory's total is in every breakdown's table, a département in its région's table and
its committees'), and a combination across them can still pin a cell down. Here every
exact relation of an indicator and period is one linear equation over the masked cells
(published cells are known numbers); a masked cell is determined when it takes no part in
the null space of those equations. Solved per connected group of masked cells, by a dense
singular value decomposition, up to `MAX_UNKNOWNS` cells a group (larger groups are
left to the per-table rules: their cost grows with the cube of their size).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl

MAX_UNKNOWNS = 400
MARGIN = "\x00"  # the row or column of a two-way table (secrecy.py) holding the margins


def relations(tables: pl.DataFrame) -> pl.DataFrame:
    """(eq, cell_id, coef) of every exact relation read from the two-way tables: a row
    that adds up (margin = sum of its cells) and a column that does (parent = sum of its
    children); the margin cell +1, the others -1."""
    rows = tables.filter(~pl.col("free_row")).select(
        pl.concat_str([pl.col("table"), pl.lit("|r|"), pl.col("row")]).alias("eq"),
        "cell_id",
        pl.when(pl.col("col") == MARGIN).then(1).otherwise(-1).alias("coef"),
    )
    cols = tables.filter(~pl.col("free_col")).select(
        pl.concat_str([pl.col("table"), pl.lit("|c|"), pl.col("col")]).alias("eq"),
        "cell_id",
        pl.when(pl.col("row") == MARGIN).then(1).otherwise(-1).alias("coef"),
    )
    return pl.concat([rows, cols])


def determined_cells(relations: pl.DataFrame, masked: set[int]) -> list[int]:
    """Masked cells that the relations determine, in groups of up to MAX_UNKNOWNS."""
    terms = relations.filter(pl.col("cell_id").is_in(list(masked)))
    by_eq: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for eq, cell, coef in terms.iter_rows():
        by_eq[eq].append((cell, coef))
    groups = _groups(list(by_eq.values()))
    found: list[int] = []
    for cells, equations in groups:
        if len(cells) <= MAX_UNKNOWNS:
            found += _solve(cells, equations)
    return sorted(found)


def _groups(equations: list[list[tuple[int, int]]]
            ) -> list[tuple[list[int], list[list[tuple[int, int]]]]]:
    """Masked cells linked by equations, with their equations (union-find)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for terms in equations:
        first = root(terms[0][0])
        for cell, _ in terms[1:]:
            other = root(cell)
            if other != first:
                parent[other] = first
    cells: dict[int, list[int]] = defaultdict(list)
    eqs: dict[int, list[list[tuple[int, int]]]] = defaultdict(list)
    for cell in parent:
        cells[root(cell)].append(cell)
    for terms in equations:
        eqs[root(terms[0][0])].append(terms)
    return [(sorted(cells[r]), eqs[r]) for r in sorted(cells)]


def _solve(cells: list[int], equations: list[list[tuple[int, int]]]) -> list[int]:
    index = {c: i for i, c in enumerate(cells)}
    matrix = np.zeros((len(equations), len(cells)))
    for i, terms in enumerate(equations):
        for cell, coef in terms:
            matrix[i, index[cell]] += coef
    _, singular, vt = np.linalg.svd(matrix)
    null = vt[int((singular > 1e-9).sum()):]
    return [c for c, i in index.items() if not np.any(np.abs(null[:, i]) > 1e-9)]


def partners(relations: pl.DataFrame, determined: list[int], masked: set[int],
             size: dict[int, float]) -> set[int]:
    """For each determined cell, the smallest published cell sharing a relation with it,
    or failing that with the masked cells it is linked to, nearest first: masked too, it
    brings one more unknown where the determined cell's equations are."""
    eqs_of: dict[int, list[str]] = defaultdict(list)
    members: dict[str, list[int]] = defaultdict(list)
    for eq, cell in relations.select("eq", "cell_id").iter_rows():
        eqs_of[cell].append(eq)
        members[eq].append(cell)
    chosen: set[int] = set()
    for cell in determined:
        seen_cells, seen_eqs, frontier = {cell}, set[str](), [cell]
        while frontier:
            eqs = {eq for c in frontier for eq in eqs_of[c]} - seen_eqs
            seen_eqs |= eqs
            near = {c for eq in eqs for c in members[eq]} - seen_cells
            options = [c for c in near if c not in masked]
            if options:
                chosen.add(min(options, key=lambda c: (size[c], c)))
                break
            seen_cells |= near
            frontier = list(near)
    return chosen
