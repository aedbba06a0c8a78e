"""Statistical secrecy: primary masking of small cells, then secondary suppression.

A cell is one published row (period, indicator, level, territory, breakdown, modality).
Its *size* is what secrecy looks at: the count for counts, the denominator for rates and
medians. Cells with 0 < size < threshold are masked (primary). Masking one cell alone is
not enough when published cells add up to another published cell: the masked one could be
recovered by subtraction. So cells are grouped by the additive relations of the tables:

- territories: a région with its départements, the nation with its régions, a département
  with the committees attached to it, the nation with every committee;
- breakdowns whose modalities partition the persons (sex, age band, ...): the modalities
  with their total.

Within any group where exactly one cell is masked, the smallest other published cell is
masked too; this repeats until no group holds a lone masked cell. Non-additive breakdowns
(operator, allowance, ...: a person counts under each that applies) form no group.
Masks are computed once per period over all levels, so every file agrees.
"""

from __future__ import annotations

import polars as pl

DEFAULT_THRESHOLD = 5

# Breakdowns whose modalities partition the population of the total.
ADDITIVE_BREAKDOWNS = frozenset({
    "sex", "age_band", "education", "disabled_worker", "qpv", "zrr", "seniority", "exit_reason",
    "category",
})

CELL_KEY = ["period", "indicator_code", "level", "territory_code", "breakdown", "breakdown_value"]


def _size() -> pl.Expr:
    return pl.coalesce(pl.col("denominator"), pl.col("numerator")).cast(pl.Float64)


def _territory_groups(cells: pl.DataFrame, territories: pl.DataFrame) -> pl.DataFrame:
    """(cell_id, group) pairs for the territorial hierarchy."""
    parents = territories.select(
        pl.col("level"), pl.col("territory_code"), pl.col("parent_code")
    )
    per_cell = cells.select(
        "cell_id", "period", "indicator_code", "breakdown", "breakdown_value", "level",
        "territory_code",
    ).join(parents, on=["level", "territory_code"], how="left")
    series = pl.concat_str(
        ["period", "indicator_code", "breakdown", "breakdown_value"], separator="|"
    )
    groups = []
    # (child level, parent level, how the group is named from a child row)
    for child, parent in (("REG", "NAT"), ("DEP", "REG"), ("BASSIN", "DEP"), ("BASSIN", "NAT")):
        parent_ref = pl.lit("FR") if parent == "NAT" else pl.col("parent_code")
        kids = per_cell.filter(pl.col("level") == child).select(
            "cell_id", (series + f"|{child}<{parent}|" + parent_ref).alias("group")
        )
        heads = per_cell.filter(pl.col("level") == parent).select(
            "cell_id", (series + f"|{child}<{parent}|" + pl.col("territory_code")).alias("group")
        )
        groups += [kids, heads]
    return pl.concat(groups)


def _breakdown_groups(cells: pl.DataFrame) -> pl.DataFrame:
    """(cell_id, group) pairs: each additive breakdown's modalities with their total."""
    place = pl.concat_str(["period", "indicator_code", "level", "territory_code"], separator="|")
    members = cells.filter(pl.col("breakdown").is_in(list(ADDITIVE_BREAKDOWNS))).select(
        "cell_id", (place + "|" + pl.col("breakdown")).alias("group")
    )
    breakdowns = members.select(pl.col("group")).unique()
    totals = cells.filter(pl.col("breakdown") == "total").select(
        "cell_id", place.alias("place")
    )
    heads = (
        breakdowns.with_columns(
            pl.col("group").str.replace(r"\|[^|]*$", "").alias("place")
        )
        .join(totals, on="place")
        .select("cell_id", "group")
    )
    return pl.concat([members, heads])


def apply_secrecy(
    values: pl.DataFrame, territories: pl.DataFrame, threshold: int = DEFAULT_THRESHOLD
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
    keyed = cells.with_columns(pl.col("period_key").alias("period"))
    membership = pl.concat([_territory_groups(keyed, territories), _breakdown_groups(keyed)])
    masked = cells.select(
        "cell_id", "size", ((pl.col("size") > 0) & (pl.col("size") < threshold)).alias("masked")
    )
    while True:
        state = membership.join(masked, on="cell_id")
        lone = (
            state.group_by("group")
            .agg(pl.col("masked").sum().alias("n_masked"), pl.len().alias("n"))
            .filter((pl.col("n_masked") == 1) & (pl.col("n") > 1))
            .select("group")
        )
        extra = (
            state.join(lone, on="group")
            .filter(~pl.col("masked"))
            .sort(["size", "cell_id"])
            .group_by("group", maintain_order=True)
            .first()
            .select("cell_id")
            .unique()
        )
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
