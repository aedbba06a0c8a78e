"""Landing layout → deliveries: `<operator>/<YYYY-MM>/<extract>[__<part>].<csv|csv.gz|parquet>`."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from schemas.codes import EXTRACTS, OPERATORS
from socle.ingest.hashes import FileHashes, sha256_file
from socle.months import month_or_none

_FILE = re.compile(r"^(?P<extract>[a-z_]+?)(?:__(?P<part>[^.]+))?\.(?P<ext>csv|csv\.gz|parquet)$",
                   re.IGNORECASE)
# What a month folder may have meant when it is not `YYYY-MM` (2024-3, 202403, 2024_03).
_LOOSE_MONTH = re.compile(r"^(\d{4})\D?(\d{1,2})$")
_EXTENSIONS = (".csv.gz", ".csv", ".parquet")
FILE_RULE = "<extract>[__<part>].<csv|csv.gz|parquet>"


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
                return _resolved_file(path).relative_to(_resolved(self.landing)).as_posix()
            except ValueError:
                pass
        return f"{self.operator}/{self.month:%Y-%m}/{path.name}"

    def file_hashes(self, hashes: FileHashes | None = None) -> dict[str, str]:
        """source_file → sha256 of its bytes, read on each call (files may change) unless
        `hashes` knows the file unchanged."""
        digest = hashes.sha256 if hashes is not None else sha256_file
        return {name: digest(p) for p, name in self.named_files()}

    def named_files(self) -> list[tuple[Path, str]]:
        """(path, source name) of every file."""
        return [(p, self.source_name(p)) for p in self.files]

    @property
    def content_hash(self) -> str:
        """One sha256 over the (name, sha256) pairs: changes when any file changes."""
        h = hashlib.sha256()
        for name, digest in sorted(self.file_hashes().items()):
            h.update(f"{name}\0{digest}\n".encode())
        return h.hexdigest()

    def __str__(self) -> str:
        return f"{self.operator}/{self.month:%Y-%m}/{self.extract}"


@lru_cache(maxsize=4096)
def _resolved(folder: Path) -> Path:
    """A folder's absolute path, resolved once rather than once per file (each run names
    every file of the landing history, in a few folders per month)."""
    return folder.resolve()


def _resolved_file(path: Path) -> Path:
    """`path.resolve()`, through its folder's cached resolution unless it is a link."""
    return path.resolve() if path.is_symlink() else _resolved(path.parent) / path.name


