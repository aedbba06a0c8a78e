"""Persons and their registration spells, drawn as whole numpy arrays.

A person belongs to one segment (who follows them), lives in a commune drawn in
proportion to population, and has a chain of 1 to 3 registration spells: the first
either in the stock at the first month (started before it) or entering during the
window, then possibly a move (DEMENAGEMENT exit and a new spell the same day in
another commune) or a re-registration after a gap. Each spell is delivered by the
person's base operator and, for the ~15 % of pairs, by the partner operator too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from schemas import codes
from socle.generate import shape
from socle.generate.geography import Geography
from socle.generate.identifiers import person_ids
from socle.generate.months import DAY_2025, MIN_REGISTRATION_DAY, Month
from socle.generate.randomness import choice_codes, exp_days, stream

OPERATORS: tuple[str, ...] = tuple(codes.OPERATORS)
SEGMENT_NAMES: tuple[str, ...] = tuple(shape.SEGMENTS)
EXIT_REASONS: tuple[str, ...] = tuple(shape.EXIT_REASON_SHARES)
CATEGORIES: tuple[str, ...] = tuple(shape.CATEGORY_SHARES)
assert set(EXIT_REASONS) == set(codes.EXIT_REASONS)
assert set(CATEGORIES) == set(codes.CATEGORIES)


def years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int32) + 1970


@dataclass
class Population:
    persons: pl.DataFrame  # one row per person: pid, person_id, segment and attributes
    spells: pl.DataFrame  # one row per registration spell of a person (chain level)
    registrations: pl.DataFrame  # one row per spell and operator delivering it
    base_op: np.ndarray  # operator index of each person's base operator
    partner_op: np.ndarray  # operator index of the partner, -1 when followed by one only


def _segment_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    shares = np.array([s[0] for s in shape.SEGMENTS.values()])
    base = np.array([OPERATORS.index(s[1]) for s in shape.SEGMENTS.values()], dtype=np.int8)
    partner = np.array([OPERATORS.index(s[2]) if s[2] else -1 for s in shape.SEGMENTS.values()],
                       dtype=np.int8)
    hazard = np.array([s[3] for s in shape.SEGMENTS.values()])
    return shares / shares.sum(), base, partner, hazard


def _person_attributes(rng: np.random.Generator, segment: np.ndarray, first_start: np.ndarray
                       ) -> dict[str, np.ndarray]:
    """Sex, birth year, education, allowances and flags, consistent with the segment."""
    n = len(segment)
    seg = np.array(SEGMENT_NAMES)[segment]
    youth = np.isin(seg, ["CEJ_YOUTH", "ML_ONLY"])
    execs = np.isin(seg, ["EXECUTIVE", "APEC_ONLY"])
    rsa = np.isin(seg, ["RSA", "CD_ONLY"])
    disabled = np.isin(seg, ["DISABLED", "CE_ONLY"])

    band = choice_codes(rng, (0.18, 0.60, 0.22), n)
    lo = np.array([18, 26, 50])[band]
    hi = np.array([25, 49, 64])[band]
    lo = np.where(youth, 16, np.where(execs, 28, lo))
    hi = np.where(youth, 25, np.where(execs, 60, hi))
    age = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int32)

    edu = choice_codes(rng, shape.EDUCATION_SHARES, n) + 1
    edu = np.where(execs, 6 + np.floor(rng.random(n) * 3), edu)
    edu = np.where(youth, np.minimum(edu, 4), edu).astype(np.int8)
    edu_missing = rng.random(n) < shape.EDUCATION_MISSING

    u = rng.random((7, n))
    return {
        "sex": np.where(u[0] < shape.FEMALE_SHARE, 0, 1).astype(np.int8),
        "birth_year": (years_of(first_start) - age).astype(np.int32),
        "education": np.where(edu_missing, 0, edu).astype(np.int8),  # 0 = unknown
        "allowance_are": (u[1] < shape.ARE_SHARE) & ~np.isin(seg, ["ML_ONLY", "CD_ONLY"]),
        "allowance_ass": (u[2] < shape.ASS_SHARE) & ~youth,
        "allowance_rsa": rsa | ((u[3] < 0.04) & ~youth),
        "allowance_aah": (disabled & (u[4] < 0.35)) | (u[4] < 0.005),
        "allowance_cej": (seg == "CEJ_YOUTH") | ((seg == "ML_ONLY") & (u[5] < 0.5)),
        "disabled_worker": disabled | (u[5] > 0.97),
        "qpv_resident": u[6] < np.where(rsa | youth, 0.2, shape.QPV_SHARE),
    }


def draw_population(seed: int, n: int, months: list[Month], geo: Geography) -> Population:
    rng = stream(seed, "population")
    w0, w1 = months[0].first, months[-1].last
    shares, seg_base, seg_partner, seg_hazard = _segment_table()

    segment = choice_codes(rng, shares, n)
    hazard = seg_hazard[segment]
    mean_days = shape.DAYS_PER_MONTH / hazard
    # Stock share chosen so that monthly entries roughly balance exits over the window.
    avg_hazard = float((shares * seg_hazard).sum())
    entries_per_stock = (1 - shape.REREGISTRATION_SHARE) * avg_hazard * len(months)
    in_stock = rng.random(n) < 1 / (1 + entries_per_stock)

    elapsed = 1 + exp_days(rng, mean_days, n)
    residual = exp_days(rng, mean_days, n)
    entry_day = w0 + np.floor(rng.random(n) * (w1 - w0 + 1)).astype(np.int32)
    duration = 1 + exp_days(rng, mean_days, n)
    start = np.where(in_stock, np.maximum(w0 - elapsed, MIN_REGISTRATION_DAY), entry_day)
    exit_ = np.where(in_stock, w0 + residual, entry_day + duration).astype(np.int32)
    start = start.astype(np.int32)
    commune = geo.sample(rng, n)
    attrs = _person_attributes(rng, segment, start)

    # Chains: moves and re-registrations, one generation at a time.
    pids = [np.arange(n, dtype=np.int32)]
    starts, exits, communes = [start], [exit_], [commune]
    reasons = [choice_codes(rng, shape.EXIT_REASON_SHARES, n)]
    move_code = EXIT_REASONS.index("DEMENAGEMENT")
    for _ in range(shape.MAX_SPELLS_PER_PERSON - 1):
        pid, ex, rs, com = pids[-1], exits[-1], reasons[-1], communes[-1]
        u = rng.random(len(pid))
        moves = (rs == move_code) & (u < shape.MOVE_SHARE)
        rereg = (rs != move_code) & (u < shape.REREGISTRATION_SHARE)
        gap = 1 + exp_days(rng, shape.REREGISTRATION_GAP_DAYS, len(pid))
        new_start = np.where(moves, ex, ex + gap).astype(np.int32)
        new_commune = np.where(moves, geo.sample(rng, len(pid)), com)
        keep = (moves | rereg) & (ex <= w1) & (new_start <= w1)
        keep &= years_of(new_start) - attrs["birth_year"][pid] <= 75
        if not keep.any():
            break
        pid, new_start, new_commune = pid[keep], new_start[keep], new_commune[keep]
        pids.append(pid)
        starts.append(new_start)
        exits.append((new_start + 1 + exp_days(rng, mean_days[pid], len(pid))).astype(np.int32))
        communes.append(new_commune.astype(np.int32))
        reasons.append(choice_codes(rng, shape.EXIT_REASON_SHARES, len(pid)))

    spell_start = np.concatenate(starts)
    category = choice_codes(rng, shape.CATEGORY_SHARES, len(spell_start))
    since_2025 = np.isin(category, [CATEGORIES.index(c) for c in shape.CATEGORIES_SINCE_2025])
    category[since_2025 & (spell_start < DAY_2025)] = CATEGORIES.index("A")
    spells = (
        pl.DataFrame({
            "pid": np.concatenate(pids),
            "start": spell_start,
            "exit": np.concatenate(exits),
            "exit_reason": np.concatenate(reasons),
            "commune": np.concatenate(communes),
            "category": category,
        })
        .sort("pid", "start")
        .with_row_index("sid")
    )

    base_op, partner_op = seg_base[segment], seg_partner[segment]
    registrations = _operator_rows(rng, spells, base_op, partner_op)
    persons = pl.DataFrame({"pid": np.arange(n, dtype=np.int32), "segment": segment, **attrs})
    persons = persons.with_columns(person_ids(stream(seed, "person_ids"), n))
    return Population(persons, spells, registrations, base_op, partner_op)


def _operator_rows(rng: np.random.Generator, spells: pl.DataFrame, base_op: np.ndarray,
                   partner_op: np.ndarray) -> pl.DataFrame:
    """One registration row per spell and operator; the partner registers a little later."""
    pid = spells["pid"].to_numpy()
    start, exit_ = spells["start"].to_numpy(), spells["exit"].to_numpy()
    has_partner = partner_op[pid] >= 0
    lag = np.floor(rng.random(len(pid)) * (shape.PARTNER_LAG_DAYS + 1)).astype(np.int32)
    base = spells.with_columns(op=pl.Series(base_op[pid]))
    partner = spells.filter(pl.Series(has_partner)).with_columns(
        op=pl.Series(partner_op[pid][has_partner]),
        start=pl.Series(np.minimum(start + lag, exit_)[has_partner]),
    )
    return (
        pl.concat([base, partner])
        .sort("op", "sid")
        .with_columns(n=pl.int_range(pl.len(), dtype=pl.Int64).over("op"))
    )
