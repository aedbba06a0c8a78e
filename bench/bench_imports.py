"""Benchmark what a freshly started process pays to import what it runs.

    python bench/bench_imports.py                       # this environment, 5 runs each
    python bench/bench_imports.py --python A/.venv/bin/python B/.venv/bin/python

Every `socle run` starts processes: the CLI, each export worker, each site worker; a Dagster
materialization one per step. Each imports its libraries first, from their bytecode when
the environment has it, else compiling them from source (where Python cannot write its
bytecode cache: `PYTHONDONTWRITEBYTECODE`, or an environment owned by another user). Each
kind of process is started `--repeat` times per interpreter, interleaved, and timed from
start to exit; the median is printed. Compare an environment installed with
`uv sync --compile-bytecode` against one without (two checkouts, each `uv sync`ed).
Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PROCESSES = {
    "empty interpreter": "pass",
    "CLI": "import socle.cli",
    "export or site worker": "import socle.export.files, socle.export.site, socle.publish.release",
    "Dagster step (definitions)": "import pipelines.definitions",
}


def _seconds(python: str, code: str) -> float:
    started = time.perf_counter()
    subprocess.run([python, "-c", code], check=True, stderr=subprocess.DEVNULL)  # warnings
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", nargs="+", default=[sys.executable])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for name, code in PROCESSES.items():
            for python in args.python:
                runs.setdefault((name, python), []).append(_seconds(python, code))
    for (name, python), seconds in runs.items():
        print(f"{name:28} {statistics.median(seconds):6.2f} s median "
              f"({', '.join(f'{s:.2f}' for s in seconds)})  {python}")


if __name__ == "__main__":
    main()
