"""Words and order for people: how the site and the workbooks name the export codes, and in
which order a reader meets indicators, breakdowns and modalities.

Keyed by the export files' own codes (`ventilation`, `modalite` as `french.py` writes
them), so the site can read any export folder, also one written before this module."""

from __future__ import annotations

import polars as pl

from socle.export.french import BREAKDOWNS_FR, MODALITIES_FR
from socle.indicators.catalog import BREAKDOWNS, load_catalog
from socle.indicators.vocabulary import vocabulary

FAMILIES_FR = vocabulary().families
LEVELS_FR = {"NAT": "France", "REG": "Région", "DEP": "Département",
             "BASSIN": "Comité local pour l'emploi"}
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
UNIT_LABELS = {unit: words["label_fr"] for unit, words in vocabulary().units.items()}
SECRET = "s"
SECRET_LEGEND = "secret statistique"
ABSENT = "–"

# Keyed by export codes (`tranche_age`, `inconnu`): sql/indicators/vocabulary.toml's
# labels, its values written as the export files write them.
BREAKDOWN_LABELS = {"ensemble": "Ensemble",
                    **{b.export: b.label_fr for b in vocabulary().breakdowns}}
_YES_NO = {"oui": "Oui", "non": "Non", "inconnu": "Inconnu"}
_COMMON = {**_YES_NO, "aucune": "Aucune"}


# Per breakdown, its modalities in reading order with their labels; unknown ones follow,
# alphabetically, and `inconnu`/`aucune` always come last.
MODALITY_LABELS: dict[str, dict[str, str]] = {
    "ensemble": {"ensemble": "Ensemble"},
    **{b.export: {MODALITIES_FR.get(value, value): label for value, label in b.modalities}
       for b in vocabulary().breakdowns},
}
_LAST = ("inconnu", "aucune")


def incomplete_warning(coverage: list[dict] | None) -> str:
    """One line naming the operators whose deliveries the month's figures lack (the
    manifest's `couverture`), or "" when every expected delivery is there."""
    gaps = [c.get("phrase", c.get("operateur", "")) for c in coverage or []
            if not c.get("complet", True)]
    return ("Données incomplètes : " + " ".join(gaps)) if gaps else ""


def breakdown_label(code: str) -> str:
    """Label of a breakdown given by its export code (`tranche_age`) or its catalog code
    (`age_band`)."""
    code = BREAKDOWNS_FR.get(code, code)
    return BREAKDOWN_LABELS.get(code, code.replace("_", " ").capitalize())


def modality_label(breakdown: str, code: str) -> str:
    return MODALITY_LABELS.get(breakdown, {}).get(code) or _COMMON.get(code, code)


def indicator_rank() -> dict[str, int]:
    """Position of each indicator code in the catalog (the order every reader meets them)."""
    return {ind.code: i for i, ind in enumerate(load_catalog())}


def _breakdown_rank() -> dict[str, int]:
    codes = ["ensemble", *(BREAKDOWNS_FR.get(b, b) for b in BREAKDOWNS)]
    return {c: i for i, c in enumerate(codes)}


def _modality_rank() -> dict[str, int]:
    """`<breakdown>\x1f<modality>` → position among its breakdown's modalities."""
    return {f"{b}\x1f{m}": i for b, mods in MODALITY_LABELS.items()
            for i, m in enumerate(m for m in mods if m not in _LAST)}


def people_order(frame: pl.DataFrame, then: list[str] | None = None) -> pl.DataFrame:
    """`frame` (export columns `indicateur`, `ventilation`, `modalite`) sorted for people:
    indicators in catalog order, `ensemble` first then breakdowns in the catalog's order,
    modalities in their natural order (`<26` before `26-49`), `inconnu`/`aucune` last;
    ties broken by the columns `then` (e.g. level and territory code)."""
    unknown = 10_000
    keys = [
        pl.col("indicateur").replace_strict(indicator_rank(), default=unknown,
                                            return_dtype=pl.Int32),
        pl.col("indicateur"),
        pl.col("ventilation").replace_strict(_breakdown_rank(), default=unknown,
                                             return_dtype=pl.Int32),
        pl.col("ventilation"),
        pl.col("modalite").is_in(list(_LAST)),
        pl.concat_str("ventilation", "modalite", separator="\x1f").replace_strict(
            _modality_rank(), default=unknown, return_dtype=pl.Int32),
        pl.col("modalite"),
        *(pl.col(c) for c in then or []),
    ]
    return frame.sort(keys, nulls_last=True, maintain_order=True)
