"""Work spread over processes: the exports' months and the site's months at national scale
cost seconds of CPU each, which one Python process would run on one core."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any


def in_processes(
    function: Callable[[Any], Any], jobs: Sequence[Any], workers: int,
    initializer: Callable[..., object] | None = None, initargs: tuple = (),
) -> Iterator[Any]:
    """`function` of each job, in order, in up to `workers` processes (`initializer` run
    once in each); in this process when one worker or one job is enough. A failure
    cancels the jobs not started."""
    if workers <= 1 or len(jobs) <= 1:
        if initializer is not None:
            initializer(*initargs)
        yield from map(function, jobs)
        return
    # Spawned, not forked: a fork would copy DuckDB's threads mid-flight.
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                               mp_context=get_context("spawn"),
                               initializer=initializer, initargs=initargs)
    try:
        yield from pool.map(function, jobs)
    finally:
        pool.shutdown(cancel_futures=True)
