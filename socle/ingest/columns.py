"""Header-level rules: a delivery whose columns break one of them is rejected as a whole."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from itertools import pairwise

import schemas
from schemas._base import NO_CONTEXT, DeliveryContext
from schemas.codes import (
    DIRECT_IDENTIFIER_COLUMNS,
    DIRECT_IDENTIFIER_GLUED,
    DIRECT_IDENTIFIER_PAIRS,
    DIRECT_IDENTIFIER_WORDS,
)
from socle.ingest.errors import Rejected
from socle.ingest.read import TextFile, ascii_fold

_FOLDED = {ascii_fold(c) for c in DIRECT_IDENTIFIER_COLUMNS}
_COMPACT = {c.replace("_", "") for c in _FOLDED}


def is_direct_identifier(name: str) -> bool:
    """`nom`, `Prénom`, `E-mail`, `date de naissance`, `num_telephone`, `mail_pro`, ...

    Matched on the words of the folded name wherever they stand, not on the whole name:
    operators qualify identifier columns in endless ways (`_pro`, `_perso`, `2`, `num_`).
    """
    folded = ascii_fold(name)
    if folded in _FOLDED or folded.replace("_", "") in _COMPACT:
        return True
    words = [w.rstrip("0123456789") or w for w in folded.split("_")]
    return (any(w in DIRECT_IDENTIFIER_WORDS for w in words)
            or any(pair in DIRECT_IDENTIFIER_PAIRS for pair in pairwise(words))
            or any(g in w for w in words for g in DIRECT_IDENTIFIER_GLUED))


@dataclass(frozen=True)
class Header:
    """What the header of a file tells: used columns, ignored extra columns, NIR or not."""

    used: list[str]
    extra: list[str]
    has_nir: bool


def check_header(tf: TextFile, extract: str, *, key: bytes | None,
                 ctx: DeliveryContext = NO_CONTEXT) -> Header:
    """Reject on a duplicate, direct-identifier or missing required column, or a NIR without key.

    Which columns are required may depend on the operator (`category` for FT): `ctx` says.
    """
    name = tf.path.name
    cols = tf.columns
    dupes = sorted({c for c in cols if cols.count(c) > 1})
    if dupes:
        raise Rejected(f"{name}: column(s) delivered twice: {', '.join(dupes)}",
                       rule="duplicate_column")
    direct = [orig for orig, c in zip(tf.original_columns, cols, strict=True)
              if c not in schemas.column_types(extract) and c != "nir"
              and is_direct_identifier(c)]
    if direct:
        raise Rejected(
            f"{name}: direct identifier column(s) {', '.join(direct)} must not be delivered "
            "(send person_id or nir only)", rule="direct_identifier")
    schema = schemas.schema_for(extract, DeliveryContext(ctx.operator))
    has_nir = "nir" in cols
    if has_nir and key is None:
        raise Rejected(f"{name}: a nir column needs the pseudonymisation key "
                       "(SOCLE_PSEUDONYMISATION_KEY is not set)", rule="nir_without_key",
                       environment=True)
    if has_nir and "person_id" in cols:
        raise Rejected(f"{name}: both nir and person_id delivered; send one of them",
                       rule="nir_and_person_id")
    known = set(schema.columns)
    available = set(cols) | ({"person_id"} if has_nir else set())
    missing = [c for c, col in schema.columns.items() if col.required and c not in available]
    extra = [c for c in cols if c not in known and c != "nir"]
    if missing:
        hints = []
        for m in missing:
            close = difflib.get_close_matches(m, extra, n=1, cutoff=0.75)
            if close:
                hints.append(f"{close[0]!r} → {m}?")
        hint = f" (did you mean: {', '.join(hints)})" if hints else ""
        raise Rejected(f"{name}: missing required column(s) {', '.join(missing)}{hint}",
                       rule="missing_column")
    used = [c for c in cols if c in known or c == "nir"]
    return Header(used, extra, has_nir)
