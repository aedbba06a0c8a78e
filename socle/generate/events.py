"""What happens to registered persons: diagnostics, pathways, hires, actions, survey answers.

Everything is drawn per registration spell (chain level, not per operator copy) so a
person followed by two operators is diagnosed, hired or surveyed once, and the event is
then attributed to one of the operators following them. Event dates outside the window
are kept internally (a diagnostic before the first month still dates a pathway) and
simply never delivered.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from schemas import codes
from socle.generate import shape
from socle.generate.months import Month
from socle.generate.population import OPERATORS, SEGMENT_NAMES, Population
from socle.generate.randomness import choice_codes, exp_days, poisson_events, stream

ORIENTATIONS: tuple[str, ...] = codes.ORIENTATIONS
PATHWAY_TYPES: tuple[str, ...] = codes.PATHWAY_TYPES
CONTRACT_TYPES: tuple[str, ...] = tuple(shape.CONTRACT_SHARES)
assert set(CONTRACT_TYPES) == set(codes.CONTRACT_TYPES)
SIX_MONTHS_DAYS = 182


def number_by_operator(df: pl.DataFrame, *order: str) -> pl.DataFrame:
    """Sort deterministically and number records within each operator (`n`)."""
    return df.sort("op", *order, maintain_order=True).with_columns(
        n=pl.int_range(pl.len(), dtype=pl.Int64).over("op")
    )


def _deliverer(rng: np.random.Generator, pop: Population, pid: np.ndarray,
               partner_share: float) -> np.ndarray:
    """The operator delivering an event: the partner with `partner_share`, else the base."""
    partner = pop.partner_op[pid]
    use_partner = (partner >= 0) & (rng.random(len(pid)) < partner_share)
    return np.where(use_partner, partner, pop.base_op[pid]).astype(np.int8)


class SpellArrays:
    """The chain-level spells as numpy arrays."""

    def __init__(self, pop: Population) -> None:
        s = pop.spells
        self.sid = s["sid"].to_numpy()
        self.pid = s["pid"].to_numpy()
        self.start = s["start"].to_numpy()
        self.exit = s["exit"].to_numpy()
        self.reason = s["exit_reason"].to_numpy()
        self.commune = s["commune"].to_numpy()
        self.segment = pop.persons["segment"].to_numpy()[self.pid]


def diagnostics(seed: int, pop: Population, sp: SpellArrays) -> pl.DataFrame:
    """One diagnostic for most spells, within weeks of registration; some never."""
    rng = stream(seed, "diagnostics")
    n = len(sp.sid)
    delay = np.floor(rng.lognormal(np.log(shape.DIAG_DELAY_MEDIAN_DAYS), shape.DIAG_DELAY_SIGMA,
                                   n)).astype(np.int32)
    day = sp.start + delay
    done = (rng.random(n) < shape.DIAGNOSED_SHARE) & (day <= sp.exit)
    seg = np.array(SEGMENT_NAMES)[sp.segment]
    social = np.isin(seg, ["RSA", "CD_ONLY"])
    youth = np.isin(seg, ["CEJ_YOUTH", "ML_ONLY"])
    orientation = np.where(
        social, choice_codes(rng, (0.10, 0.35, 0.55), n),
        np.where(youth, choice_codes(rng, (0.40, 0.50, 0.10), n),
                 choice_codes(rng, (0.65, 0.28, 0.07), n)),
    ).astype(np.int8)
    op = _deliverer(rng, pop, sp.pid, 0.5)
    df = pl.DataFrame({
        "op": op, "sid": sp.sid, "pid": sp.pid, "commune": sp.commune, "date": day,
        "orientation": orientation,
    }).filter(pl.Series(done))
    return number_by_operator(df, "date", "sid")


def _pathway_types(rng: np.random.Generator, op: np.ndarray) -> np.ndarray:
    out = np.zeros(len(op), dtype=np.int8)
    for i, name in enumerate(OPERATORS):
        mask = op == i
        shares = shape.PATHWAY_TYPE_SHARES[name]
        drawn = choice_codes(rng, shares, int(mask.sum()))
        out[mask] = np.array([PATHWAY_TYPES.index(t) for t in shares], dtype=np.int8)[drawn]
    return out


def pathways(seed: int, pop: Population, sp: SpellArrays, diags: pl.DataFrame) -> pl.DataFrame:
    """Pathways start after the diagnostic, end at the latest when the spell exits; some
    end early and are followed by another one (a re-orientation)."""
    rng = stream(seed, "pathways")
    n = len(sp.sid)
    diagnosed = np.zeros(n, dtype=bool)
    diag_day = np.zeros(n, dtype=np.int32)
    diag_sid = diags["sid"].to_numpy().astype(np.int64)
    diagnosed[diag_sid] = True
    diag_day[diag_sid] = diags["date"].to_numpy()
    start = diag_day + exp_days(rng, shape.PATHWAY_DELAY_MEAN_DAYS, n)
    has = diagnosed & (rng.random(n) < shape.PATHWAY_AFTER_DIAG_SHARE) & (start <= sp.exit)
    op = _deliverer(rng, pop, sp.pid, shape.PARTNER_IS_REFERENT)
    end = np.minimum(sp.exit, start + 1 + exp_days(rng, shape.PATHWAY_MEAN_DAYS, n))
    first = {"op": op, "sid": sp.sid, "pid": sp.pid, "commune": sp.commune, "start": start,
             "end": end, "type": _pathway_types(rng, op)}
    first = {k: v[has] for k, v in first.items()}

    # Re-orientation: another referent (for pairs) or another type after an early end.
    m = len(first["sid"])
    exit_ = sp.exit[np.searchsorted(sp.sid, first["sid"])]
    nstart = first["end"] + exp_days(rng, 20.0, m)
    again = (first["end"] < exit_) & (rng.random(m) < shape.REORIENTATION_SHARE)
    again &= nstart <= exit_
    pid = first["pid"]
    partner, base = pop.partner_op[pid], pop.base_op[pid]
    other = np.where(partner < 0, first["op"], np.where(first["op"] == base, partner, base))
    other = other.astype(np.int8)
    nend = np.minimum(exit_, nstart + 1 + exp_days(rng, shape.PATHWAY_MEAN_DAYS, m))
    second = {"op": other, "sid": first["sid"], "pid": pid, "commune": first["commune"],
              "start": nstart, "end": nend, "type": _pathway_types(rng, other)}
    second = {k: v[again] for k, v in second.items()}
    df = pl.concat([pl.DataFrame(first), pl.DataFrame(second)])
    return number_by_operator(df, "start", "sid")


def _contracts(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    ctype = choice_codes(rng, shape.CONTRACT_SHARES, n)
    months = np.full(n, -1, dtype=np.int32)  # -1 = not given
    for name, dist in shape.CONTRACT_MONTHS.items():
        mask = ctype == CONTRACT_TYPES.index(name)
        values = np.array(list(dist), dtype=np.int32)
        months[mask] = values[choice_codes(rng, dist, int(mask.sum()))]
    return ctype, months


def _active_in_window(sp: SpellArrays, months: list[Month]) -> tuple[np.ndarray, np.ndarray]:
    """[a, b): the days a spell is active inside the window."""
    a = np.maximum(sp.start, months[0].first)
    b = np.minimum(sp.exit, months[-1].last + 1)
    return a, b


def hires(seed: int, pop: Population, sp: SpellArrays, months: list[Month]) -> pl.DataFrame:
    """Hires while registered (faster in the first 6 months) and with every EMPLOI exit."""
    rng = stream(seed, "hires")
    a, b = _active_in_window(sp, months)
    cut = sp.start + SIX_MONTHS_DAYS
    s1, e1 = a, np.minimum(b, cut)
    s2, e2 = np.maximum(a, cut), b
    o1, d1 = poisson_events(rng, s1, e1 - s1, shape.HIRE_RATE_FIRST_6M)
    o2, d2 = poisson_events(rng, s2, e2 - s2, shape.HIRE_RATE_AFTER_6M)
    emploi = np.flatnonzero(sp.reason == list(shape.EXIT_REASON_SHARES).index("EMPLOI"))
    d3 = sp.exit[emploi] - np.floor(rng.random(len(emploi)) * (shape.EMPLOI_EXIT_HIRE_DAYS + 1))
    d3 = np.maximum(d3, sp.start[emploi]).astype(np.int32)
    owner = np.concatenate([o1, o2, emploi])
    day = np.concatenate([d1, d2, d3])
    keep = (day >= months[0].first) & (day <= months[-1].last)
    owner, day = owner[keep], day[keep]
    ctype, cmonths = _contracts(rng, len(owner))
    pid = sp.pid[owner]
    op = _deliverer(rng, pop, pid, 1 - shape.HIRE_BY_FT_FOR_PAIRS)
    df = pl.DataFrame({"op": op, "sid": sp.sid[owner], "pid": pid, "commune": sp.commune[owner],
                       "date": day, "contract_type": ctype, "contract_months": cmonths})
    return number_by_operator(df, "date", "sid")


def actions(seed: int, pop: Population, sp: SpellArrays, months: list[Month]) -> pl.DataFrame:
    """Training and immersion starts while registered."""
    rng = stream(seed, "actions")
    a, b = _active_in_window(sp, months)
    owner, day = poisson_events(rng, a, b - a, shape.ACTION_RATE)
    formation = rng.random(len(owner)) < shape.FORMATION_SHARE
    lo = np.where(formation, shape.FORMATION_DAYS[0], shape.IMMERSION_DAYS[0])
    hi = np.where(formation, shape.FORMATION_DAYS[1], shape.IMMERSION_DAYS[1])
    end = day + lo + np.floor(rng.random(len(owner)) * (hi - lo + 1)).astype(np.int32)
    pid = sp.pid[owner]
    df = pl.DataFrame({
        "op": _deliverer(rng, pop, pid, 0.5), "sid": sp.sid[owner], "pid": pid,
        "commune": sp.commune[owner], "date": day, "end": end.astype(np.int32),
        "action_type": np.where(formation, 0, 1).astype(np.int8),
    })
    return number_by_operator(df, "date", "sid")


def person_answers(seed: int, pop: Population, sp: SpellArrays, months: list[Month]
                   ) -> pl.DataFrame:
    """Satisfaction survey answers of registered persons (~70 % satisfied)."""
    rng = stream(seed, "person_answers")
    a, b = _active_in_window(sp, months)
    owner, day = poisson_events(rng, a, b - a, shape.PERSON_SURVEY_RATE)
    pid = sp.pid[owner]
    df = pl.DataFrame({
        "op": _deliverer(rng, pop, pid, 0.5), "sid": sp.sid[owner], "pid": pid,
        "commune": sp.commune[owner], "date": day,
        "score": (choice_codes(rng, shape.PERSON_SCORE_SHARES, len(owner)) + 1).astype(np.int8),
    })
    return number_by_operator(df, "date", "sid")
