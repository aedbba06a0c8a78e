"""Indicators and committee exports, one partition per month."""


from datetime import date

import dagster as dg

from assets.partitions import months
from assets.resources import SocleData
from schemas.codes import OPERATORS
from socle.coverage import coverage_check_results
from socle.indicators import load_catalog
from socle.indicators.catalog import FAMILIES
from socle.indicators.lineage import family_extracts
from socle.months import parse_month
from socle.pipeline import compute, ensure_prepared, release
from socle.publish import CheckResult, PublicationRefused
from socle.publish.checks import CHECKS

CATALOG = load_catalog()
FAMILY_CODES = {f: [i.code for i in CATALOG if i.family == f] for f in FAMILIES}
FAMILY_EXTRACTS = family_extracts(CATALOG)


def _periods(context: dg.AssetExecutionContext) -> list[date]:
    return [parse_month(k) for k in context.partition_keys]


BY_MONTH = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="month")
FAMILY_KEYS = {family: dg.AssetKey(["indicators", family]) for family in FAMILIES}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FAMILY_KEYS[family], group_name="indicators", kinds={"duckdb", "sql"},
            description=f"The {family} indicators of the catalog ({', '.join(codes)}) at NAT, "
            "REG, DEP and BASSIN level with their breakdowns, in the working database",
            deps=[dg.AssetDep(dg.AssetKey(["staging", extract]), partition_mapping=BY_MONTH)
                  for extract in sorted(FAMILY_EXTRACTS[family])],
        )
        for family, codes in FAMILY_CODES.items()
    ],
    partitions_def=months,
    can_subset=False,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def indicators(context: dg.AssetExecutionContext, socle: SocleData):
    """Every catalog indicator, computed in one pass (families share their populations):
    the partition's months, and every month the deliveries loaded since the last
    computation can change. Month M reads every delivery loaded so far; a backfill of a
    year runs as one pass over its months."""
    con = socle.connect()
    try:
        ensure_prepared(con, socle.paths)
        computed = compute(con, _periods(context), context.log.info)
    finally:
        con.close()
    for family in FAMILY_CODES:
        yield dg.MaterializeResult(asset_key=FAMILY_KEYS[family], metadata={
            "months": len(computed),
            "computed": ", ".join(f"{p:%Y-%m}" for p in computed) or "none",
        })


@dg.asset(
    group_name="exports",
    partitions_def=months,
    deps=list(FAMILY_KEYS.values()),
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"duckdb", "parquet", "csv"},
    check_specs=[dg.AssetCheckSpec(name, asset="exports", description=description)
                 for name, (description, _) in CHECKS.items()]
    + [dg.AssetCheckSpec(f"coverage_{op}", asset="exports",
                         description=f"every extract expected from {name} delivered on time "
                         "for the latest month published (warns)")
       for op, name in OPERATORS.items()],
)
def exports(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """The publication: the analysts' warehouse snapshot (`warehouse/socle.duckdb`, its
    Parquet copy) and the committee exports under `exports/<YYYY-MM>/` (French CSV and
    Parquet per level and per territory, statistical secrecy applied, manifest), replaced
    together only when every check passes; a failed check fails the run and publishes
    nothing."""
    periods = _periods(context)
    con = socle.connect()
    try:
        publication = release(con, socle.paths, periods, context.log.info, with_site=False)
        latest = max([*periods, *publication.periods])
        coverage = coverage_check_results(con, latest)
    except PublicationRefused as refused:
        for check in refused.checks:
            context.log_event(_evaluation(check))
        raise dg.Failure(description=str(refused)) from None
    finally:
        con.close()
    return dg.MaterializeResult(
        metadata={"published": publication.published,
                  "months": ", ".join(f"{p:%Y-%m}" for p in publication.periods) or "none",
                  "months_written": ", ".join(f"{p:%Y-%m}" for p in publication.exported)
                  or "none"},
        check_results=([_result(c) for c in publication.checks]
                       or [dg.AssetCheckResult(check_name=name, passed=True,
                                               metadata={"note": "nothing new to publish"})
                           for name in CHECKS])
        + [dg.AssetCheckResult(check_name=f"coverage_{op}", passed=passed,
                               severity=dg.AssetCheckSeverity.WARN, description=sentence,
                               metadata={"month": f"{latest:%Y-%m}"})
           for op, passed, sentence in coverage],
    )


@dg.asset(group_name="exports", deps=[exports], kinds={"html"}, partitions_def=months,
          backfill_policy=dg.BackfillPolicy.single_run())
def site(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """The committees' offline site `exports/site/`: a page per territory and month beside
    its parents, with trends, from the published warehouse and every exported month (the
    whole site, whatever the partitions: its pages link months together)."""
    from socle.export.site import rebuild_site

    summary = rebuild_site(socle.paths)
    return dg.MaterializeResult(metadata={
        "index": dg.MetadataValue.path(str(socle.paths.exports / "site" / "index.html")),
        "months": ", ".join(summary["months"]),
        "territory_pages": summary["territory_pages"],
        "megabytes": round(summary["bytes"] / 1e6, 1),
    })


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
