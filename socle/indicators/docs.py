"""Generate `docs/indicators.md` from the catalog, so the published definitions are the
ones the engine computes. Run `python -m socle.indicators.docs` after editing the catalog."""

from __future__ import annotations

from pathlib import Path

from socle.config import PROJECT_ROOT
from socle.indicators.catalog import Indicator, load_catalog
from socle.indicators.vocabulary import vocabulary

DOCS_PATH = PROJECT_ROOT / "docs" / "indicators.md"

_AGG = {
    "count": "dénombrement d'unités distinctes (valeur = numérateur)",
    "rate": "taux recalculé à chaque niveau : numérateur / dénominateur",
    "median": "médiane exacte à chaque niveau (dénominateur = nombre d'unités)",
}

# Choices where the data contract is silent, published with the definitions.
_METHOD = [
    "Historique : chaque mois M est calculé à partir de toutes les livraisons chargées ; "
    "chaque inscription, parcours ou offre (opérateur + identifiant) est pris dans sa "
    "dernière version livrée ; les événements sont tous retenus.",
    "Territoire d'une personne à une date : commune de son inscription la plus récente "
    "commencée au plus tard ce jour-là (date d'inscription la plus grande, puis "
    "identifiant le plus grand, puis opérateur), quel que soit l'opérateur, sortie ou non. "
    "Une personne sans inscription (parcours, réponse) n'a pas de territoire et ne compte "
    "qu'au niveau national, avec des attributs `unknown`.",
    "Attributs de la personne (sexe, âge, formation, allocations, RQTH, QPV, ZRR, "
    "catégorie) : ceux de l'inscription qui donne le territoire. ZRR : valeur déclarée, "
    "sinon celle de la commune (`unknown` pour une commune partiellement classée). "
    "Catégorie : celle de cette inscription si c'est une inscription France Travail, "
    "`none` sinon (une inscription FT antérieure, terminée ou non, ne la donne pas).",
    "Ancienneté : mois entiers écoulés depuis le début le plus ancien des inscriptions "
    "actives de la personne à la date de référence (indicateurs de stock seulement) ; un "
    "mois commencé un 29, 30 ou 31 est complet en fin de mois plus court, comme pour "
    "l'accès à l'emploi à 6 mois (31/08 + 6 mois = 28 ou 29/02).",
    "Opérateur : pour les stocks, opérateurs des inscriptions actives ; pour les entrées et "
    "la cohorte d'accès à l'emploi, opérateurs des inscriptions du mois ; pour les sorties, "
    "opérateurs des inscriptions sorties dans le mois ; pour les parcours, opérateur "
    "référent ; pour diagnostics, offres et réponses, opérateur qui les a livrés.",
    "Entrées : la personne est placée à la date de sa première inscription du mois.",
    "Sorties : en cas de plusieurs sorties le même dernier jour, le motif est celui de "
    "l'inscription la plus récente.",
    "Réorientation : parmi plusieurs parcours précédents commencés le même jour, celui "
    "d'identifiant le plus grand ; « actif dans les 90 jours » = actif au moins un des 90 "
    "jours précédant le début (fin postérieure au début moins 90 jours).",
    "Taux de retour à l'emploi et d'accès à une formation du premier mois chargé : le stock "
    "de fin M−1 est reconstitué à partir de l'instantané de M (toute inscription active "
    "fin M−1 est ouverte en M).",
    "Accès à l'emploi en 6 mois : publié pour M dès qu'une livraison d'un mois ≥ M+6 est "
    "chargée ; 6 mois calendaires après le 31 janvier = le 31 juillet (fin de mois "
    "ramenée au dernier jour pour les mois plus courts).",
    "Lignes omises : comptes nuls et dénominateurs nuls ; une médiane sans valeur (tranche "
    "`diagnostic = none`) est publiée avec son dénominateur et une valeur vide.",
]

