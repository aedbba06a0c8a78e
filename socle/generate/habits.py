"""How each operator writes its files (CONTRACT §1 formats), so ingestion meets every
accepted variant at once:

| operator | file | encoding | separator | dates | booleans | other |
|---|---|---|---|---|---|---|
| FT | `.csv` | Windows-1252, CRLF | `;` | DD/MM/YYYY | `O`/`N` | free text with ’ œ – € (1) |
| ML | `.csv` | UTF-8 with BOM | `,` | YYYY-MM-DD | `true`/`false` | |
| CE | `.parquet` | typed | | date | bool | sends `zrr_resident` |
| APEC | `.csv.gz` | UTF-8 | `,` | YYYY-MM-DD | `1`/`0` | upper-case headers (2) |
| CD | `__<dep>.csv` | UTF-8 | `;` | DD/MM/YYYY | `oui`/`non` | one file per département |

(1) an extra `agence` column in every FT file, and `observation_conseiller` in registrations.
(2) ` PERSON_ID ` is padded with spaces, to exercise trimmed, case-insensitive matching.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

CHUNK_ROWS = 400_000


def _apec_header(name: str) -> str:
    return f" {name.upper()} " if name == "person_id" else name.upper()


@dataclass(frozen=True)
class Habit:
    operator: str
    suffix: str  # csv | csv.gz | parquet
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252
    separator: str = ","
    date_format: str = "%Y-%m-%d"
    booleans: tuple[str, str] = ("true", "false")
    line_terminator: str = "\n"
    header: Callable[[str], str] = field(default=str)
    split_by_departement: bool = False

    def format_date(self, value) -> str:
        return value.strftime(self.date_format)


HABITS: dict[str, Habit] = {
    "FT": Habit("FT", "csv", "cp1252", ";", "%d/%m/%Y", ("O", "N"), "\r\n"),
    "ML": Habit("ML", "csv", "utf-8-sig", ",", "%Y-%m-%d", ("true", "false")),
    "CE": Habit("CE", "parquet"),
    "APEC": Habit("APEC", "csv.gz", "utf-8", ",", "%Y-%m-%d", ("1", "0"), header=_apec_header),
    "CD": Habit("CD", "csv", "utf-8", ";", "%d/%m/%Y", ("oui", "non"),
                split_by_departement=True),
}


def render(df: pl.DataFrame, habit: Habit) -> pl.DataFrame:
    """Dates and booleans as the operator's software writes them (CSV); Parquet stays typed."""
    if habit.suffix == "parquet":
        return df
    true, false = habit.booleans
    return df.with_columns(
        *(pl.col(c).dt.strftime(habit.date_format) for c, t in df.schema.items()
          if t == pl.Date),
        *(pl.when(pl.col(c)).then(pl.lit(true)).when(~pl.col(c)).then(pl.lit(false))
          .otherwise(None).alias(c) for c, t in df.schema.items() if t == pl.Boolean),
    )


def _csv_bytes(df: pl.DataFrame, habit: Habit, header: bool) -> bytes:
    buf = io.BytesIO()
    df.write_csv(buf, separator=habit.separator, include_header=header,
                 line_terminator=habit.line_terminator)
    return buf.getvalue()


def write_file(df: pl.DataFrame, habit: Habit, path: Path) -> None:
    """Write one file the operator's way; byte-identical for identical input."""
    df = df.rename({c: habit.header(c) for c in df.columns})
    path.parent.mkdir(parents=True, exist_ok=True)
    if habit.suffix == "parquet":
        df.write_parquet(path, compression="zstd", statistics=False)
        return
    with open(path, "wb") as raw:
        sink = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) \
            if habit.suffix == "csv.gz" else raw
        if habit.encoding == "utf-8-sig":
            sink.write(b"\xef\xbb\xbf")
        slices = list(range(0, df.height, CHUNK_ROWS)) or [0]
        for i, offset in enumerate(slices):
            data = _csv_bytes(df.slice(offset, CHUNK_ROWS), habit, header=i == 0)
            if habit.encoding == "cp1252":
                data = data.decode("utf-8").encode("cp1252")
            sink.write(data)
        if sink is not raw:
            sink.close()


def file_name(extract: str, habit: Habit, part: str | None = None) -> str:
    return f"{extract}{'__' + part if part else ''}.{habit.suffix}"
