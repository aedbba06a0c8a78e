"""Landing layout → deliveries: `<operator>/<YYYY-MM>/<extract>[__<part>].<csv|csv.gz|parquet>`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from schemas.codes import EXTRACTS, OPERATORS

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FILE = re.compile(r"^(?P<extract>[a-z_]+?)(?:__(?P<part>[^.]+))?\.(?P<ext>csv|csv\.gz|parquet)$",
                   re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    """All files of one extract for one operator and one month: the unit that replaces a slice."""

    operator: str
    month: date
    extract: str
    files: list[Path] = field(default_factory=list)
    landing: Path | None = None

    @property
    def key(self) -> tuple[str, date, str]:
        return (self.operator, self.month, self.extract)

    def source_name(self, path: Path) -> str:
        """How a file is named in the warehouse: relative to the landing folder when known."""
        if self.landing is not None:
            try:
                return path.resolve().relative_to(_resolved(self.landing)).as_posix()
            except ValueError:
                pass
        return f"{self.operator}/{self.month:%Y-%m}/{path.name}"

    @property
    def file_hashes(self) -> dict[str, str]:
        """source_file → sha256 of its bytes (computed on each call: files may change)."""
        return {name: sha256_file(p) for p, name in self.named_files()}

    def named_files(self) -> list[tuple[Path, str]]:
        """(path, source name) of every file."""
        return [(p, self.source_name(p)) for p in self.files]

    @property
    def content_hash(self) -> str:
        """One sha256 over the (name, sha256) pairs: changes when any file changes."""
        h = hashlib.sha256()
        for name, digest in sorted(self.file_hashes.items()):
            h.update(f"{name}\0{digest}\n".encode())
        return h.hexdigest()

    def __str__(self) -> str:
        return f"{self.operator}/{self.month:%Y-%m}/{self.extract}"


@lru_cache(maxsize=16)
def _resolved(landing: Path) -> Path:
    """The landing folder's absolute path, resolved once rather than once per file."""
    return landing.resolve()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_month(text: str) -> date | None:
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def parse_landing_path(path: Path) -> tuple[str | None, date | None, str | None]:
    """(operator, month, extract) read from a landing path; None where the path does not say."""
    m = _FILE.match(path.name)
    extract = m.group("extract").lower() if m else None
    month = parse_month(path.parent.name)
    operator = path.parent.parent.name.upper() if month else None
    return (
        operator if operator in OPERATORS else None,
        month,
        extract if extract in EXTRACTS else None,
    )


def discover_deliveries(
    landing: Path,
    *,
    months: set[date] | None = None,
    operators: set[str] | None = None,
) -> list[Delivery]:
    """Group the landing files into deliveries, sorted by month, operator, extract.

    Files that do not follow the layout are skipped (not an error: the landing folder is shared).
    """
    groups: dict[tuple[str, date, str], list[Path]] = {}
    if not landing.exists():
        return []
    for op_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        operator = op_dir.name.upper()
        if operator not in OPERATORS or (operators and operator not in operators):
            continue
        for month_dir in sorted(p for p in op_dir.iterdir() if p.is_dir()):
            month = parse_month(month_dir.name)
            if month is None or (months and month not in months):
                continue
            for path in sorted(month_dir.iterdir()):
                m = _FILE.match(path.name)
                if not m or not path.is_file() or m.group("extract").lower() not in EXTRACTS:
                    continue
                groups.setdefault((operator, month, m.group("extract").lower()), []).append(path)
    order = {e: i for i, e in enumerate(EXTRACTS)}
    return [
        Delivery(op, month, extract, files, landing)
        for (op, month, extract), files in sorted(
            groups.items(), key=lambda kv: (kv[0][1], kv[0][0], order[kv[0][2]])
        )
    ]
