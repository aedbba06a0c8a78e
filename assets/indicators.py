"""Indicators and committee exports, one partition per month."""


from datetime import date, datetime

import dagster as dg

from assets.ingestion import staging
from assets.partitions import months
from assets.resources import SocleData
from socle.pipeline import compute, ensure_prepared, export


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
    `indicators.indicator_values`. Month M reads every delivery loaded so far; a backfill of
    a year runs as one pass over its months."""
    periods = _periods(context)
    con = socle.connect()
    try:
        ensure_prepared(con, socle.paths)
        rows = compute(con, periods, context.log.info)
    finally:
        con.close()
    return dg.MaterializeResult(metadata={"rows": rows, "months": len(periods)})


@dg.asset(
    group_name="exports",
    partitions_def=months,
    deps=[indicator_values],
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"parquet", "csv"},
)
def exports(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """Committee exports under `exports/<YYYY-MM>/`: French CSV and Parquet per level and per
    territory, statistical secrecy applied, with a manifest of files and source deliveries."""
    con = socle.connect()
    try:
        folders = export(con, socle.paths, _periods(context), context.log.info)
    finally:
        con.close()
    return dg.MaterializeResult(
        metadata={"folders": dg.MetadataValue.md("\n".join(f"- `{f}`" for f in folders))}
    )
