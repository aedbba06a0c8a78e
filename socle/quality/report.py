"""Run the suites with Great Expectations and build Data Docs that read offline.

Never on the hot path (GE validates pandas frames only, ~45× slower than pandera): the
pipeline publishes without it; this report reads the published snapshot afterwards.
GE's file context (its `gx/` folder: suites, results) lives in a temporary folder for the
length of one report; the pages are built beside `out_dir` and swapped in whole.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from socle.export.files import swap_in
from socle.months import month_start
from socle.quality.offline import make_offline
from socle.quality.page import write_index
from socle.quality.suites import SUITES, Scope, Suite
from socle.warehouse import connect

SITE = "socle"
EXAMPLES = 5  # failing rows quoted per expectation (the pages list up to 20)


class GreatExpectationsMissing(RuntimeError):
    """The optional `quality` extra is not installed."""


@dataclass(frozen=True)
class Failure:
    """One expectation that failed, with a few of the rows that broke it."""

    suite: str
    expectation: str  # its stable id
    description: str  # French, states the rule
    unexpected: int
    examples: list[str]


@dataclass(frozen=True)
class SuiteResult:
    name: str
    title: str
    success: bool
    evaluated: int
    failures: list[Failure]
    page: str  # the validation page, relative to the site


@dataclass(frozen=True)
class QualityReport:
    months: list[date]
    suites: list[SuiteResult]
    index: Path
    seconds: float
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def success(self) -> bool:
        return all(s.success for s in self.suites)

    @property
    def failures(self) -> list[Failure]:
        return [f for s in self.suites for f in s.failures]

    def render(self) -> str:
        lines = []
        for s in self.suites:
            mark = "ok  " if s.success else "FAIL"
            lines.append(f"{mark} {s.name}: {s.evaluated} expectation(s), "
                         f"{len(s.failures)} failed")
            for fail in s.failures:
                lines.append(f"       {fail.expectation} ({fail.unexpected} row(s)): "
                             f"{fail.description}")
                lines += [f"         - {e}" for e in fail.examples]
        failed = len(self.failures)
        lines.append(f"{'every expectation passed' if not failed else f'{failed} failed'}; "
                     f"report built in {self.seconds:.1f} s: {self.index}")
        return "\n".join(lines)


def import_gx() -> ModuleType:
    """great_expectations, or a clear error saying how to install it."""
    try:
        import great_expectations
    except ImportError:
        raise GreatExpectationsMissing(
            "Great Expectations is not installed: run `uv sync --extra quality` "
            "(the data-quality report is an optional extra)") from None
    return great_expectations


def build_quality_report(
    warehouse_path: Path, out_dir: Path, months: Iterable[date] | None = None
) -> QualityReport:
    """Validate the published snapshot at `warehouse_path` for `months` (default: every
    loaded month) and build the Data Docs into `out_dir` (its `index.html` lists the
    suites). Failing expectations are results, not errors."""
    started = time.monotonic()  # GE's import (~7 s) is part of what the report costs
    gx = import_gx()
    if not Path(warehouse_path).exists():
        raise FileNotFoundError(f"no published warehouse at {warehouse_path}: run `socle run`")
    con = connect(warehouse_path, read_only=True)
    try:
        scope = _scope(con, months)
        staging = out_dir.with_name(out_dir.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            results = _validate(gx, scope, staging)
            make_offline(staging)
            index = write_index(staging, results, scope.months)
            swap_in(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        con.close()
    return QualityReport(months=scope.months, suites=results,
                         index=out_dir / index.relative_to(staging),
                         seconds=time.monotonic() - started)


def _scope(con: Any, months: Iterable[date] | None) -> Scope:
    from socle.quality.frames import loaded_months

    loaded = loaded_months(con)
    if not loaded:
        raise ValueError("the published warehouse holds no loaded delivery: nothing to check")
    wanted = sorted({month_start(m) for m in months}) if months is not None else loaded
    return Scope(con=con, months=wanted, loaded=loaded)


def _validate(gx: ModuleType, scope: Scope, site: Path) -> list[SuiteResult]:
    """Run every suite in a throw-away GE file context whose Data Docs site is `site`."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations import row_conditions

    # GE logs a line per metric and per page: the report prints its own summary.
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    run_id = RunIdentifier(run_name="socle", run_time=datetime.now(UTC))
    results = []
    with tempfile.TemporaryDirectory(prefix="socle-gx-") as tmp:
        context = gx.get_context(mode="file", project_root_dir=tmp)
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.add_data_docs_site(site_name=SITE, site_config={
            "class_name": "SiteBuilder", "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(site)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        source = context.data_sources.add_or_update_pandas("socle")
        for suite in SUITES:
            data = suite.read(scope).to_pandas()
            batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe(
                "publie")
            expectations = context.suites.add_or_update(gx.ExpectationSuite(
                name=suite.name, expectations=suite.expectations(gx.expectations,
                                                                 row_conditions)))
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=expectations))
            checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
                name=suite.name, validation_definitions=[definition], actions=[],
                result_format={"result_format": "SUMMARY",
                               "unexpected_index_column_names": list(suite.keys)}))
            run = checkpoint.run(batch_parameters={"dataframe": data}, run_id=run_id)
            results.append(_suite_result(suite, run, site))
        context.build_data_docs(site_names=[SITE])
    return [_with_page(r, site) for r in results]


def _suite_result(suite: Suite, run: Any, site: Path) -> SuiteResult:
    (validation,) = run.run_results.values()
    failures = [
        Failure(suite=suite.name, expectation=r.expectation_config.meta["id"],
                description=r.expectation_config.description,
                unexpected=int(r.result.get("unexpected_count") or 0),
                examples=_examples(r.result, suite.keys))
        for r in validation.results if not r.success
    ]
    return SuiteResult(name=suite.name, title=suite.title, success=validation.success,
                       evaluated=len(validation.results), failures=failures, page="")


def _examples(result: dict, keys: tuple[str, ...]) -> list[str]:
    """A few failing rows named by the suite's key columns, with the values that failed."""
    rows = result.get("partial_unexpected_index_list") or []
    out = []
    for row in rows[:EXAMPLES]:
        named = " ".join(_text(row[k]) for k in keys if k in row)
        values = ", ".join(f"{k} = {_text(v)}" for k, v in row.items() if k not in keys)
        out.append(f"{named} : {values}" if values else named)
    if not out:  # an expectation over the whole column: GE gives the values only
        out = [_text(v) for v in (result.get("partial_unexpected_list") or [])[:EXAMPLES]]
    return out


def _text(value: Any) -> str:
    """A value as read: a date without its midnight, a whole float without `.0` (pandas
    turns dates into timestamps and integer columns with nulls into floats)."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _with_page(result: SuiteResult, site: Path) -> SuiteResult:
    pages = sorted((site / "validations" / result.name).rglob("*.html"))
    page = pages[-1].relative_to(site).as_posix() if pages else ""
    return SuiteResult(result.name, result.title, result.success, result.evaluated,
                       result.failures, page)
