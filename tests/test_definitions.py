"""The Dagster definitions load, and their catalog cannot drift silently."""

from pipelines.definitions import defs


def test_definitions_load_with_the_expected_catalog():
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert keys == {"reference", "staging", "indicator_values", "exports"}
    assert {"ingest_job", "monthly_job"} <= set(repo.job_names)
    assert {s.name for s in repo.sensor_defs} == {"landing_sensor", "recompute_sensor"}
    assert {s.name for s in repo.schedule_defs} == {"monthly_job_schedule"}
    checks = {c.name for c in repo.asset_graph.asset_check_keys}
    assert checks == {"rows_accounted", "reject_rate"}


def test_indicators_are_monthly_and_ingestion_is_month_by_operator():
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    staging = graph.get(next(k for k in graph.get_all_asset_keys() if k.path == ["staging"]))
    dims = {d.name for d in staging.partitions_def.partitions_defs}
    assert dims == {"month", "operator"}
    indicators = graph.get(
        next(k for k in graph.get_all_asset_keys() if k.path == ["indicator_values"])
    )
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
