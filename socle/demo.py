"""`socle demo`: a synthetic year on the real geography, end to end, with no server."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from socle.config import Paths
from socle.pipeline import RunSummary, run_pipeline
from socle.progress import Console
from socle.warehouse import connect


@dataclass
class DemoSummary:
    run: RunSummary
    landing: Path
    headline: list[tuple[str, int]]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.run.ok and bool(self.headline)

    def render(self) -> str:
        lines = [f"synthetic deliveries: {self.landing}", self.run.render(), "",
                 "CAP_REGISTERED, France (persons registered at month end):"]
        lines += [f"  {period}  {value:>10,}".replace(",", " ") for period, value in self.headline]
        query = "FROM indicators.indicator_values LIMIT 10"
        lines += ["", f"done in {self.seconds:.0f} s. Query the published warehouse "
                  "(read-only, never locked by a run), e.g.:",
                  f"  uv run python -c \"import duckdb; duckdb.connect('{self.run.warehouse}',"
                  f" read_only=True).sql('{query}').show()\"",
                  "or open the Dagster UI with `make dev`."]
        return "\n".join(lines)


def run_demo(paths: Paths, persons: int, months: tuple[str, str], seed: int) -> DemoSummary:
    from socle.generate import generate_landing

    start = time.monotonic()
    print(f"generating {persons} synthetic persons, {months[0]} to {months[1]} …")
    generate_landing(paths.landing, persons, months, seed=seed, faults=False)
    console = Console()
    run = run_pipeline(paths, progress=console)
    console.close()
    con = connect(paths.warehouse, read_only=True)
    try:
        headline = con.execute(
            """SELECT strftime(period, '%Y-%m'), CAST(value AS BIGINT)
               FROM indicators.indicator_values
               WHERE indicator_code = 'CAP_REGISTERED' AND level = 'NAT'
                 AND breakdown = 'total' ORDER BY period"""
        ).fetchall()
    finally:
        con.close()
    return DemoSummary(run, paths.landing, headline, time.monotonic() - start)
