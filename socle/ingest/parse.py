"""Text → typed columns of a schema; a value that does not parse gives the reason `column:type`.

Dates: `YYYY-MM-DD` or `DD/MM/YYYY` (impossible dates such as 31/02 do not parse). Booleans:
`true/false`, `1/0`, `O/N`, `oui/non`, `Y/N`, case-insensitive. Empty = null everywhere.
Code columns (code lists, commune and ROME codes) are upper-cased: the case of a code is a
matter of format, not of content, so `f` is read as `F` rather than quarantined.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import polars as pl

import schemas

TRUE_SPELLINGS = ("true", "1", "o", "oui", "y")
FALSE_SPELLINGS = ("false", "0", "n", "non")
_BOOLS = {**dict.fromkeys(TRUE_SPELLINGS, True), **dict.fromkeys(FALSE_SPELLINGS, False)}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _all_cases(word: str) -> list[str]:
    return ["".join(c) for c in itertools.product(*[(ch.lower(), ch.upper()) for ch in word])]


# Every case variant of every spelling: one lookup instead of lower-casing the column first.
_BOOL_LOOKUP = {v: b for word, b in _BOOLS.items() for v in _all_cases(word)}


@lru_cache(maxsize=16)
def upper_case_columns(extract: str) -> frozenset[str]:
    """Text columns whose values are codes: checked against a list or an upper-case pattern."""
    out = set()
    for name, col in schemas.schema_for(extract).columns.items():
        names = {c.name for c in col.checks}
        if "code" in names or name in ("commune_code", "rome_code"):
            out.add(name)
    return frozenset(out)


def _text(name: str) -> pl.Expr:
    # `replace` rather than `when(len > 0).then(s)`, which would strip twice (an eager
    # select does not share the common subexpression).
    return pl.col(name).str.strip_chars().replace("", None)


def typed_expr(name: str, dtype: pl.DataType | type[pl.DataType], upper: bool) -> pl.Expr:
    """The parsed value of text column `name` (null when empty or unparseable)."""
    return _typed(_text(name), dtype, upper).alias(name)


def _typed(s: pl.Expr, dtype: pl.DataType | type[pl.DataType], upper: bool) -> pl.Expr:
    """`s`, already trimmed (empty = null), parsed as `dtype`."""
    if dtype == pl.Date:
        return pl.coalesce([s.str.to_date(f, strict=False) for f in DATE_FORMATS])
    if dtype == pl.Int64:
        return s.cast(pl.Int64, strict=False)
    if dtype == pl.Boolean:
        return s.replace_strict(_BOOL_LOOKUP, default=None, return_dtype=pl.Boolean)
    return s.str.to_uppercase() if upper else s


def _dates(s: pl.Series) -> pl.Series:
    """`s` (trimmed text) parsed in either date format.

    Same result as coalescing both formats (no text matches both), but the format of the
    column's first values is tried first and the other only when some value did not parse:
    a file is nearly always written in one format, so one pass instead of two.
    """
    head = s.head(1000).drop_nulls()
    formats = DATE_FORMATS[::-1] if head.len() and "/" in head[0] else DATE_FORMATS
    out = s.str.to_date(formats[0], strict=False)
    if out.null_count() > s.null_count():
        out = out.fill_null(s.str.to_date(formats[1], strict=False))
    return out


def parse_frame(text: pl.DataFrame, extract: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed frame with every schema column (absent ones null), and the long frame
    (row, reason) of values that were delivered but do not parse (`column:type`)."""
    types = schemas.column_types(extract)
    upper = upper_case_columns(extract)
    present = [c for c in types if c in text.columns]
    # Trimmed once: both the parsing and the "delivered but unparseable" test read it.
    clean = text.select([_text(c).alias(c) for c in present])
    typed = [_typed(pl.col(c), t, c in upper).alias(c) for c, t in types.items()
             if c in present and t != pl.Date]
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in types.items() if c not in present]
    out = clean.select([*typed, *missing]).with_columns(
        [_dates(clean.get_column(c)) for c, t in types.items() if c in present and t == pl.Date]
    ).select(list(types))
    causes = pl.DataFrame(schema={"row": pl.UInt32, "reason": pl.Utf8})
    checked = [c for c in present if types[c] != pl.Utf8]
    if checked:
        fail = pl.concat(
            [out.select(checked), clean.select([pl.col(c).alias(f"_d_{c}") for c in checked])],
            how="horizontal",
        ).select([(pl.col(f"_d_{c}").is_not_null() & pl.col(c).is_null()).alias(c)
                  for c in checked])
        bad = fail.with_row_index("row").filter(pl.any_horizontal(checked))
        if bad.height:
            causes = bad.unpivot(index="row").filter(pl.col("value")).select(
                pl.col("row").cast(pl.UInt32), reason=pl.col("variable") + ":type"
            )
    return out, causes
