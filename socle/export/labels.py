"""Words and order for people: how the site and the workbooks name the export codes, and in
which order a reader meets indicators, breakdowns and modalities.

Keyed by the export files' own codes (`ventilation`, `modalite` as `french.py` writes
them), so the site can read any export folder, also one written before this module."""

from __future__ import annotations

import polars as pl

from schemas.codes import CATEGORIES, OPERATORS
from socle.export.french import BREAKDOWNS_FR
from socle.indicators.catalog import BREAKDOWNS, load_catalog

FAMILIES_FR = {"capture": "Captation", "delivery": "Accompagnement",
               "performance": "Performance"}
LEVELS_FR = {"NAT": "France", "REG": "Région", "DEP": "Département",
             "BASSIN": "Comité local pour l'emploi"}
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
UNIT_LABELS = {"persons": "personnes", "pathways": "parcours", "rate": "taux",
            "days": "jours (médiane)"}
SECRET = "s"
SECRET_LEGEND = "secret statistique"
ABSENT = "–"

BREAKDOWN_LABELS = {
    "ensemble": "Ensemble",
    "operateur": "Opérateur",
    "sexe": "Sexe",
    "tranche_age": "Tranche d'âge",
    "niveau_diplome": "Niveau de formation",
    "allocation": "Allocation perçue",
    "travailleur_handicape": "Travailleur handicapé",
    "residence_qpv": "Résident en QPV",
    "residence_zrr": "Résident en ZRR",
    "anciennete_inscription": "Ancienneté d'inscription",
    "categorie": "Catégorie France Travail",
    "type_parcours": "Type de parcours",
    "motif_sortie": "Motif de sortie",
    "type_action": "Type d'action",
    "diagnostic": "Diagnostic antérieur",
    "inscription": "Inscription antérieure",
}
_YES_NO = {"oui": "Oui", "non": "Non", "inconnu": "Inconnu"}
_COMMON = {**_YES_NO, "aucune": "Aucune"}
_EXIT_REASONS = {
    "EMPLOI": "Reprise d'emploi", "FORMATION": "Entrée en formation",
    "NON_RENOUVELLEMENT": "Non-renouvellement de la demande", "RADIATION": "Radiation",
    "ARRET_RECHERCHE": "Arrêt de recherche", "DEMENAGEMENT": "Déménagement",
    "AUTRE": "Autre motif",
}
_PATHWAY_TYPES = {
    "SUIVI": "Suivi", "GUIDE": "Guidé", "RENFORCE": "Renforcé", "GLOBAL": "Global",
    "INTENSIF": "Intensif", "SOCIAL": "Social", "CEJ": "Contrat d'engagement jeune (CEJ)",
}
_ACTION_TYPES = {"FORMATION": "Formation", "IMMERSION": "Immersion professionnelle"}


# Per breakdown, its modalities in reading order with their labels; unknown ones follow,
# alphabetically, and `inconnu`/`aucune` always come last.
MODALITY_LABELS: dict[str, dict[str, str]] = {
    "ensemble": {"ensemble": "Ensemble"},
    "operateur": dict(OPERATORS),
    "sexe": {"F": "Femmes", "M": "Hommes"},
    "tranche_age": {"<26": "Moins de 26 ans", "26-49": "26 à 49 ans", "50+": "50 ans ou plus",
                    "inconnu": "Inconnu"},
    "niveau_diplome": {"infra_bac": "Inférieur au bac", "bac": "Bac",
                       "sup_bac": "Supérieur au bac", "inconnu": "Inconnu"},
    "allocation": {"ARE": "ARE", "ASS": "ASS", "RSA": "RSA", "AAH": "AAH", "CEJ": "CEJ",
                   "aucune": "Aucune"},
    "travailleur_handicape": _YES_NO,
    "residence_qpv": _YES_NO,
    "residence_zrr": _YES_NO,
    "anciennete_inscription": {"<6m": "Moins de 6 mois", "6-11m": "6 à 11 mois",
                               "12-23m": "12 à 23 mois", "24m+": "24 mois ou plus"},
    "categorie": {**{c: f"Catégorie {c}" for c in CATEGORIES},
                  "aucune": "Inscription hors France Travail"},
    "type_parcours": _PATHWAY_TYPES,
    "motif_sortie": _EXIT_REASONS,
    "type_action": _ACTION_TYPES,
    "diagnostic": {"aucune": "Sans diagnostic antérieur"},
    "inscription": {"aucune": "Sans inscription antérieure"},
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
