"""The data-quality report (Great Expectations, an optional extra), off the hot path: its own
job, and its failed expectations a warning, never a failed pipeline."""

import dagster as dg

from assets.indicators import exports
from assets.resources import SocleData


@dg.asset(
    group_name="quality",
    deps=[exports],
    kinds={"great_expectations", "html"},
    check_specs=[dg.AssetCheckSpec("expectations", asset="quality_report",
                                   description="every expectation of the quality suites "
                                   "holds on the published warehouse (warns)")],
)
def quality_report(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """Expectation suites over the published warehouse (indicator values, audit, each
    operator's deliveries) and their Data Docs, readable offline, in `quality/`."""
    from socle.quality.report import build_quality_report

    report = build_quality_report(socle.paths.warehouse, socle.paths.data_dir / "quality")
    failed = "\n".join(f"- {f.suite}: {f.expectation} ({f.unexpected} row(s)) {f.description}"
                       for f in report.failures)
    return dg.MaterializeResult(
        metadata={"index": dg.MetadataValue.path(str(report.index)),
                  "months": ", ".join(f"{m:%Y-%m}" for m in report.months),
                  "seconds": round(report.seconds, 1)},
        check_results=[dg.AssetCheckResult(
            check_name="expectations", passed=report.success,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"failed": dg.MetadataValue.md(failed or "none")})],
    )


quality_job = dg.define_asset_job("quality_job", selection=[quality_report])
