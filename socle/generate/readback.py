"""Read generated deliveries back into typed frames, knowing each operator's habits.

This is not the ingestion (which must cope with any accepted variant): it exists so the
generator's own tests and benchmarks can check what was written, file by file.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import polars as pl

import schemas
from socle.generate.habits import HABITS, Habit


def _parse(df: pl.DataFrame, extract: str, habit: Habit) -> pl.DataFrame:
    """Cast text columns to the schema types using the operator's date/boolean spellings."""
    df = df.rename({c: c.strip().lower() for c in df.columns})
    types = schemas.column_types(extract)
    true, false = habit.booleans
    casts = []
    for name, dtype in types.items():
        if name not in df.columns or df.schema[name] != pl.String:
            continue
        col = pl.col(name)
        if dtype == pl.Date:
            casts.append(col.str.strptime(pl.Date, habit.date_format, strict=True))
        elif dtype == pl.Boolean:
            casts.append(col.replace_strict({true: True, false: False}, default=None,
                                            return_dtype=pl.Boolean))
        elif dtype == pl.Int64:
            casts.append(col.cast(pl.Int64))
    return df.with_columns(casts)


def read_file(path: Path, extract: str, operator: str) -> pl.DataFrame:
    habit = HABITS[operator]
    if habit.suffix == "parquet":
        return _parse(pl.read_parquet(path), extract, habit)
    data = path.read_bytes()
    if habit.suffix == "csv.gz":
        data = gzip.decompress(data)
    text = data.decode(habit.encoding)
    df = pl.read_csv(io.StringIO(text), separator=habit.separator, infer_schema=False)
    return _parse(df, extract, habit)


def read_extract(out: Path, extract: str) -> pl.DataFrame:
    """Every delivered file of `extract`, with `operator`, `month` (YYYY-MM) and `file`."""
    frames = []
    for path in sorted(Path(out).glob(f"*/*/{extract}.*")) + sorted(
            Path(out).glob(f"*/*/{extract}__*")):
        operator, month = path.parent.parent.name, path.parent.name
        df = read_file(path, extract, operator)
        keep = [c for c in schemas.column_types(extract) if c in df.columns]
        frames.append(df.select(keep).with_columns(
            operator=pl.lit(operator), month=pl.lit(month), file=pl.lit(path.name)))
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