# What a delivery makes recompute (socle/indicators/affected.py), stated once.
_RECOMPUTE = [
    "Une livraison ne fait recalculer que ce qu'elle peut changer. À son chargement, la date "
    "la plus ancienne que ses changements touchent est notée dans "
    "`audit.deliveries.changes_from` (vide : rien de changé) :",
    "",
    "- extraits d'événements (diagnostics, embauches, actions, satisfaction) : le premier "
    "jour du mois livré, ses événements étant datés de ce mois ;",
    "- instantanés (inscriptions, parcours, offres) : chaque inscription, parcours ou offre "
    "(opérateur + identifiant) est comparé dans la version que le calcul retient, la "
    "dernière livrée tous mois confondus, avant et après la livraison ; un mois plus récent "
    "qui le livre encore l'emporte, rien ne change alors. Nouveau : sa date de début ; "
    "disparu (absent de la nouvelle livraison du même mois et de tout autre mois) : son "
    "ancienne date de début ; seule la fin a changé (date de sortie ou de clôture, avec son "
    "motif) : la plus ancienne des deux dates de fin, une fin vide ne comptant pas ; tout "
    "autre changement (début, commune, attributs) : la plus ancienne des deux dates de "
    "début. Ce qui est resté identique ne touche rien. Tant qu'aucun mois n'a été calculé "
    "(premier chargement), rien n'est comparé : tous les mois seront calculés en entier, et "
    "la date notée est 0001-01-01 (inconnue).",
    "",
    "Au calcul suivant, soit X la plus ancienne de ces dates parmi les livraisons "
    "chargées depuis le calcul précédent : tous les indicateurs sont recalculés pour "
    "chaque mois chargé à partir du mois de X. Un indicateur dont la valeur du mois M lit"
    " des données datées jusqu'à k mois après M (`looks_back_months = k` au catalogue : "
    "l'accès à l'emploi en 6 mois lit les embauches jusqu'à M+6) l'est aussi pour les k "
    "mois qui précèdent le mois de X. Aucun autre indicateur ne lit de date postérieure à"
    " la fin de son mois : stocks et attentes sont pris en fin de M ou de M−1, flux et "
    "événements sont datés de M, et ce qu'ils lisent d'autre est antérieur (dernière "
    "inscription, parcours précédent, dernier diagnostic). Sont aussi calculés les mois "
    "jamais calculés et, pour un indicateur publié une fois M+k chargé, les mois M que le"
    " dernier mois chargé rend publiables.",
    "",
    "Ainsi, un nouveau mois qui ne modifie rien d'antérieur recalcule ce mois et l'accès à "
    "l'emploi en 6 mois des six mois précédents ; la correction d'une inscription commencée "
    "en 2019 recalcule tous les mois chargés ; les embauches d'avril livrées en retard font "
    "recalculer tous les mois à partir d'avril, et l'accès à l'emploi d'octobre à mars.",
]


def render(indicators: list[Indicator]) -> str:
    """The Markdown page, deterministic (the test compares it with the committed file)."""
    out = [
        "# Indicateurs du socle commun",
        "",
        "Page générée à partir de `sql/indicators/catalog.toml` "
        "(`python -m socle.indicators.docs`) : ne pas la modifier à la main.",
        "",
        "Chaque indicateur est calculé pour chaque mois M, aux niveaux national (`NAT`, "
        "code `FR`), régional (`REG`), départemental (`DEP`) et du comité local pour "
        "l'emploi (`BASSIN`, zonage de l'année de M). Chaque niveau est calculé directement "
        "à partir des communes, jamais en additionnant un niveau inférieur ; une commune "
        "inconnue du référentiel ne compte qu'au niveau national. Les personnes sont "
        "comptées une seule fois, quel que soit le nombre d'opérateurs qui les suivent.",
        "",
        "## Règles de calcul communes",
        "",
        *[f"- {m}" for m in _METHOD],
        "",
        "## Mois recalculés après une livraison",
        "",
        *_RECOMPUTE,
        "",
        "## Liste des indicateurs",
        "",
        "| code | famille | libellé | unité |",
        "|---|---|---|---|",
    ]
    words = vocabulary()
    families = words.families
    units = {k: v["label_fr"] for k, v in words.units.items()}
    for ind in indicators:
        out.append(f"| `{ind.code}` | {families[ind.family]} | {ind.label_fr} | "
                   f"{units[ind.unit]} |")
    for ind in indicators:
        out += [
            "",
            f"## `{ind.code}` — {ind.label_fr}",
            "",
            ind.definition_fr,
            "",
            f"- Famille : {families[ind.family]}",
            f"- Unité : {units[ind.unit]}",
            f"- Agrégation : {_AGG[ind.aggregation]}",
        ]
        if ind.months_after:
            out.append(f"- Publié une fois le mois M+{ind.months_after} chargé")
        if ind.looks_back_months:
            k = ind.looks_back_months
            out.append(f"- Lit des données jusqu'à M+{k} : un changement daté du mois C le "
                       f"fait recalculer à partir de C−{k}")
        extra = [*ind.breakdowns, *ind.slices]
        if extra:
            out.append("- Ventilations : " + " ; ".join(
                f"`{b}` ({words.breakdown(b).definition_fr})" for b in extra))
        out.append(f"- Calcul : `sql/indicators/{ind.sql_file}`")
    return "\n".join(out) + "\n"


def write_docs(path: Path = DOCS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(load_catalog()), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_docs())
