"""Generate the operators' data dictionary (`docs/data-dictionary.md`) from the schemas.

Nothing about a column is written twice: labels, types, mandatory flags, code lists and rules
all come from `schemas/`; a test checks the committed file equals what this module renders.
Run `python -m socle.datadict` after changing a schema.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import polars as pl

import schemas
from schemas._base import DeliveryContext
from schemas.codes import (
    DIRECT_IDENTIFIER_COLUMNS,
    DIRECT_IDENTIFIER_WORDS,
    EXTRACTS,
    OPERATORS,
    SNAPSHOT_EXTRACTS,
)
from socle.config import PROJECT_ROOT
from socle.ingest.parse import FALSE_SPELLINGS, TRUE_SPELLINGS

BOOLEAN_PAIRS = (("true", "false"), ("1", "0"), ("O", "N"), ("oui", "non"), ("Y", "N"))
assert {t.lower() for t, _ in BOOLEAN_PAIRS} == set(TRUE_SPELLINGS)
assert {f.lower() for _, f in BOOLEAN_PAIRS} == set(FALSE_SPELLINGS)

OUTPUT = PROJECT_ROOT / "docs" / "data-dictionary.md"
# a context with every rule switched on; month-dependent bounds are described in words
_CTX = DeliveryContext("FT", date(2000, 1, 1))
_TYPES = {pl.Utf8: "texte / str", pl.Date: "date", pl.Int64: "entier / int",
          pl.Boolean: "booléen / bool"}


def _rule(name: str, stats: dict) -> str:
    """One column check in words (French / English)."""
    if "allowed_values" in stats:
        return "valeurs / values: " + ", ".join(f"`{v}`" for v in stats["allowed_values"])
    if name == "format":
        return "format `" + stats["pattern"].replace("|", "\\|") + "`"
    if name == "in_month":
        return "dans le mois livré / within the delivery month"
    if name == "after_month_end":
        return "≤ fin du mois livré / ≤ end of the delivery month"
    if "min_value" in stats and "max_value" in stats:
        return f"{stats['min_value']} à/to {stats['max_value']}"
    if "min_value" in stats:
        return f"≥ {stats['min_value']}"
    if "max_value" in stats:
        return f"≤ {stats['max_value']}"
    return name


def render() -> str:
    out = [
        "# Dictionnaire des données / Data dictionary",
        "",
        "_Généré depuis `schemas/` par `python -m socle.datadict` : ne pas modifier à la main._",
        "_Generated from `schemas/` by `python -m socle.datadict`: do not edit by hand._",
        "",
        "## Dépôt / Delivery",
        "",
        "- Chemin / path: `<operateur>/<AAAA-MM>/<extrait>[__<partie>].<csv|csv.gz|parquet>`; "
        "opérateurs / operators: " + ", ".join(f"`{k}` ({v})" for k, v in OPERATORS.items())
        + ".",
        "- CSV UTF-8 (BOM ou non) ou Windows-1252/Latin-1, séparateur `;` ou `,`, ligne "
        "d'en-tête ; noms de colonnes sans casse ni espaces autour. / CSV in UTF-8 (with or "
        "without BOM) or Windows-1252/Latin-1, `;` or `,` separator, a header row; column "
        "names case-insensitive and trimmed. Parquet and gzipped CSV are accepted.",
        "- Dates `AAAA-MM-JJ` ou `JJ/MM/AAAA`. Booléens / booleans: "
        + ", ".join(f"`{t}`/`{f}`" for t, f in BOOLEAN_PAIRS)
        + " (casse indifférente / any case); vide = inconnu / empty = null. Codes "
        "(listes, communes, ROME) : casse indifférente / any case.",
        "- Rejet du dépôt entier / whole delivery rejected: colonne obligatoire absente "
        "(`category` pour France Travail) / missing required column (`category` for FT), "
        "fichier illisible ou vide / unreadable or empty file, photographie sans ligne / "
        "header-only snapshot, aucune ligne chargeable / no row would load "
        "(`nothing_loaded`), colonne d'identification directe / direct-identifier column ("
        + ", ".join(f"`{c}`" for c in sorted(DIRECT_IDENTIFIER_COLUMNS)[:12])
        + ", … and close variants: a column name holding one of the words "
        + ", ".join(f"`{w}`" for w in sorted(DIRECT_IDENTIFIER_WORDS))
        + " anywhere, e.g. `num_telephone`, `mail_pro`), colonne `nir` sans clé de "
        "pseudonymisation / a `nir` column without the pseudonymisation key (tried again once "
        "the key is set). The previous accepted delivery stays published.",
        "- Fichier mal nommé dans le dossier d'un opérateur : signalé avec la règle qu'il "
        "enfreint, non lu, le traitement échoue. / A misnamed file in an operator's folder is "
        "reported with the rule it breaks, not read, and the run fails.",
        "- `nir` (15 caractères, clé de contrôle vérifiée, `2A`/`2B` admis) peut remplacer "
        "`person_id` / may stand instead of `person_id`: it is replaced by "
        "`hex(HMAC-SHA256(clé, nir))` and never stored.",
        "- Lignes en erreur / bad rows: mises en quarantaine avec leurs motifs `colonne:règle` / "
        "quarantined with their `column:rule` reasons; doublons exacts retirés et comptés / "
        "exact duplicates dropped and counted; identifiants en double au contenu différent : "
        "toutes les versions en quarantaine (`<id>:duplicate_id`) / conflicting duplicate ids: "
        "every version quarantined.",
        "- Colonnes inconnues ignorées et signalées / unknown extra columns ignored and "
        "reported.",
        "",
        "### Choix / Decisions",
        "",
        "- Un fichier d'événements sans ligne de données (en-tête seul) est un dépôt valide : "
        "aucun événement dans le mois. Pour une photographie (inscriptions, parcours, offres), "
        "il rejette le dépôt : une photographie vide ne remplace pas la précédente. / A "
        "header-only file of an event extract is a valid delivery of no event in the month; "
        "for a snapshot extract it rejects the delivery: an empty snapshot never replaces the "
        "previous one.",
        "- Un dépôt identique (mêmes fichiers, même sha256) à la version en vigueur ne change "
        "rien et n'ajoute pas de ligne d'audit (statut `unchanged`). / Re-sending the files of "
        "the current version changes nothing and writes no audit row.",
        "- Valeurs débarrassées des espaces autour ; codes lus en majuscules (`f` = `F`). / "
        "Values are trimmed; codes are read upper-case.",
        "- NIR de clé invalide : ligne en quarantaine (`nir:control_key`), `person_id` vide, le "
        "NIR n'est conservé nulle part. / A NIR with a bad key: row quarantined with an empty "
        "`person_id`; the NIR is kept nowhere.",
        "- Commune : anciens codes et arrondissements ramenés à la commune actuelle ; code bien "
        "formé inconnu chargé tel quel et compté. / Old and arrondissement codes mapped to the "
        "current commune; unknown well-formed codes loaded as delivered and counted.",
        "- Un `\"` isolé dans un champ est gardé comme caractère et sa ligne signalée ; une "
        "ligne avec trop de champs rend le fichier illisible (la ligne est nommée). / A stray "
        "quote inside a field is kept as a character and its line reported; a line with too "
        "many fields makes the file unreadable (the line is named).",
        "- Lignes vides (rien, ou seulement des séparateurs) : ignorées, ce ne sont pas des "
        "lignes de données ; leurs numéros sont signalés. / Empty lines (nothing, or "
        "separators only) are not rows: skipped, their numbers reported.",
        "- `validate` : un fichier est correct quand toutes ses lignes seraient chargées "
        "(les doublons exacts sont signalés, pas refusés). / A file passes when every row "
        "would load (exact duplicates are reported, not refused).",
        "",
    ]
    for extract in EXTRACTS:
        schema = schemas.schema_for(extract, _CTX)
        kind = ("photographie du mois / monthly snapshot" if extract in SNAPSHOT_EXTRACTS
                else "événements du mois / events of the month")
        out += [f"## `{extract}`", "", f"{schema.description}. Type : {kind}. "
                f"Identifiant unique dans le dépôt / id unique within the delivery: "
                f"`{schemas.id_column(extract)}`.", "",
                "| colonne / column | type | obligatoire / mandatory | libellé | label | "
                "règles / rules |", "|---|---|---|---|---|---|"]
        for name, col in schema.columns.items():
            meta = col.metadata or {}
            mandatory = "oui / yes" if meta.get("mandatory") else "non / no"
            rules = [_rule(c.name, c.statistics or {}) for c in col.checks]
            if col.unique:
                rules.append("unique")
            dtype = _TYPES[col.dtype.type.base_type()]
            out.append(f"| `{name}` | {dtype} | {mandatory} | {meta.get('fr', '')} | "
                       f"{meta.get('en', '')} | {'; '.join(rules)} |")
        if schema.checks:
            out += ["", "Règles entre colonnes / cross-column rules:", ""]
            for check in schema.checks:
                only_ft = " (France Travail)" if check.name.endswith("_for_FT") else ""
                out.append(f"- `{check.name}`{only_ft}: {check.description}")
        out.append("")
    return "\n".join(out)


def write(path: Path = OUTPUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
