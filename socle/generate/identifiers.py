"""Identifiers: network-wide person pseudonyms and per-operator record ids."""

from __future__ import annotations

import numpy as np
import polars as pl

_HEX = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8)


def person_ids(rng: np.random.Generator, n: int) -> pl.Series:
    """`n` pseudonyms of 64 lowercase hex chars (like a SHA-256), built from random bytes
    without a per-row Python loop."""
    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    hex_bytes = np.ascontiguousarray(_HEX[raw].reshape(n, 64))
    return pl.Series("person_id", hex_bytes.view("S64").ravel()).cast(pl.String)


def record_id(prefix: str, number: str = "n", width: int = 9) -> pl.Expr:
    """`<prefix><zero-padded number>`: stable across months for the same record."""
    return pl.concat_str(pl.lit(prefix), pl.col(number).cast(pl.String).str.zfill(width))
