"""Independent, named random streams: each part of the generator draws from its own
stream, so adding draws to one part never shifts the data of another for a given seed."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def choice_codes(
    rng: np.random.Generator, shares: dict | tuple | list | np.ndarray, size: int
) -> np.ndarray:
    """Indices into `shares` (normalised), as int8, drawn independently."""
    p = np.asarray(list(shares.values()) if isinstance(shares, dict) else shares, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int8)


def exp_days(rng: np.random.Generator, mean_days: np.ndarray | float, size: int) -> np.ndarray:
    """Exponential durations in whole days."""
    return np.floor(rng.exponential(1.0, size) * mean_days).astype(np.int32)


def poisson_events(rng: np.random.Generator, start: np.ndarray, length: np.ndarray,
                   rate_per_month: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson events on intervals [start, start + length): (owner row index, day)."""
    length = np.maximum(length, 0)
    counts = rng.poisson(rate_per_month * length / 30.44)
    owner = np.repeat(np.arange(len(start)), counts)
    day = start[owner] + np.floor(rng.random(len(owner)) * length[owner]).astype(np.int32)
    return owner, day.astype(np.int32)
