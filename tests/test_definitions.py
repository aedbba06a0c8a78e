"""The Dagster definitions load, and their catalog cannot drift silently."""

import dagster as dg

from pipelines.definitions import defs
from schemas.codes import EXTRACTS, OPERATORS
from socle.publish.checks import CHECKS


def test_definitions_load_with_the_expected_catalog():
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert keys == {"reference", *(f"staging/{e}" for e in EXTRACTS),
                    "indicators/capture", "indicators/delivery", "indicators/performance",
                    "exports", "site", "quality_report"}
    assert {"ingest_job", "monthly_job", "quality_job"} <= set(repo.job_names)
    assert {s.name for s in repo.sensor_defs} == {"landing_sensor", "recompute_sensor"}
    assert {s.name for s in repo.schedule_defs} == {"monthly_job_schedule"}
    checks = {(c.asset_key.to_user_string(), c.name) for c in repo.asset_graph.asset_check_keys}
    assert checks == (
        {(f"staging/{e}", n) for e in EXTRACTS for n in ("rows_accounted", "reject_rate")}
        | {("exports", n) for n in CHECKS} | {("exports", f"coverage_{op}") for op in OPERATORS}
        | {("quality_report", "expectations")})


def test_each_indicator_family_depends_on_the_extracts_its_sql_reads():
    """Which indicators does a late pathways delivery hold back? The graph answers."""
    graph = defs.get_repository_def().asset_graph
    upstream = {
        family: {k.path[1] for k in graph.get(dg.AssetKey(["indicators", family])).parent_keys}
        for family in ("capture", "delivery", "performance")
    }
    assert upstream == {
        "capture": {"registrations"},
        "delivery": {"registrations", "diagnostics", "pathways"},
        "performance": {"registrations", "hires", "actions", "satisfaction", "job_offers"},
    }
    publication = graph.get(dg.AssetKey("exports")).parent_keys
    assert {k.to_user_string() for k in publication} == {
        "indicators/capture", "indicators/delivery", "indicators/performance"}


def test_indicators_are_monthly_and_ingestion_is_month_by_operator():
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    staging = graph.get(dg.AssetKey(["staging", "registrations"]))
    dims = {d.name for d in staging.partitions_def.partitions_defs}
    assert dims == {"month", "operator"}
    indicators = graph.get(dg.AssetKey(["indicators", "capture"]))
    assert indicators.partitions_def.get_partition_keys()[:2] == ["2023-01", "2023-02"]


def test_the_monthly_schedule_runs_the_month_before():
    """Evaluated on 2024-05-10 it asks for 2024-04; on 2025-01-10, for 2024-12."""
    import datetime as dt

    import dagster as dg

    from assets.automation import monthly_schedule

    for when, expected in ((dt.datetime(2024, 5, 10, 6), "2024-04"),
                           (dt.datetime(2025, 1, 10, 6), "2024-12")):
        context = dg.build_schedule_context(scheduled_execution_time=when,
                                            repository_def=defs.get_repository_def())
        [request] = monthly_schedule.evaluate_tick(context).run_requests
        assert request.partition_key == expected
