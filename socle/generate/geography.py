"""The real communes (COG 2025) with their population, used as sampling weights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from socle.config import BUNDLED_REFERENCE_DIR


@dataclass(frozen=True)
class Geography:
    communes: pl.DataFrame  # commune_code, departement_code, zrr_status_2017, population
    weights: np.ndarray  # population share of each commune
    old_codes: pl.DataFrame  # code, code_type, commune_code_cog2025 (merged / arrondissements)
    rome_codes: list[str]

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Commune row indices drawn in proportion to population."""
        return rng.choice(len(self.weights), size=size, p=self.weights).astype(np.int32)

    def codes(self, idx: np.ndarray) -> pl.Series:
        return self.communes["commune_code"].gather(idx)


def load_geography(reference_dir: Path = BUNDLED_REFERENCE_DIR) -> Geography:
    communes = (
        pl.read_csv(reference_dir / "communes.csv", infer_schema=False)
        .select("commune_code", "departement_code", "zrr_status_2017",
                pl.col("population").cast(pl.Int64))
        .sort("commune_code")
    )
    pop = communes["population"].to_numpy().astype(float)
    lookup = (
        pl.read_csv(reference_dir / "commune_code_lookup_cog2025.csv", infer_schema=False)
        .filter(pl.col("code_type") != "commune")
        .select("code", "code_type", "commune_code_cog2025")
        .sort("code")
    )
    rome = pl.read_csv(reference_dir / "rome_codes.csv", infer_schema=False)
    return Geography(communes, pop / pop.sum(), lookup, sorted(rome["rome_code"].to_list()))
