"""One chunk of delivered rows → text as delivered (NIR replaced), typed valid rows, reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl

import schemas
from schemas._base import DeliveryContext
from schemas.codes import ALLOWANCES
from socle.ingest.columns import Header
from socle.ingest.communes import (
    Lookups,
    derive_zrr,
    map_communes,
    unknown_communes,
    unknown_rome,
)
from socle.ingest.parse import parse_frame
from socle.ingest.pseudonymise import pseudonymise
from socle.ingest.rules import combine_reasons, schema_reasons

ALLOWANCE_COLUMNS = tuple(f"allowance_{a}" for a in ALLOWANCES)


@dataclass
class Chunk:
    keys: pl.DataFrame  # rid, source_file, id, row_hash, reasons: every row
    text: pl.DataFrame  # rid, source_file, line_number, <columns as text>: rows that may be
    #                     quarantined (a reason, or an id seen twice in the chunk)
    typed: pl.DataFrame  # rid, source_file, line_number, <typed schema columns>: valid rows
    stats: Counter = field(default_factory=Counter)


def process_chunk(
    raw: pl.DataFrame,
    *,
    extract: str,
    ctx: DeliveryContext,
    header: Header,
    lookups: Lookups,
    key: bytes | None,
    source_file: str,
    first_line: int,
    first_rid: int,
) -> Chunk:
    """Validate one chunk; no loop per row (everything is a polars or pandera expression)."""
    n = raw.height
    text = raw.select(header.used)
    nir_reason = None
    if header.has_nir:
        assert key is not None  # the header check rejects a NIR without key
        text, nir_reason = pseudonymise(text, key)
    cols = list(schemas.column_types(extract))
    text = text.select(
        [pl.col(c) if c in text.columns else pl.lit(None, dtype=pl.Utf8).alias(c) for c in cols]
    )
    typed, causes = parse_frame(text, extract)
    stats: Counter = Counter()
    typed = typed.with_columns(
        [pl.col(c).fill_null(False) for c in ALLOWANCE_COLUMNS if c in typed.columns]
    )
    typed, mapped = map_communes(typed, lookups)
    typed = derive_zrr(typed, lookups)

    if nir_reason is not None:
        causes = pl.concat([
            causes,
            pl.DataFrame({"row": pl.int_range(0, n, dtype=pl.UInt32, eager=True),
                          "reason": nir_reason}).drop_nulls(),
        ])
    found = schema_reasons(typed, extract, ctx)
    reasons = combine_reasons(n, extract, ctx, causes, found)

    id_col = schemas.id_column(extract)
    pos = pl.DataFrame({
        "rid": pl.int_range(first_rid, first_rid + n, dtype=pl.Int64, eager=True),
        "source_file": pl.repeat(source_file, n, dtype=pl.Utf8, eager=True),
        "line_number": pl.int_range(first_line, first_line + n, dtype=pl.Int64, eager=True),
    })
    keys = pl.concat([
        pos.select("rid", "source_file"),
        text.select(id=pl.col(id_col).str.strip_chars(), row_hash=pl.struct(cols).hash(seed=0)),
    ], how="horizontal").with_columns(reasons=reasons)
    ok = reasons.is_null()
    maybe_quarantined = ~ok | keys.get_column("id").is_duplicated()
    text_out = pl.concat([pos, text], how="horizontal").filter(maybe_quarantined)
    good = typed.filter(ok)
    stats["communes_mapped"] += int(mapped.filter(ok).sum())
    if "commune_code" in good.columns:
        stats["communes_unknown"] += int(unknown_communes(good, lookups).sum())
    if "rome_code" in good.columns:
        stats["rome_unknown"] += int(unknown_rome(good, lookups).sum())
    typed_out = pl.concat([pos.filter(ok), good], how="horizontal")
    return Chunk(keys, text_out, typed_out, stats)
