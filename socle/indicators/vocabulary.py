"""The words of the published figures (`sql/indicators/vocabulary.toml`): breakdowns, units
and families with their export codes and French labels. Everything that names a
breakdown (the engine, the catalog checks, the docs, the exports, the site) reads it
here, so adding one is an entry in that file plus the SQL that yields its column."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from schemas import codes
from socle.config import SQL_DIR

VOCABULARY_PATH = SQL_DIR / "indicators" / "vocabulary.toml"
SOURCES = ("registration", "unit", "slice")
# Columns of an indicator file's facts that are not breakdowns.
RESERVED = ("period", "commune_code", "num", "slice", "slice_value", "profile")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Breakdown:
    name: str
    export: str
    label_fr: str
    definition_fr: str
    source: str  # "registration", "unit" or "slice" (see vocabulary.toml)
    many: bool
    sql_type: str
    modalities: tuple[tuple[str, str], ...]  # (value, French label) in reading order


@dataclass(frozen=True)
class Vocabulary:
    breakdowns: tuple[Breakdown, ...]
    units: dict[str, dict[str, str]]  # unit → {"export": ..., "label_fr": ...}
    families: dict[str, str]  # family → French label

    def breakdown(self, name: str) -> Breakdown:
        for b in self.breakdowns:
            if b.name == name:
                return b
        raise KeyError(f"breakdown {name!r} is not in {VOCABULARY_PATH}")

    @property
    def names(self) -> tuple[str, ...]:
        """Breakdowns an indicator may list (the engine groups them), in reading order."""
        return tuple(b.name for b in self.breakdowns if b.source != "slice")

    @property
    def person_attributes(self) -> tuple[str, ...]:
        """Columns the engine carries with a placed person (input_reg.sql computes them)."""
        return tuple(b.name for b in self.breakdowns if b.source == "registration")

    @property
    def profile(self) -> tuple[str, ...]:
        """What a unit's `profile` stands for: its operators and the person's attributes,
        counted together."""
        return ("operator", *self.person_attributes)

    @property
    def counted_alone(self) -> tuple[str, ...]:
        """Unit columns counted each in its own grouping (never needed together)."""
        return tuple(b.name for b in self.breakdowns
                     if b.source == "unit" and b.name not in self.profile)


class VocabularyError(ValueError):
    """vocabulary.toml breaks a rule."""


def _breakdown(entry: dict) -> Breakdown:
    name = entry.get("name", "")
    problems = [f"missing {k}" for k in ("name", "export", "label_fr", "definition_fr",
                                         "source") if not entry.get(k)]
    if name and not _NAME.match(name):
        problems.append("name is not a lowercase identifier")
    if name in RESERVED:
        problems.append(f"name is a fact column of its own ({', '.join(RESERVED)})")
    if "modalities_from" in entry and "modalities" in entry:
        problems.append("modalities and modalities_from: give one")
    if entry.get("source") not in SOURCES:
        problems.append(f"source {entry.get('source')!r} not in {SOURCES}")
    many = bool(entry.get("many", False))
    if "modalities_from" in entry:
        listed = getattr(codes, entry["modalities_from"], None)
        if not isinstance(listed, dict | tuple):
            problems.append(f"modalities_from: no code list {entry['modalities_from']} "
                            "in schemas/codes.py")
            listed = {}
        # A tuple of codes labels each value by itself.
        modalities = dict(listed) if isinstance(listed, dict) else {c: c for c in listed}
    else:
        modalities = dict(entry.get("modalities", {}))
    if problems:
        raise VocabularyError(f"breakdown {name or '?'}: " + "; ".join(problems))
    return Breakdown(
        name=name, export=entry["export"], label_fr=entry["label_fr"],
        definition_fr=" ".join(entry["definition_fr"].split()), source=entry["source"],
        many=many, sql_type=entry.get("sql_type", "VARCHAR[]" if many else "VARCHAR"),
        modalities=tuple(modalities.items()),
    )


@cache
def vocabulary() -> Vocabulary:
    with VOCABULARY_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    breakdowns = tuple(_breakdown(e) for e in raw.get("breakdown", []))
    for attr in ("name", "export"):
        seen = [getattr(b, attr) for b in breakdowns]
        dupes = sorted({s for s in seen if seen.count(s) > 1})
        if dupes:
            raise VocabularyError(f"breakdowns with the same {attr}: {dupes}")
    return Vocabulary(
        breakdowns=breakdowns,
        units={k: {"export": v["export"], "label_fr": v["label_fr"]}
               for k, v in raw.get("unit", {}).items()},
        families={k: v["label_fr"] for k, v in raw.get("family", {}).items()},
    )
