"""Ingestion of operator deliveries, one partition per month × operator: one asset per
staging table, materialized together by one run per partition."""

import re
from collections import Counter

import dagster as dg

from assets.partitions import slices
from assets.reference import reference
from assets.resources import SocleData
from schemas.codes import EXTRACTS
from socle.months import parse_month
from socle.pipeline import ensure_prepared, ingest

# Above this share of quarantined rows a delivery deserves a look before publication.
MAX_REJECT_RATE = 0.05


def _key(extract: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", extract])


@dg.multi_asset(
    specs=[dg.AssetSpec(_key(extract), deps=[reference], group_name="ingestion",
                        kinds={"duckdb", "pandera"},
                        description=f"Validated rows of `staging.{extract}` (bad rows in "
                        f"`quarantine.{extract}` with their reasons)")
           for extract in EXTRACTS],
    partitions_def=slices,
    can_subset=False,
    check_specs=[spec for extract in EXTRACTS for spec in (
        dg.AssetCheckSpec("rows_accounted", asset=_key(extract),
                          description="rows read = loaded + quarantined + duplicates, and "
                          "the loaded tables agree with the audit"),
        dg.AssetCheckSpec("reject_rate", asset=_key(extract),
                          description=f"quarantined share under {MAX_REJECT_RATE:.0%}, "
                          "no rejected delivery"),
    )],
)
def staging(context: dg.AssetExecutionContext, socle: SocleData):
    """One operator's deliveries of one month, each extract to its `staging.<extract>`
    table in the working database; every file in `audit.deliveries`."""
    from socle.ingest import accounting_errors

    key = context.partition_key.keys_by_dimension
    month = parse_month(key["month"])
    con = socle.connect()
    try:
        ensure_prepared(con, socle.paths)
        results = ingest(con, socle.paths, months={month}, operators={key["operator"]},
                         progress=context.log.info)
        errors = accounting_errors(con)
    finally:
        con.close()
    for extract in EXTRACTS:
        mine = [r for r in results if r.extract == extract]
        yield _materialization(extract, mine,
                               [e for e in errors if re.search(rf"\b{extract}\b", e)])


def _materialization(extract: str, results: list, errors: list[str]) -> dg.MaterializeResult:
    read = sum(r.rows_read for r in results)
    quarantined = sum(r.rows_quarantined for r in results)
    reasons: Counter[str] = Counter()
    for r in results:
        reasons.update(r.reason_counts)
    rejected = [r.describe() for r in results if r.status == "rejected"]
    rate = quarantined / read if read else 0.0
    return dg.MaterializeResult(
        asset_key=_key(extract),
        metadata={
            "status": ", ".join(r.status for r in results) or "not delivered",
            "rows_read": read,
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_quarantined": quarantined,
            "rows_duplicate": sum(r.rows_duplicate for r in results),
            "rejected": dg.MetadataValue.md("\n".join(f"- {m}" for m in rejected) or "none"),
            "top_reasons": dg.MetadataValue.md(
                "\n".join(f"- `{k}`: {n}" for k, n in reasons.most_common(10)) or "none"
            ),
        },
        check_results=[
            dg.AssetCheckResult(
                asset_key=_key(extract), check_name="rows_accounted", passed=not errors,
                metadata={"errors": dg.MetadataValue.md("\n".join(errors) or "none")},
            ),
            dg.AssetCheckResult(
                asset_key=_key(extract), check_name="reject_rate",
                passed=rate <= MAX_REJECT_RATE and not rejected,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"quarantined_share": rate, "rejected_deliveries": len(rejected)},
            ),
        ],
    )
