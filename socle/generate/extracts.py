"""The monthly content of each extract for one operator, typed, with the column names of
CONTRACT §2 (plus what an operator adds of its own, such as FT's agency name)."""

from __future__ import annotations

import numpy as np
import polars as pl

from schemas import codes
from socle.generate import snapshots
from socle.generate.events import CONTRACT_TYPES
from socle.generate.geography import Geography
from socle.generate.identifiers import record_id
from socle.generate.months import Month
from socle.generate.offers import CLOSING_REASONS
from socle.generate.population import CATEGORIES, EXIT_REASONS

# Record id prefix letter per extract; ids are `<operator><letter><9 digits>`.
ID_LETTER = {"registrations": "R", "diagnostics": "D", "pathways": "P", "hires": "H",
             "actions": "A", "job_offers": "O", "satisfaction": "S"}
OPERATOR_PREFIX = {"FT": "FT", "ML": "ML", "CE": "CE", "APEC": "AP", "CD": "CD"}

# Free text FT's office software writes: curly apostrophe, œ, en dash, euro sign.
AGENCIES = (
    "Agence d’Évry – Courcouronnes",
    "Agence Cœur de Loire – Orléans",
    "Agence de Saint-Étienne – Châteaucreux",
    "Agence l’Œil de Lille – Euralille",
    "Agence d’Aubervilliers – Fort d’Aubervilliers",
    "Agence Lyon 8e – Mermoz",
    "Agence de Marseille – Belle de Mai",
    "Agence de Bourg-en-Bresse – Cœur de ville",
)
FT_NOTES = (
    "aide à la mobilité 150 €",
    "reliquat de droits – à vérifier",
    "projet d’œnologie",
    "frais de garde 80 € remboursés",
)

DATE_COLUMNS = {"start", "exit", "date", "end", "posted", "closed"}


