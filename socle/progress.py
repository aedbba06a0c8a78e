"""Progress of long work: one live line on a terminal, plain timestamped lines in logs.

Steps report plain messages (a `Callable[[str], object]`: `print`, a Dagster logger, or a
`Console`). A message beginning with `[done/total]` is a unit of counted work: a terminal
shows it as a bar redrawn in place; logs and CI, which are no terminal, get it as a line.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Progress = Callable[[str], object]
COUNTED = re.compile(r"^\[(\d+)/(\d+)\] ")
BAR_WIDTH = 20


class Console:
    """A progress printer for the command line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.started = time.monotonic()
        self._open_line = False

    def __call__(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        counted = COUNTED.match(message)
        if self.live and counted and "rejected" not in message:
            done, total = int(counted[1]), int(counted[2])
            filled = BAR_WIDTH * done // max(total, 1)
            line = (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} "
                    f"{elapsed:5.0f} s  {message[counted.end():]}")
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r\x1b[K" + line[:width])
            self._open_line = True
        else:
            if self._open_line:
                self.stream.write("\r\x1b[K")
                self._open_line = False
            self.stream.write(f"{elapsed:7.1f} s  {message}\n")
        self.stream.flush()

    def close(self) -> None:
        """End a live line left open (the last counted item)."""
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False


class Timings:
    """How long each step of a run took, for the run's summary."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str, progress: Progress) -> Iterator[None]:
        progress(f"{name}: started")
        t0 = time.monotonic()
        try:
            yield
        finally:
            seconds = time.monotonic() - t0
            self.steps.append((name, seconds))
            progress(f"{name}: {seconds:.1f} s")

    def render(self) -> str:
        total = sum(s for _, s in self.steps)
        parts = [f"{name} {s:.1f} s ({s / total:.0%})" if total else f"{name} {s:.1f} s"
                 for name, s in self.steps]
        return f"time: {' · '.join(parts)}; total {total:.1f} s"


def rate(rows: int, seconds: float) -> str:
    """Rows per second, as people read it."""
    if seconds <= 0 or rows == 0:
        return ""
    return f"{rows / seconds:,.0f} rows/s".replace(",", " ")
