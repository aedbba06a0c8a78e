"""Ingestion of operator deliveries, one partition per month × operator."""


from collections import Counter
from datetime import datetime

import dagster as dg

from assets.partitions import slices
from assets.reference import reference
from assets.resources import SocleData
from socle.pipeline import ensure_prepared, ingest

# Above this share of quarantined rows a delivery deserves a look before publication.
MAX_REJECT_RATE = 0.05


@dg.asset(
    group_name="ingestion",
    partitions_def=slices,
    deps=[reference],
    kinds={"duckdb", "pandera"},
    check_specs=[
        dg.AssetCheckSpec("rows_accounted", asset="staging",
                          description="rows read = loaded + quarantined + duplicates"),
        dg.AssetCheckSpec("reject_rate", asset="staging",
                          description=f"quarantined share under {MAX_REJECT_RATE:.0%}, "
                          "no rejected delivery"),
    ],
)
def staging(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """Validated rows of one operator's deliveries for one month in `staging.<extract>`;
    bad rows in `quarantine.<extract>` with their reasons; every file in `audit.deliveries`."""
    from socle.ingest import accounting_errors

    key = context.partition_key.keys_by_dimension
    month = datetime.strptime(key["month"], "%Y-%m").date()
    con = socle.connect()
    try:
        ensure_prepared(con, socle.paths)
        results = ingest(con, socle.paths, months={month}, operators={key["operator"]},
                         progress=context.log.info)
        errors = accounting_errors(con)
    finally:
        con.close()
    read = sum(r.rows_read for r in results)
    quarantined = sum(r.rows_quarantined for r in results)
    reasons = Counter()
    for r in results:
        reasons.update(r.reason_counts)
    rejected = [r.describe() for r in results if r.status == "rejected"]
    rate = quarantined / read if read else 0.0
    return dg.MaterializeResult(
        metadata={
            "deliveries": len(results),
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
                check_name="rows_accounted", passed=not errors,
                metadata={"errors": dg.MetadataValue.md("\n".join(errors) or "none")},
            ),
            dg.AssetCheckResult(
                check_name="reject_rate", passed=rate <= MAX_REJECT_RATE and not rejected,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"quarantined_share": rate, "rejected_deliveries": len(rejected)},
            ),
        ],
    )
