"""socle's settings, read from the environment here and nowhere else.

Each setting is one `SOCLE_*` variable (deploy/env.example lists them with their meaning).
`Settings.from_env()` reads and checks them all at once: a bad value stops the command
with a message naming the variable and the value, before anything is read or written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from socle.months import parse_month

DATA_DIR = "SOCLE_DATA_DIR"
PSEUDONYMISATION_KEY = "SOCLE_PSEUDONYMISATION_KEY"
SECRET_THRESHOLD = "SOCLE_SECRET_THRESHOLD"
DUCKDB_MEMORY = "SOCLE_DUCKDB_MEMORY"
FIRST_MONTH = "SOCLE_FIRST_MONTH"
PUBLISH_ROW_LEVEL = "SOCLE_PUBLISH_ROW_LEVEL"
DELIVERY_DEADLINE_DAY = "SOCLE_DELIVERY_DEADLINE_DAY"
EXPORT_WORKERS = "SOCLE_EXPORT_WORKERS"

DEFAULT_SECRET_THRESHOLD = 5
DEFAULT_DEADLINE_DAY = 8
# DuckDB's own size syntax; checked here because the value is written into a SET statement.
_MEMORY = re.compile(r"\d+(\.\d+)?\s*(B|[KMGT]i?B)", re.IGNORECASE)
T = TypeVar("T")
_TRUE, _FALSE = ("1", "true", "yes", "oui"), ("0", "false", "no", "non", "")


class SettingError(ValueError):
    """A `SOCLE_*` variable holds a value socle cannot use."""

    def __init__(self, variable: str, value: str, expected: str) -> None:
        super().__init__(f"{variable}={value!r}: expected {expected}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    """Every setting of an installation, typed and checked."""

    data_dir: Path = Path("data")
    # The HMAC key turning a delivered nir into person_id; None: deliveries holding a nir
    # are rejected (retried once it is set). Kept out of repr so no log prints it.
    pseudonymisation_key: bytes | None = field(default=None, repr=False)
    secret_threshold: int = DEFAULT_SECRET_THRESHOLD
    duckdb_memory: str = "3GB"
    first_month: date = date(2023, 1, 1)
    publish_row_level: bool = False
    delivery_deadline_day: int = DEFAULT_DEADLINE_DAY
    # Processes writing export folders (and the site's months) at once; default one per core.
    export_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    # The variables that were set (the others hold their default), for Dagster's EnvVar.
    from_environment: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ

        def text(variable: str) -> str | None:
            value = env.get(variable, "").strip()
            return value or None

        def parsed(variable: str, parse: Callable[[str, str], T], default: T) -> T:
            value = text(variable)
            return default if value is None else parse(variable, value)

        key = env.get(PSEUDONYMISATION_KEY) or None  # taken as is: spaces may be part of it
        return cls(
            data_dir=Path(text(DATA_DIR) or "data").resolve(),
            pseudonymisation_key=key.encode("utf-8") if key else None,
            secret_threshold=parsed(SECRET_THRESHOLD, _whole(1, None, "a whole number, 1 or more"),
                                    DEFAULT_SECRET_THRESHOLD),
            duckdb_memory=parsed(DUCKDB_MEMORY, _memory, "3GB"),
            first_month=parsed(FIRST_MONTH, _month, date(2023, 1, 1)),
            publish_row_level=parsed(PUBLISH_ROW_LEVEL, _flag, False),
            delivery_deadline_day=parsed(
                DELIVERY_DEADLINE_DAY, _whole(1, 28, "a day of the month from 1 to 28"),
                DEFAULT_DEADLINE_DAY),
            export_workers=parsed(EXPORT_WORKERS, _whole(1, None, "a whole number, 1 or more"),
                                  os.cpu_count() or 1),
            from_environment=frozenset(v for v in VARIABLES if text(v) is not None),
        )


VARIABLES = (DATA_DIR, PSEUDONYMISATION_KEY, SECRET_THRESHOLD, DUCKDB_MEMORY, FIRST_MONTH,
             PUBLISH_ROW_LEVEL, DELIVERY_DEADLINE_DAY, EXPORT_WORKERS)


def _whole(low: int, high: int | None, expected: str) -> Callable[[str, str], int]:
    def parse(variable: str, value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise SettingError(variable, value, expected) from None
        if number < low or (high is not None and number > high):
            raise SettingError(variable, value, expected)
        return number
    return parse


def _memory(variable: str, value: str) -> str:
    if not _MEMORY.fullmatch(value):
        raise SettingError(variable, value, "a memory size such as 3GB, 512MB or 2GiB")
    return value


def _month(variable: str, value: str) -> date:
    try:
        return parse_month(value)
    except ValueError:
        raise SettingError(variable, value, "a month as YYYY-MM") from None


def _flag(variable: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise SettingError(variable, value, "1 or 0 (true or false)")
