"""Indicators and committee exports, one partition per month."""


from datetime import date, datetime

import dagster as dg

from assets.ingestion import staging
from assets.partitions import months
from assets.resources import SocleData
from socle.pipeline import compute, ensure_prepared, release
from socle.publish import CheckResult, PublicationRefused
from socle.publish.checks import CHECKS


def _periods(context: dg.AssetExecutionContext) -> list[date]:
    return [datetime.strptime(k, "%Y-%m").date() for k in context.partition_keys]


@dg.asset(
    group_name="indicators",
    partitions_def=months,
    deps=[
        dg.AssetDep(
            staging,
            partition_mapping=dg.MultiToSingleDimensionPartitionMapping(
                partition_dimension_name="month"
            ),
        )
    ],
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "sql"},
)
def indicator_values(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """Every catalog indicator at NAT, REG, DEP and BASSIN level, with its breakdowns, in
    the working database's `indicators.indicator_values`: the partition's months, and every
    month the deliveries loaded since the last computation can change. Month M reads every
    delivery loaded so far; a backfill of a year runs as one pass over its months."""
    con = socle.connect()
    try:
        ensure_prepared(con, socle.paths)
        computed = compute(con, _periods(context), context.log.info)
    finally:
        con.close()
    return dg.MaterializeResult(metadata={
        "months": len(computed),
        "computed": ", ".join(f"{p:%Y-%m}" for p in computed) or "none",
    })


@dg.asset(
    group_name="exports",
    partitions_def=months,
    deps=[indicator_values],
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "parquet", "csv"},
    check_specs=[dg.AssetCheckSpec(name, asset="exports", description=description)
                 for name, (description, _) in CHECKS.items()],
)
def exports(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """The publication: the analysts' warehouse snapshot (`warehouse/socle.duckdb`, its
    Parquet copy) and the committee exports under `exports/<YYYY-MM>/` (French CSV and
    Parquet per level and per territory, statistical secrecy applied, manifest), replaced
    together only when every check passes; a failed check fails the run and publishes
    nothing."""
    con = socle.connect()
    try:
        publication = release(con, socle.paths, _periods(context), context.log.info)
    except PublicationRefused as refused:
        for check in refused.checks:
            context.log_event(_evaluation(check))
        raise dg.Failure(description=str(refused)) from None
    finally:
        con.close()
    return dg.MaterializeResult(
        metadata={"published": publication.published,
                  "months": ", ".join(f"{p:%Y-%m}" for p in publication.periods) or "none"},
        check_results=[_result(c) for c in publication.checks]
        or [dg.AssetCheckResult(check_name=name, passed=True,
                                metadata={"note": "nothing new to publish"})
            for name in CHECKS],
    )


def _failures(check: CheckResult) -> dict:
    return {"failures": dg.MetadataValue.md(
        "\n".join(f"- {f}" for f in check.failures[:50]) or "none")}


def _result(check: CheckResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(check_name=check.name, passed=check.passed,
                               metadata=_failures(check))


def _evaluation(check: CheckResult) -> dg.AssetCheckEvaluation:
    """A check result the run logs before failing (a failed step returns no result)."""
    return dg.AssetCheckEvaluation(asset_key=dg.AssetKey("exports"), check_name=check.name,
                                   passed=check.passed, metadata=_failures(check))
