"""The expectation suites, written once: what each validates, over which frame, and how a
failing row is named in the report.

Each suite reads one frame of `socle.quality.frames` from the published snapshot. Every
expectation carries a stable `id` (its meta, used by tests and by the Dagster check) and a
French description that states its rule and tolerance: Data Docs show that description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

import duckdb
import polars as pl

from schemas.codes import OPERATORS
from socle.quality import frames as f


@dataclass(frozen=True)
class Scope:
    """What one report looks at: the snapshot and its months."""

    con: duckdb.DuckDBPyConnection
    months: list[date]  # the months reported on
    loaded: list[date]  # months with a published delivery, all of them


@dataclass(frozen=True)
class Suite:
    name: str  # the Great Expectations suite, its asset and its Data Docs pages
    title: str  # French, the report's index
    keys: tuple[str, ...]  # columns that name a failing row
    read: Callable[[Scope], pl.DataFrame]
    expectations: Callable[[ModuleType, ModuleType], list[Any]]  # (gx.expectations, Column)


def _expect(cls: type, id_: str, description: str, **kwargs: Any) -> Any:
    return cls(meta={"id": id_}, description=description, **kwargs)


def _pct(x: float, sign: str = "") -> str:
    """A share as French text: 0.5 → "50 %", with sign="+" → "+50 %", −1/3 → "−33 %"."""
    return f"{x * 100:{sign}.0f} %".replace("-", "−")


def _indicator_values(gxe: ModuleType, column: ModuleType) -> list[Any]:
    Column = column.Column  # noqa: N806 (GX's condition builder)
    return [
        _expect(gxe.ExpectColumnValuesToBeBetween, "taux_entre_0_et_1",
                "Chaque taux est compris entre 0 et 1.", column="value", min_value=0,
                max_value=1, row_condition=Column("unit") == "rate"),
        _expect(gxe.ExpectColumnValuesToBeBetween, "numerateurs_positifs",
                "Aucun comptage négatif : chaque numérateur (le compte d'un comptage, le "
                "numérateur d'un taux) est positif ou nul.", column="numerator", min_value=0),
        _expect(gxe.ExpectColumnValuesToBeBetween, "denominateurs_positifs",
                "Aucun dénominateur négatif.", column="denominator", min_value=0),
        _expect(gxe.ExpectColumnPairValuesToBeEqual, "comptage_egal_valeur",
                "Pour un comptage (personnes, parcours), la valeur est le numérateur.",
                column_A="value", column_B="numerator",
                row_condition=Column("unit").is_not_in(["rate", "days"])),
    ]


def _levels(gxe: ModuleType, column: ModuleType) -> list[Any]:
    return [_expect(
        gxe.ExpectColumnValuesToBeBetween, "chaque_indicateur_a_chaque_niveau",
        "Chaque indicateur du catalogue a une valeur d'ensemble aux quatre niveaux (NAT, REG, "
        "DEP, BASSIN) pour chaque mois chargé (PERF_ACCESS_6M une fois M+6 chargé).",
        column="territoires", min_value=1)]


def _changes(gxe: ModuleType, column: ModuleType) -> list[Any]:
    rule = (f"comparé au mois précédent quand les deux mois comptent au moins {f.MIN_UNITS} "
            "unités, le premier mois chargé ne servant pas de référence")
    return [
        _expect(gxe.ExpectColumnValuesToBeBetween, "evolution_comptages_medianes",
                "Indicateurs nationaux (comptages et médianes) : entre les 2/3 et les 3/2 du "
                f"mois précédent, soit une évolution de {_pct(f.CHANGE_LOW, '+')} à "
                f"{_pct(f.CHANGE_HIGH, '+')} ({rule}).",
                column="variation_relative", min_value=f.CHANGE_LOW, max_value=f.CHANGE_HIGH),
        _expect(gxe.ExpectColumnValuesToBeBetween, "evolution_taux",
                f"Taux nationaux : au plus {f.RATE_POINTS * 100:.0f} points d'écart avec le "
                f"mois précédent ({rule}).",
                column="variation_points", min_value=-f.RATE_POINTS, max_value=f.RATE_POINTS),
    ]


def _accounting(gxe: ModuleType, column: ModuleType) -> list[Any]:
    return [_expect(
        gxe.ExpectColumnValuesToBeBetween, "lignes_toutes_comptees",
        "Chaque fichier accepté ou partiel : lignes lues = chargées + en quarantaine + "
        "doublons exacts.", column="lignes_non_comptees", min_value=0, max_value=0)]


def _quarantine(gxe: ModuleType, column: ModuleType) -> list[Any]:
    return [_expect(
        gxe.ExpectColumnValuesToBeBetween, "taux_quarantaine_sous_seuil",
        f"Pour chaque opérateur et chaque mois, au plus {_pct(f.MAX_QUARANTINE_RATE)} des "
        "lignes lues des livraisons en vigueur vont en quarantaine.",
        column="taux_quarantaine", min_value=0, max_value=f.MAX_QUARANTINE_RATE)]


def _deliveries(gxe: ModuleType, column: ModuleType) -> list[Any]:
    band = (f"à ±{_pct(f.BAND_SNAPSHOT)} (photographies) ou ±{_pct(f.BAND_EVENTS)} "
            f"(événements) de la médiane des {f.BAND_MONTHS} mois précédents, et jamais moins "
            f"de ±{f.BAND_SIGMAS:.0f}√médiane")
    return [
        _expect(gxe.ExpectColumnValuesToBeInSet, "extraits_livres_chaque_mois",
                "Chaque extrait attendu de l'opérateur est livré et publié chaque mois (à "
                "temps ou en retard ; ni manquant, ni rejeté sans remplacement).",
                column="statut", value_set=["on_time", "late"]),
        _expect(gxe.ExpectColumnPairValuesAToBeGreaterThanB, "lignes_au_dessus_du_bas_de_bande",
                f"Lignes lues d'une livraison au moins le bas de sa bande ({band}).",
                column_A="lignes", column_B="bande_min", or_equal=True,
                ignore_row_if="either_value_is_missing"),
        _expect(gxe.ExpectColumnPairValuesAToBeGreaterThanB, "lignes_sous_le_haut_de_bande",
                f"Lignes lues d'une livraison au plus le haut de sa bande ({band}).",
                column_A="bande_max", column_B="lignes", or_equal=True,
                ignore_row_if="either_value_is_missing"),
    ]


def _operator_suite(op: str) -> Suite:
    return Suite(
        name=f"livraisons_{op}", title=f"Livraisons : {OPERATORS[op]}", keys=("mois", "extract"),
        read=lambda s: f.operator_deliveries(s.con, op, s.months), expectations=_deliveries)


def _indicator_months(s: Scope) -> list[date]:
    return [m for m in s.months if m in set(s.loaded)]


SUITES: tuple[Suite, ...] = (
    Suite("indicateurs", "Table des indicateurs : valeurs",
          ("period", "indicator_code", "level", "territory_code", "breakdown",
           "breakdown_value"),
          lambda s: f.indicator_values(s.con, _indicator_months(s)), _indicator_values),
    Suite("indicateurs_niveaux", "Table des indicateurs : chaque indicateur à chaque niveau",
          ("periode", "indicateur", "niveau"),
          lambda s: f.level_rows(s.con, _indicator_months(s), max(s.loaded)), _levels),
    Suite("indicateurs_evolution", "Table des indicateurs : évolution des chiffres nationaux",
          ("periode", "indicateur"),
          lambda s: f.headline_changes(s.con, _indicator_months(s), min(s.loaded)), _changes),
    Suite("audit", "Audit des livraisons : lignes comptées",
          ("operator", "mois", "extract", "source_file"),
          lambda s: f.audit_rows(s.con, s.months), _accounting),
    Suite("audit_quarantaine", "Audit des livraisons : taux de quarantaine par opérateur",
          ("operator", "mois"), lambda s: f.quarantine_rates(s.con, s.months), _quarantine),
    *(_operator_suite(op) for op in OPERATORS),
)
