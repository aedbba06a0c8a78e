"""Job offers and employer survey answers.

Offers are posted at a steady rate from a year before the first month (so the window
starts with a realistic stock of open offers), by a pool of employers located in
communes drawn by population. The closing reason is drawn first (83 % filled), then a
delay that depends on it (filled: log-normal, median ~45 days).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from schemas import codes
from socle.generate import shape
from socle.generate.events import number_by_operator
from socle.generate.geography import Geography
from socle.generate.months import Month
from socle.generate.population import OPERATORS
from socle.generate.randomness import choice_codes, stream

CLOSING_REASONS: tuple[str, ...] = tuple(shape.CLOSING_REASON_SHARES)
assert set(CLOSING_REASONS) == set(codes.CLOSING_REASONS)


def job_offers(seed: int, persons: int, months: list[Month], geo: Geography) -> pl.DataFrame:
    rng = stream(seed, "job_offers")
    w0, w1 = months[0].first, months[-1].last
    first_day = w0 - shape.OFFER_HISTORY_DAYS
    days = w1 - first_day + 1
    n = rng.poisson(shape.OFFERS_PER_PERSON_MONTH * persons * days / shape.DAYS_PER_MONTH)
    posted = (first_day + np.floor(rng.random(n) * days)).astype(np.int32)
    reason = choice_codes(rng, shape.CLOSING_REASON_SHARES, n)
    filled = np.floor(rng.lognormal(np.log(shape.FILL_DELAY_MEDIAN_DAYS), shape.FILL_DELAY_SIGMA,
                                    n))
    cancelled = 5 + np.floor(rng.random(n) * 56)
    expired = 60 + np.floor(rng.random(n) * 121)
    other = 10 + np.floor(rng.random(n) * 111)
    delay = np.choose(reason, [filled, cancelled, expired, other]).astype(np.int32)
    closed = posted + delay
    n_employers = max(20, int(persons * shape.EMPLOYERS_PER_PERSON))
    employer_siret = rng.integers(10**13, 10**14, size=n_employers, dtype=np.int64)
    employer_commune = geo.sample(rng, n_employers)
    employer = np.floor(rng.pareto(1.2, n) * n_employers / 20).astype(np.int64) % n_employers
    rome = rng.integers(0, len(geo.rome_codes), size=n)
    rome_missing = rng.random(n) < shape.ROME_MISSING
    positions = rng.geometric(0.75, n).astype(np.int32)
    op = np.where(rng.random(n) < shape.APEC_OFFER_SHARE, OPERATORS.index("APEC"),
                  OPERATORS.index("FT")).astype(np.int8)
    df = pl.DataFrame({
        "op": op, "posted": posted, "closed": closed, "closing_reason": reason,
        "employer_siret": employer_siret[employer].astype(str),
        "commune": employer_commune[employer], "rome": np.where(rome_missing, -1, rome),
        "positions": positions,
    }).filter(pl.col("closed") >= w0)
    return number_by_operator(df, "posted", "closed", "employer_siret")


def employer_answers(seed: int, offers: pl.DataFrame, months: list[Month]) -> pl.DataFrame:
    """Some employers answer the survey a few days after their offer closes."""
    rng = stream(seed, "employer_answers")
    n = offers.height
    day = offers["closed"].to_numpy() + np.floor(rng.random(n) * 21).astype(np.int32)
    answered = rng.random(n) < shape.EMPLOYER_SURVEY_SHARE
    score = (choice_codes(rng, shape.EMPLOYER_SCORE_SHARES, n) + 1).astype(np.int8)
    df = offers.select("op", "employer_siret", "commune").with_columns(
        date=pl.Series(day.astype(np.int32)), score=pl.Series(score)
    ).filter(pl.Series(answered) & pl.col("date").is_between(months[0].first, months[-1].last))
    return number_by_operator(df, "date", "employer_siret")
