"""Reference lookups used while validating: commune history, ZRR status, ROME codes.

From the warehouse's `ref` tables when there is one, else from the bundled reference CSVs
(`validate_file` runs without a warehouse and must give the same answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from socle.config import BUNDLED_REFERENCE_DIR


@dataclass(frozen=True)
class Lookups:
    history: pl.DataFrame  # code → commune_code (current commune), every code the COG knew
    zrr: pl.DataFrame  # commune_code → zrr (bool, null when partly classified)
    rome_codes: pl.DataFrame  # rome_code

    @classmethod
    def from_warehouse(cls, con: duckdb.DuckDBPyConnection) -> Lookups:
        def q(sql: str) -> pl.DataFrame:
            return con.sql(sql).pl()

        return cls(
            q("SELECT code, commune_code FROM ref.commune_history"),
            q("SELECT commune_code, zrr FROM ref.communes"),
            q("SELECT rome_code FROM ref.rome_codes"),
        )

    @classmethod
    def bundled(cls, reference_dir: Path = BUNDLED_REFERENCE_DIR) -> Lookups:
        def read(name: str, cols: list[str]) -> pl.DataFrame:
            return pl.read_csv(reference_dir / name, infer_schema=False, columns=cols)

        communes = read("communes.csv", ["commune_code", "zrr_status_2017"])
        return cls(
            read("commune_code_lookup_cog2025.csv", ["code", "commune_code_cog2025"]).rename(
                {"commune_code_cog2025": "commune_code"}
            ),
            communes.select(
                "commune_code",
                zrr=pl.col("zrr_status_2017").replace_strict(
                    {"C": True, "NC": False}, default=None, return_dtype=pl.Boolean
                ),
            ),
            read("rome_codes.csv", ["rome_code"]),
        )


def map_communes(typed: pl.DataFrame, lookups: Lookups) -> tuple[pl.DataFrame, pl.Series]:
    """Old and arrondissement codes → current commune; unknown codes kept.

    Returns the frame and a mask of the rows whose code was mapped.
    """
    if "commune_code" not in typed.columns:
        return typed, pl.Series("mapped", [False] * typed.height)
    hist = lookups.history.rename({"code": "commune_code", "commune_code": "_current"})
    out = typed.join(hist, on="commune_code", how="left", maintain_order="left")
    changed = out.select(
        (pl.col("_current").is_not_null() & (pl.col("_current") != pl.col("commune_code")))
        .alias("mapped")
    ).to_series()
    out = out.with_columns(pl.coalesce("_current", "commune_code").alias("commune_code"))
    return out.drop("_current"), changed


def derive_zrr(typed: pl.DataFrame, lookups: Lookups) -> pl.DataFrame:
    """`zrr_resident` where not delivered comes from the (current) commune's classification."""
    if "zrr_resident" not in typed.columns or "commune_code" not in typed.columns:
        return typed
    out = typed.join(lookups.zrr.rename({"zrr": "_zrr"}), on="commune_code", how="left",
                     maintain_order="left")
    return out.with_columns(pl.coalesce("zrr_resident", "_zrr").alias("zrr_resident")).drop("_zrr")


def unknown_communes(typed: pl.DataFrame, lookups: Lookups) -> pl.Series:
    """True where a commune code is present but unknown to the reference (after mapping)."""
    known = lookups.zrr.get_column("commune_code")
    col = typed.get_column("commune_code")
    return col.is_not_null() & ~col.is_in(known)


def unknown_rome(typed: pl.DataFrame, lookups: Lookups) -> pl.Series:
    col = typed.get_column("rome_code")
    return col.is_not_null() & ~col.is_in(lookups.rome_codes.get_column("rome_code"))