def _loose_month(text: str) -> date | None:
    m = _LOOSE_MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def file_name_problem(name: str) -> str | None:
    """Which naming rule a delivery file name breaks (`FILE_RULE`), in words; None if none."""
    m = _FILE.match(name)
    if m and m.group("extract").lower() in EXTRACTS:
        return None
    ext = next((e for e in _EXTENSIONS if name.lower().endswith(e)), None)
    if ext is None:
        return f"the extension must be .csv, .csv.gz or .parquet ({FILE_RULE})"
    stem = name[: -len(ext)]
    head = _head(stem)
    if head in EXTRACTS:
        part = stem[len(head):].lstrip("-_ .")
        return (f"a part follows the extract after two underscores, e.g. "
                f"{head}__{part or '75'}{ext} ({FILE_RULE})")
    close = difflib.get_close_matches(head, EXTRACTS, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (f"{head or stem!r} is not an extract name{hint}: one of {', '.join(EXTRACTS)} "
            f"({FILE_RULE})")


def _head(stem: str) -> str:
    """The leading word of a file name, where an extract name is expected (`hires-75` → hires)."""
    return re.split(r"[^a-z_]|__", stem.lower(), maxsplit=1)[0].strip("_")


_NOT_IN_MONTH = "a delivery file must sit in a YYYY-MM month folder of the operator"


def _month_folder_problem(name: str) -> str:
    loose = _loose_month(name)
    meant = f" ({loose:%Y-%m})" if loose else ""
    return f"the month folder must be named YYYY-MM{meant}, not {name!r}"


def landing_path_problem(path: Path) -> str | None:
    """Which layout rule a file breaks (month folder, name), judged from its path alone.

    In an operator's folder the month folder is checked too; elsewhere only the name.
    """
    parent = path.parent
    if parent.parent.name.upper() in OPERATORS and month_or_none(parent.name) is None:
        return _month_folder_problem(parent.name)
    if parent.name.upper() in OPERATORS:
        return _NOT_IN_MONTH
    return file_name_problem(path.name)


@dataclass(frozen=True)
class Misnamed:
    """A file in an operator's folder that the layout keeps the pipeline from reading.

    Reported by every run until it is renamed or removed, so a delivery is never lost
    silently to a typo (`hires-75.csv`, `hires.txt`, a `2024-3/` folder).
    """

    operator: str
    month: date | None  # the month its folder means, when that can be told
    extract: str | None  # the extract its name seems to mean, if any
    source_file: str  # relative to the landing folder
    problem: str

    def describe(self) -> str:
        return f"{self.source_file}: not read: {self.problem}"


def _guess_extract(name: str) -> str | None:
    close = difflib.get_close_matches(_head(name), EXTRACTS, n=1, cutoff=0.6)
    return close[0] if close else None


def misnamed_files(
    landing: Path,
    *,
    months: set[date] | None = None,
    operators: set[str] | None = None,
) -> list[Misnamed]:
    """Files under a known operator's folder that no delivery takes, each with its problem.

    Hidden files (`.DS_Store`, partial uploads named `.x`) are left alone; folders other
    than the operators' too (the landing folder is shared). A month folder that is not
    `YYYY-MM` counts for the month it seems to mean (`2024-3` → 2024-03), if any.
    """
    out: list[Misnamed] = []
    if not landing.exists():
        return out
    for op_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        operator = op_dir.name.upper()
        if operator not in OPERATORS or (operators and operator not in operators):
            continue
        for entry in sorted(op_dir.iterdir()):
            month = month_or_none(entry.name) if entry.is_dir() else None
            meant = month or (_loose_month(entry.name) if entry.is_dir() else None)
            if months and meant not in months:
                continue
            for path in _visible_files(entry):
                problem = (file_name_problem(path.name) if path.parent == entry and month
                           else _placement_problem(path, entry, month))
                if problem:
                    out.append(Misnamed(operator, meant, _guess_extract(path.name),
                                        path.relative_to(landing).as_posix(), problem))
    return out


def _visible_files(entry: Path) -> list[Path]:
    """`entry` itself if a file, else every file under it; hidden ones left out."""
    if entry.name.startswith("."):
        return []
    if entry.is_file():
        return [entry]
    return sorted(p for p in entry.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(entry).parts))


def _placement_problem(path: Path, entry: Path, month: date | None) -> str:
    """Why a file that is not directly in a YYYY-MM folder of the operator is not read."""
    if entry.is_file():
        return _NOT_IN_MONTH
    if month is None:
        return _month_folder_problem(entry.name)
    return "a delivery file must sit directly in the month folder, not in a sub-folder"


def parse_landing_path(path: Path) -> tuple[str | None, date | None, str | None]:
    """(operator, month, extract) read from a landing path; None where the path does not say."""
    m = _FILE.match(path.name)
    extract = m.group("extract").lower() if m else None
    month = month_or_none(path.parent.name)
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

    Files that do not follow the layout are skipped here; those in an operator's folder are
    reported by `misnamed_files` (other folders of the shared landing are not ours).
    """
    groups: dict[tuple[str, date, str], list[Path]] = {}
    if not landing.exists():
        return []
    for op_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        operator = op_dir.name.upper()
        if operator not in OPERATORS or (operators and operator not in operators):
            continue
        for month_dir in sorted(p for p in op_dir.iterdir() if p.is_dir()):
            month = month_or_none(month_dir.name)
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
