"""Valid sample rows of every extract, as delivered text: for tests, the benchmark and docs.

Vectorised (polars/numpy) so a national-scale file is built in seconds. Values are plain and
deterministic; the synthetic-data generator of the project is elsewhere (`socle.generate`).
"""

from __future__ import annotations

import calendar
import gzip
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

COMMUNES = ("75056", "69123", "13055", "2A004", "2B033", "97411", "97101", "59350", "33063",
            "31555")


def _dates(month: date, n: int, rng: np.random.Generator, *, back_days: int = 0) -> pl.Series:
    last = calendar.monthrange(month.year, month.month)[1]
    offsets = rng.integers(-back_days, last, n)
    return (pl.Series(np.full(n, np.datetime64(month, "D")) + offsets.astype("timedelta64[D]"))
            .cast(pl.Date))


def _fmt(s: pl.Series, style: str) -> pl.Series:
    return s.dt.strftime("%d/%m/%Y" if style == "fr" else "%Y-%m-%d")


def _bool(values: np.ndarray, style: str) -> pl.Series:
    yes, no = {"fr": ("O", "N"), "iso": ("true", "false")}[style]
    return pl.Series(np.where(values, yes, no))


def _opt(cond: np.ndarray, value: str) -> pl.Series:
    """`value` where `cond`, null elsewhere (text)."""
    return pl.select(pl.when(pl.Series(cond)).then(pl.lit(value))).to_series()


def person_ids(ids: pl.Series) -> pl.Series:
    """64-char lowercase hex person ids (digits only), one per integer."""
    return ids.cast(pl.Utf8).str.zfill(64)


def sample_rows(
    extract: str, n: int, month: date, *, seed: int = 0, date_style: str = "iso",
    bool_style: str = "iso", prefix: str = "",
) -> pl.DataFrame:
    """`n` valid rows of `extract` for a delivery of `month`, all columns as text."""
    rng = np.random.default_rng(seed)
    i = pl.Series(np.arange(n))
    pid = person_ids(pl.Series(rng.integers(0, max(n, 1) * 2, n)))
    ids = prefix + i.cast(pl.Utf8)
    in_month = _fmt(_dates(month, n, rng), date_style)
    if extract == "registrations":
        reg = _dates(month, n, rng, back_days=700)
        exited = rng.random(n) < 0.1
        last = calendar.monthrange(month.year, month.month)[1]
        month_end = np.datetime64(month, "D") + (last - 1)
        exit_d = pl.Series(np.where(exited, month_end, np.datetime64("NaT")))
        return pl.DataFrame({
            "registration_id": "R" + ids, "person_id": pid,
            "registration_date": _fmt(reg, date_style),
            "exit_date": _fmt(exit_d.cast(pl.Date), date_style),
            "exit_reason": _opt(exited, "EMPLOI"),
            "commune_code": pl.Series(np.array(COMMUNES)[rng.integers(0, len(COMMUNES), n)]),
            "sex": pl.Series(np.where(rng.random(n) < 0.5, "F", "M")),
            "birth_year": (reg.dt.year() - pl.Series(rng.integers(16, 70, n))).cast(pl.Utf8),
            "education_level": pl.Series(rng.integers(1, 9, n)).cast(pl.Utf8),
            "category": pl.Series(np.array(list("ABCDE"))[rng.integers(0, 5, n)]),
            "allowance_are": _bool(rng.random(n) < 0.4, bool_style),
            "allowance_rsa": _bool(rng.random(n) < 0.1, bool_style),
            "disabled_worker": _bool(rng.random(n) < 0.08, bool_style),
            "qpv_resident": _bool(rng.random(n) < 0.12, bool_style),
        })
    if extract == "diagnostics":
        return pl.DataFrame({"diagnostic_id": "D" + ids, "person_id": pid,
                             "diagnostic_date": in_month,
                             "orientation": pl.Series(np.array(["PRO", "SOCIO_PRO", "SOCIAL"])[
                                 rng.integers(0, 3, n)])})
    if extract == "pathways":
        return pl.DataFrame({"pathway_id": "P" + ids, "person_id": pid,
                             "pathway_type": pl.Series(np.array(["SUIVI", "GUIDE", "RENFORCE"])[
                                 rng.integers(0, 3, n)]),
                             "start_date": in_month, "end_date": pl.Series([None] * n,
                                                                           dtype=pl.Utf8)})
    if extract == "hires":
        return pl.DataFrame({"hire_id": "H" + ids, "person_id": pid, "hire_date": in_month,
                             "contract_type": pl.Series(np.where(rng.random(n) < 0.5, "CDI",
                                                                 "CDD")),
                             "contract_months": pl.Series(rng.integers(1, 24, n)).cast(pl.Utf8)})
    if extract == "actions":
        return pl.DataFrame({"action_id": "A" + ids, "person_id": pid,
                             "action_type": pl.Series(np.where(rng.random(n) < 0.5, "FORMATION",
                                                               "IMMERSION")),
                             "start_date": in_month, "end_date": in_month})
    if extract == "job_offers":
        return pl.DataFrame({"offer_id": "O" + ids,
                             "employer_siret": pl.Series(rng.integers(10**13, 10**14 - 1, n))
                             .cast(pl.Utf8),
                             "commune_code": pl.Series(np.array(COMMUNES)[
                                 rng.integers(0, len(COMMUNES), n)]),
                             "rome_code": pl.Series(["M1607"] * n),
                             "posted_date": _fmt(_dates(month, n, rng, back_days=60), date_style),
                             "closed_date": pl.Series([None] * n, dtype=pl.Utf8),
                             "closing_reason": pl.Series([None] * n, dtype=pl.Utf8),
                             "positions": pl.Series(["1"] * n)})
    if extract == "satisfaction":
        person = rng.random(n) < 0.7
        return pl.DataFrame({"response_id": "S" + ids,
                             "respondent_type": pl.Series(np.where(person, "PERSON", "EMPLOYER")),
                             "person_id": pid.zip_with(pl.Series(person), pl.Series(
                                 [None] * n, dtype=pl.Utf8)),
                             "employer_siret": _opt(~person, "12345678901234"),
                             "commune_code": _opt(~person, "75056"),
                             "response_date": in_month,
                             "score": pl.Series(rng.integers(1, 5, n)).cast(pl.Utf8)})
    raise ValueError(f"unknown extract {extract}")


def write_csv(df: pl.DataFrame, path: Path, *, sep: str = ",", encoding: str = "utf-8",
              bom: bool = False, gz: bool = False, crlf: bool = False) -> Path:
    """Write text rows as an operator would (encoding, separator, BOM, gzip, CRLF)."""
    text = df.write_csv(separator=sep, line_terminator="\r\n" if crlf else "\n")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


__all__ = ["sample_rows", "write_csv", "person_ids", "COMMUNES"]
