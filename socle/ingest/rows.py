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
    text: pl.DataFrame  # rid, source_file, line_number, <schema columns as text>, row_hash, reasons
    typed: pl.DataFrame  # rid, source_file, line_number, <typed schema columns>: valid rows only
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
    typed = parse_frame(text, extract)
    stats: Counter = Counter()
    typed = typed.with_columns(
        [pl.col(c).fill_null(False) for c in ALLOWANCE_COLUMNS if c in typed.columns]
    )
    typed, mapped = map_communes(typed, lookups)
    typed = derive_zrr(typed, lookups)

    causes = typed.select(
        row=pl.int_range(0, n, dtype=pl.UInt32), reason=pl.col("type_reasons")
    ).explode("reason").drop_nulls()
    if nir_reason is not None:
        causes = pl.concat([
            causes,
            pl.DataFrame({"row": pl.int_range(0, n, dtype=pl.UInt32, eager=True),
                          "reason": nir_reason}).drop_nulls(),
        ])
    found = schema_reasons(typed.drop("type_reasons"), extract, ctx)
    reasons = combine_reasons(n, extract, ctx, causes, found)

    ids = {
        "rid": pl.int_range(first_rid, first_rid + n, dtype=pl.Int64),
        "source_file": pl.lit(source_file),
        "line_number": pl.int_range(first_line, first_line + n, dtype=pl.Int64),
    }
    text_out = text.select(
        **ids, **{c: pl.col(c) for c in cols},
        row_hash=pl.struct(cols).hash(seed=0),
    ).with_columns(reasons=reasons)
    ok = reasons.is_null()
    good = typed.drop("type_reasons").filter(ok)
    stats["communes_mapped"] += int(mapped.filter(ok).sum())
    if "commune_code" in good.columns:
        stats["communes_unknown"] += int(unknown_communes(good, lookups).sum())
    if "rome_code" in good.columns:
        unknown = unknown_rome(good, lookups)
        stats["rome_unknown"] += int(unknown.sum())
    typed_out = good.select(**ids_for(good, text_out, ok), **{c: pl.col(c) for c in cols})
    return Chunk(text_out, typed_out, stats)


def ids_for(good: pl.DataFrame, text_out: pl.DataFrame, ok: pl.Series) -> dict[str, pl.Series]:
    kept = text_out.select("rid", "source_file", "line_number").filter(ok)
    return {c: kept.get_column(c) for c in kept.columns}
