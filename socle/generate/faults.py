"""Faults that `generate --faults` mixes into the deliveries, to exercise quarantine,
duplicate handling, commune-history mapping and delivery rejection.

Row faults, in every month (a handful of rows each, listed in the summary):

| operator / extract | fault | rows | expected outcome |
|---|---|---|---|
| FT registrations | impossible date (`30/02/YYYY`) | 2 new | quarantine |
| FT registrations | exit before registration | 2 new | quarantine |
| FT registrations | unknown category `Z` | 2 new | quarantine |
| FT registrations | old merged commune code | ≤3 existing | loaded, mapped |
| FT registrations | Paris/Lyon/Marseille arrondissement | ≤3 existing | loaded, mapped |
| FT registrations | unknown well-formed commune `96001` | 1 existing | loaded, national only |
| ML registrations | sex `X`; upper-case person_id; age 12 | 1 new each | quarantine |
| ML diagnostics | exact duplicate rows | ≤3 copies | dropped as duplicates |
| CD registrations | exact duplicate rows (first file) | ≤2 copies | dropped as duplicates |
| FT hires | conflicting duplicate ids | 2 pairs new | quarantine (both rows) |
| FT hires | CDD without contract_months | 2 new | quarantine |
| FT job_offers | closed before posted; 13-digit SIRET | 2 + 1 new | quarantine |
| FT job_offers | ROME code unknown to the reference (`Z9999`) | 1 existing | loaded and reported |
| CE pathways | unknown pathway type; end before start | 2 + 1 new | quarantine |
| APEC satisfaction | score 5; EMPLOYER answer without SIRET | 2 + 1 new | quarantine |

Delivery faults, in the second month (the first if there is one month):
ML `actions` lacks the required column `action_type`; CE `satisfaction` carries a
direct identifier column `nom`; CD `hires` has one unreadable file (binary noise).
Each rejects its whole delivery.

"new" rows carry fresh ids and fresh person pseudonyms, and existing rows keep their
person, so a pipeline that handles every fault correctly publishes exactly the ground
truth of the clean data (`active_persons_month_end` is unchanged by faults).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from socle.generate.extracts import ID_LETTER, OPERATOR_PREFIX
from socle.generate.geography import Geography
from socle.generate.habits import Habit
from socle.generate.identifiers import person_ids
from socle.generate.months import Month
from socle.generate.randomness import stream

UNKNOWN_COMMUNE = "96001"  # well-formed, no département 96
UNKNOWN_ROME = "Z9999"
ID_COLUMNS = {"registrations": "registration_id", "diagnostics": "diagnostic_id",
              "pathways": "pathway_id", "hires": "hire_id", "actions": "action_id",
              "job_offers": "offer_id", "satisfaction": "response_id"}
DELIVERY_FAULTS = {
    ("ML", "actions"): "missing required column action_type",
    ("CE", "satisfaction"): "direct identifier column nom",
    ("CD", "hires"): "unreadable file",
}


class FaultPlan:
    """Decides and applies the faults of each file, deterministically for a seed."""

    def __init__(self, seed: int, months: list[Month], geo: Geography) -> None:
        self.seed = seed
        self.file_fault_month = months[1 if len(months) > 1 else 0].label
        self.old = geo.old_codes
        self.rows: list[dict[str, Any]] = []
        self.rejected: list[dict[str, str]] = []
        self._garbage_done: set[tuple[str, str, str]] = set()
        self._first_part: dict[tuple[str, str, str], str | None] = {}

    # -- helpers --------------------------------------------------------------------
    def _rng(self, op: str, month: Month, extract: str, part: str | None) -> np.random.Generator:
        return stream(self.seed, f"faults/{op}/{month.label}/{extract}/{part}")

    def _log(self, op: str, month: Month, extract: str, fault: str, rows: int, outcome: str
             ) -> None:
        if rows:
            self.rows.append({"operator": op, "month": month.label, "extract": extract,
                              "fault": fault, "rows": rows, "outcome": outcome})

    def _fresh(self, df: pl.DataFrame, op: str, month: Month, extract: str, tag: str, k: int,
               rng: np.random.Generator, ids: list[str] | None = None) -> pl.DataFrame:
        """`k` new rows copied from the first one, with new ids and new persons."""
        rows = df.select(pl.all().gather([0] * k))
        prefix = f"{OPERATOR_PREFIX[op]}{ID_LETTER[extract]}X{month.label.replace('-', '')}{tag}"
        new_ids = ids or [f"{prefix}{i:02d}" for i in range(k)]
        rows = rows.with_columns(pl.Series(ID_COLUMNS[extract], new_ids, pl.String))
        if "person_id" in rows.columns and rows["person_id"].null_count() < k:
            rows = rows.with_columns(person_ids(rng, k))
        return rows

    @staticmethod
    def _set(df: pl.DataFrame, **values: Any) -> pl.DataFrame:
        return df.with_columns(pl.lit(v, dtype=df.schema[c]).alias(c) for c, v in values.items())

    @staticmethod
    def _date(habit: Habit, d: date) -> Any:
        return d if habit.suffix == "parquet" else habit.format_date(d)

    # -- public ---------------------------------------------------------------------
    def apply(self, df: pl.DataFrame, op: str, month: Month, extract: str, part: str | None,
              habit: Habit) -> pl.DataFrame:
        """The rendered frame of one file, with its faults."""
        if month.label == self.file_fault_month and (op, extract) in DELIVERY_FAULTS:
            df = self._delivery_fault(df, op, month, extract, part)
        if df.height == 0:
            return df
        rng = self._rng(op, month, extract, part)
        key = (op, extract)
        if key == ("FT", "registrations"):
            return self._ft_registrations(df, op, month, habit, rng)
        if key == ("ML", "registrations"):
            return self._ml_registrations(df, op, month, rng)
        if key in (("ML", "diagnostics"), ("CD", "registrations")):
            if part != self._first_part.setdefault((op, month.label, extract), part):
                return df  # only the first file of a split delivery
            k = min(3 if op == "ML" else 2, df.height)
            self._log(op, month, extract, "exact duplicate rows", k, "dropped as duplicates")
            return pl.concat([df, df.head(k)])
        if key == ("FT", "hires"):
            return self._ft_hires(df, op, month, rng)
        if key == ("FT", "job_offers"):
            return self._ft_offers(df, op, month, habit, rng)
        if key == ("CE", "pathways"):
            bad_type = self._set(self._fresh(df, op, month, extract, "T", 2, rng),
                                 pathway_type="COACHING")
            start = month.first_date + timedelta(days=10)
            bad_end = self._set(self._fresh(df, op, month, extract, "E", 1, rng),
                                start_date=self._date(habit, start),
                                end_date=self._date(habit, start - timedelta(days=5)))
            self._log(op, month, extract, "unknown pathway_type", 2, "quarantine")
            self._log(op, month, extract, "end before start", 1, "quarantine")
            return pl.concat([df, bad_type, bad_end])
        if key == ("APEC", "satisfaction"):
            score = self._set(self._fresh(df, op, month, extract, "S", 2, rng), score=5)
            employer = self._set(self._fresh(df, op, month, extract, "E", 1, rng),
                                 respondent_type="EMPLOYER", person_id=None,
                                 employer_siret=None, commune_code="75056")
            self._log(op, month, extract, "score out of range", 2, "quarantine")
            self._log(op, month, extract, "EMPLOYER answer without SIRET", 1, "quarantine")
            return pl.concat([df, score, employer])
        return df

    def _ft_registrations(self, df: pl.DataFrame, op: str, month: Month, habit: Habit,
                          rng: np.random.Generator) -> pl.DataFrame:
        ex = "registrations"
        impossible = self._set(self._fresh(df, op, month, ex, "D", 2, rng),
                               registration_date=f"30/02/{month.first_date.year}")
        reg = month.first_date + timedelta(days=14)
        before = self._set(self._fresh(df, op, month, ex, "B", 2, rng),
                           registration_date=self._date(habit, reg),
                           exit_date=self._date(habit, reg - timedelta(days=30)),
                           exit_reason="EMPLOI")
        category = self._set(self._fresh(df, op, month, ex, "C", 2, rng), category="Z")
        self._log(op, month, ex, "impossible date", 2, "quarantine")
        self._log(op, month, ex, "exit before registration", 2, "quarantine")
        self._log(op, month, ex, "unknown category", 2, "quarantine")

        # Existing rows keep their person but show a code the commune history resolves.
        codes = df["commune_code"]
        merged = self.old.filter(pl.col("code_type") == "ancienne_commune")
        merged = merged.filter(pl.col("commune_code_cog2025").is_in(codes.implode()))
        arr = self.old.filter(pl.col("code_type") == "arrondissement_municipal")
        arr = arr.filter(pl.col("commune_code_cog2025").is_in(codes.implode()))
        new_codes = codes.to_list()
        used: set[int] = set()
        for fault, table, k in (("old merged commune code", merged, 3),
                                ("municipal arrondissement code", arr, 3)):
            done = 0
            if table.height:
                picks = rng.choice(table.height, size=min(k, table.height), replace=False)
                for row in table[np.sort(picks)].iter_rows(named=True):
                    where = [i for i, c in enumerate(new_codes)
                             if c == row["commune_code_cog2025"] and i not in used]
                    if where:
                        used.add(where[0])
                        new_codes[where[0]] = row["code"]
                        done += 1
            self._log(op, month, ex, fault, done, "loaded, mapped to the current commune")
        free = [i for i in range(len(new_codes)) if i not in used]
        if free:
            new_codes[free[-1]] = UNKNOWN_COMMUNE
            self._log(op, month, ex, "unknown well-formed commune", 1,
                      "loaded, counted at national level only")
        df = df.with_columns(pl.Series("commune_code", new_codes, pl.String))
        return pl.concat([df, impossible, before, category])

    def _ml_registrations(self, df: pl.DataFrame, op: str, month: Month,
                          rng: np.random.Generator) -> pl.DataFrame:
        ex = "registrations"
        sex = self._set(self._fresh(df, op, month, ex, "S", 1, rng), sex="X")
        upper = self._fresh(df, op, month, ex, "P", 1, rng)
        upper = upper.with_columns(pl.col("person_id").str.to_uppercase())
        year = int(str(df["registration_date"][0])[:4])
        young = self._set(self._fresh(df, op, month, ex, "A", 1, rng), birth_year=year - 12)
        for fault in ("unknown sex code", "upper-case person_id", "age 12 at registration"):
            self._log(op, month, ex, fault, 1, "quarantine")
        return pl.concat([df, sex, upper, young])

    def _ft_hires(self, df: pl.DataFrame, op: str, month: Month, rng: np.random.Generator
                  ) -> pl.DataFrame:
        ex = "hires"
        prefix = f"FTHX{month.label.replace('-', '')}"
        ids = [f"{prefix}K{i // 2:02d}" for i in range(4)]
        pairs = self._fresh(df, op, month, ex, "K", 4, rng, ids=ids).with_columns(
            pl.Series("contract_type", ["CDI", "CDD", "CDI", "CTT"], pl.String),
            pl.Series("contract_months", [None, 3, None, 1], pl.Int64),
        )
        months_missing = self._set(self._fresh(df, op, month, ex, "M", 2, rng),
                                   contract_type="CDD", contract_months=None)
        self._log(op, month, ex, "conflicting duplicate ids", 4, "quarantine")
        self._log(op, month, ex, "CDD without contract_months", 2, "quarantine")
        return pl.concat([df, pairs, months_missing])

    def _ft_offers(self, df: pl.DataFrame, op: str, month: Month, habit: Habit,
                   rng: np.random.Generator) -> pl.DataFrame:
        ex = "job_offers"
        posted = month.first_date + timedelta(days=3)
        closed = self._set(self._fresh(df, op, month, ex, "C", 2, rng),
                           posted_date=self._date(habit, posted),
                           closed_date=self._date(habit, posted - timedelta(days=2)),
                           closing_reason="POURVUE")
        siret = self._set(self._fresh(df, op, month, ex, "S", 1, rng),
                          employer_siret="1234567890123")
        df = df.with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(UNKNOWN_ROME))
            .otherwise(pl.col("rome_code")).alias("rome_code"))
        self._log(op, month, ex, "closed before posted", 2, "quarantine")
        self._log(op, month, ex, "13-digit SIRET", 1, "quarantine")
        self._log(op, month, ex, "ROME code unknown to the reference", 1, "loaded and reported")
        return pl.concat([df, closed, siret])

    def _delivery_fault(self, df: pl.DataFrame, op: str, month: Month, extract: str,
                        part: str | None) -> pl.DataFrame:
        reason = DELIVERY_FAULTS[(op, extract)]
        entry = {"operator": op, "month": month.label, "extract": extract, "fault": reason}
        if entry not in self.rejected:
            self.rejected.append(entry)
        if (op, extract) == ("ML", "actions"):
            return df.drop("action_type")
        if (op, extract) == ("CE", "satisfaction"):
            names = ["DURAND", "MARTIN", "PETIT", "LEROY"]
            return df.with_columns(pl.Series("nom", [names[i % 4] for i in range(df.height)],
                                             pl.String))
        return df

    def unreadable(self, op: str, month: Month, extract: str, part: str | None = None) -> bool:
        """True for the one file replaced by binary noise (the first CD hires file)."""
        if month.label != self.file_fault_month or (op, extract) != ("CD", "hires"):
            return False
        key = (op, month.label, extract)
        if key in self._garbage_done:
            return False
        self._garbage_done.add(key)
        return True

    def garbage(self) -> bytes:
        return bytes(stream(self.seed, "faults/garbage").integers(0, 256, 4096, dtype=np.uint8))

    def report(self) -> dict[str, Any]:
        return {"rows": self.rows, "rejected_deliveries": self.rejected,
                "bad_rows": sum(r["rows"] for r in self.rows if r["outcome"] == "quarantine"),
                "duplicate_rows": sum(r["rows"] for r in self.rows
                                      if r["outcome"] == "dropped as duplicates")}
