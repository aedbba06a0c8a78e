"""Text → typed columns of a schema; a value that does not parse gives the reason `column:type`.

Dates: `YYYY-MM-DD` or `DD/MM/YYYY` (impossible dates such as 31/02 do not parse). Booleans:
`true/false`, `1/0`, `O/N`, `oui/non`, `Y/N`, case-insensitive. Empty = null everywhere.
Code columns (code lists, commune and ROME codes) are upper-cased: the case of a code is a
matter of format, not of content, so `f` is read as `F` rather than quarantined.
"""

from __future__ import annotations

import polars as pl

import schemas

TRUE_SPELLINGS = ("true", "1", "o", "oui", "y")
FALSE_SPELLINGS = ("false", "0", "n", "non")
_BOOLS = {**dict.fromkeys(TRUE_SPELLINGS, True), **dict.fromkeys(FALSE_SPELLINGS, False)}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def upper_case_columns(extract: str) -> set[str]:
    """Text columns whose values are codes: checked against a list or an upper-case pattern."""
    out = set()
    for name, col in schemas.schema_for(extract).columns.items():
        names = {c.name for c in col.checks}
        if "code" in names or name in ("commune_code", "rome_code"):
            out.add(name)
    return out


def _text(name: str) -> pl.Expr:
    s = pl.col(name).str.strip_chars()
    return pl.when(s.str.len_bytes() > 0).then(s)


def typed_expr(name: str, dtype: pl.DataType | type[pl.DataType], upper: bool) -> pl.Expr:
    """The parsed value of text column `name` (null when empty or unparseable)."""
    s = _text(name)
    if dtype == pl.Date:
        return pl.coalesce([s.str.to_date(f, strict=False) for f in DATE_FORMATS]).alias(name)
    if dtype == pl.Int64:
        return s.cast(pl.Int64, strict=False).alias(name)
    if dtype == pl.Boolean:
        return s.str.to_lowercase().replace_strict(
            _BOOLS, default=None, return_dtype=pl.Boolean
        ).alias(name)
    return (s.str.to_uppercase() if upper else s).alias(name)


def parse_frame(text: pl.DataFrame, extract: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed frame with every schema column (absent ones null), and the long frame
    (row, reason) of values that were delivered but do not parse (`column:type`)."""
    types = schemas.column_types(extract)
    upper = upper_case_columns(extract)
    present = [c for c in types if c in text.columns]
    typed = [typed_expr(c, t, c in upper) for c, t in types.items() if c in present]
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in types.items() if c not in present]
    out = text.select([*typed, *missing]).select(list(types))
    causes = pl.DataFrame(schema={"row": pl.UInt32, "reason": pl.Utf8})
    checked = [c for c in present if types[c] != pl.Utf8]
    if checked:
        delivered = text.select([_text(c).is_not_null().alias(f"_d_{c}") for c in checked])
        fail = pl.concat([out.select(checked), delivered], how="horizontal").select(
            [(pl.col(f"_d_{c}") & pl.col(c).is_null()).alias(c) for c in checked]
        )
        bad = fail.with_row_index("row").filter(pl.any_horizontal(checked))
        if bad.height:
            causes = bad.unpivot(index="row").filter(pl.col("value")).select(
                pl.col("row").cast(pl.UInt32), reason=pl.col("variable") + ":type"
            )
    return out, causes
