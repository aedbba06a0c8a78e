"""French wording of the export files (committee secretariats read French)."""

from __future__ import annotations

import polars as pl

BREAKDOWNS_FR = {
    "total": "ensemble",
    "operator": "operateur",
    "sex": "sexe",
    "age_band": "tranche_age",
    "education": "niveau_diplome",
    "allowance": "allocation",
    "disabled_worker": "travailleur_handicape",
    "qpv": "residence_qpv",
    "zrr": "residence_zrr",
    "seniority": "anciennete_inscription",
    "category": "categorie",
    "pathway_type": "type_parcours",
    "exit_reason": "motif_sortie",
    "action_type": "type_action",
    "diagnostic": "diagnostic",
    "registration": "inscription",
}
MODALITIES_FR = {
    "total": "ensemble",
    "true": "oui",
    "false": "non",
    "yes": "oui",
    "no": "non",
    "unknown": "inconnu",
    "none": "aucune",
    "infra_bac": "infra_bac",
    "sup_bac": "sup_bac",
}
UNITS_FR = {
    "persons": "personnes",
    "rate": "taux",
    "days": "jours",
    "pathways": "parcours",
    "offers": "offres",
    "answers": "reponses",
}


def translate(column: str, mapping: dict[str, str]) -> pl.Expr:
    """Map known codes to French, keep the others (codes such as `ARE` or `A` stay as is)."""
    return pl.col(column).replace(mapping)


def decimal_comma(column: str) -> pl.Expr:
    """Numbers as text with a decimal comma; integers without decimals; null stays empty."""
    c = pl.col(column)
    as_text = (
        pl.when(c == c.round(0))
        .then(c.cast(pl.Int64).cast(pl.Utf8))
        .otherwise(c.round(6).cast(pl.Utf8).str.replace(".", ",", literal=True))
    )
    return as_text.alias(column)