def as_dates(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return df.with_columns(pl.col(c).cast(pl.Int32).cast(pl.Date) for c in cols)


def codes_of(col: str, values: tuple[str, ...], missing: int | None = None) -> pl.Expr:
    """Map small integer codes to their labels (`missing` code → null)."""
    mapping = {i: v for i, v in enumerate(values) if i != missing}
    return pl.col(col).replace_strict(mapping, default=None, return_dtype=pl.String)


class ExtractBuilder:
    """Builds one operator's typed extract for one month."""

    def __init__(self, geo: Geography) -> None:
        self.geo = geo
        zrr = geo.communes["zrr_status_2017"]
        self.zrr = pl.Series("zrr", np.where(zrr == "C", 1, np.where(zrr == "NC", 0, -1)))
        self.commune_codes = geo.communes["commune_code"]
        self.departements = geo.communes["departement_code"]

    def _place(self, df: pl.DataFrame) -> pl.DataFrame:
        """Commune code and département (CD splits its files by département)."""
        idx = df["commune"]
        return df.with_columns(
            commune_code=self.commune_codes.gather(idx),
            dep=self.departements.gather(idx),
        )

    @staticmethod
    def _id(op: str, extract: str, df: pl.DataFrame, name: str, letter: str = "") -> pl.Expr:
        prefix = OPERATOR_PREFIX[op] + (letter or ID_LETTER[extract])
        return record_id(prefix).alias(name)

    def registrations(self, regs: pl.DataFrame, op: str, month: Month) -> pl.DataFrame:
        df = snapshots.snapshot(regs, month, "start", "exit", ("exit_reason",))
        df = self._place(df)
        cols = [
            self._id(op, "registrations", df, "registration_id"),
            pl.col("person_id"),
            pl.col("start").alias("registration_date"),
            pl.col("exit").alias("exit_date"),
            codes_of("exit_reason", EXIT_REASONS).alias("exit_reason"),
            pl.col("commune_code"),
            codes_of("sex", codes.SEXES).alias("sex"),
            pl.col("birth_year").cast(pl.Int64),
            codes_of("education", ("", *codes.EDUCATION_LEVELS), missing=0).alias(
                "education_level"),
        ]
        if op == "FT":
            cols.append(codes_of("category", CATEGORIES).alias("category"))
        cols += [pl.col(f"allowance_{a}") for a in codes.ALLOWANCES]
        cols += [pl.col("disabled_worker"), pl.col("qpv_resident")]
        if op == "CE":  # the only operator that sends the ZRR flag itself
            z = self.zrr.gather(df["commune"])
            cols.append(pl.when(z == 1).then(True).when(z == 0).then(False).otherwise(None)
                        .alias("zrr_resident"))
        cols.append(pl.col("dep"))
        if op == "FT":
            cols += self._ft_free_text(df, with_note=True)
        return as_dates(df, "start", "exit").select(cols)

    @staticmethod
    def _ft_free_text(df: pl.DataFrame, with_note: bool = False) -> list[pl.Expr]:
        key = pl.col("pid") if "pid" in df.columns else pl.col("n")
        out = [pl.lit(pl.Series(AGENCIES)).gather(key % len(AGENCIES)).alias("agence")]
        if with_note:
            note = pl.lit(pl.Series(FT_NOTES)).gather(pl.col("n") % len(FT_NOTES))
            out.append(pl.when(pl.col("n") % 17 == 0).then(note).otherwise(None)
                       .alias("observation_conseiller"))
        return out

    def diagnostics(self, diags: pl.DataFrame, op: str, month: Month) -> pl.DataFrame:
        df = self._place(snapshots.events(diags, month))
        cols = [self._id(op, "diagnostics", df, "diagnostic_id"), pl.col("person_id"),
                pl.col("date").alias("diagnostic_date"),
                codes_of("orientation", codes.ORIENTATIONS).alias("orientation"), pl.col("dep")]
        return self._finish(as_dates(df, "date"), op, cols)

    def pathways(self, paths: pl.DataFrame, op: str, month: Month) -> pl.DataFrame:
        df = self._place(snapshots.snapshot(paths, month, "start", "end"))
        cols = [self._id(op, "pathways", df, "pathway_id"), pl.col("person_id"),
                codes_of("type", codes.PATHWAY_TYPES).alias("pathway_type"),
                pl.col("start").alias("start_date"), pl.col("end").alias("end_date"),
                pl.col("dep")]
        return self._finish(as_dates(df, "start", "end"), op, cols)

    def hires(self, hires: pl.DataFrame, op: str, month: Month) -> pl.DataFrame:
        df = self._place(snapshots.events(hires, month))
        cols = [self._id(op, "hires", df, "hire_id"), pl.col("person_id"),
                pl.col("date").alias("hire_date"),
                codes_of("contract_type", CONTRACT_TYPES).alias("contract_type"),
                pl.when(pl.col("contract_months") >= 0).then(pl.col("contract_months"))
                .cast(pl.Int64).alias("contract_months"), pl.col("dep")]
        return self._finish(as_dates(df, "date"), op, cols)

    def actions(self, actions: pl.DataFrame, op: str, month: Month) -> pl.DataFrame:
        df = self._place(snapshots.events(actions, month))
        cols = [self._id(op, "actions", df, "action_id"), pl.col("person_id"),
                codes_of("action_type", codes.ACTION_TYPES).alias("action_type"),
                pl.col("date").alias("start_date"), pl.col("end").alias("end_date"),
                pl.col("dep")]
        return self._finish(as_dates(df, "date", "end"), op, cols)

    def job_offers(self, offers: pl.DataFrame, op: str, month: Month) -> pl.DataFrame:
        df = snapshots.snapshot(offers, month, "posted", "closed", ("closing_reason",))
        df = self._place(df)
        rome = pl.lit(pl.Series(self.geo.rome_codes)).gather(pl.col("rome").clip(0))
        cols = [self._id(op, "job_offers", df, "offer_id"), pl.col("employer_siret"),
                pl.col("commune_code"),
                pl.when(pl.col("rome") >= 0).then(rome).otherwise(None).alias("rome_code"),
                pl.col("posted").alias("posted_date"), pl.col("closed").alias("closed_date"),
                codes_of("closing_reason", CLOSING_REASONS).alias("closing_reason"),
                pl.col("positions").cast(pl.Int64), pl.col("dep")]
        return self._finish(as_dates(df, "posted", "closed"), op, cols)

    def satisfaction(self, persons: pl.DataFrame, employers: pl.DataFrame, op: str,
                     month: Month) -> pl.DataFrame:
        p = self._place(snapshots.events(persons, month))
        e = self._place(snapshots.events(employers, month))
        p = as_dates(p, "date").select(
            self._id(op, "satisfaction", p, "response_id", "SP"),
            pl.lit("PERSON").alias("respondent_type"), pl.col("person_id"),
            pl.lit(None, pl.String).alias("employer_siret"),
            pl.lit(None, pl.String).alias("commune_code"),
            pl.col("date").alias("response_date"), pl.col("score").cast(pl.Int64),
            pl.col("dep"), pl.col("n"),
        )
        e = as_dates(e, "date").select(
            self._id(op, "satisfaction", e, "response_id", "SE"),
            pl.lit("EMPLOYER").alias("respondent_type"),
            pl.lit(None, pl.String).alias("person_id"), pl.col("employer_siret"),
            pl.col("commune_code"), pl.col("date").alias("response_date"),
            pl.col("score").cast(pl.Int64), pl.col("dep"), pl.col("n"),
        )
        df = pl.concat([p, e]).sort("response_date", "response_id")
        return self._finish(df, op, [pl.exclude("n", "dep"), pl.col("dep")])

    def _finish(self, df: pl.DataFrame, op: str, cols: list[pl.Expr]) -> pl.DataFrame:
        if op == "FT":
            cols = [*cols, *self._ft_free_text(df)]
        return df.select(cols)
