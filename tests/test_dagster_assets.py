"""The Dagster graph on a tiny generated network: sensor, partitioned runs, asset checks."""

import dagster as dg
import duckdb
import pytest

from assets.automation import landing_sensor, recompute_sensor
from assets.indicators import exports, indicators, site
from assets.ingestion import staging
from assets.partitions import slice_key
from assets.reference import reference
from assets.resources import SocleData
from schemas.codes import OPERATORS
from socle.generate import generate_landing
from socle.publish.checks import CHECKS

# Slow tier: the module's fixture generates a network and materializes the asset graph.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def socle_data(tmp_path_factory: pytest.TempPathFactory) -> SocleData:
    root = tmp_path_factory.mktemp("dagster")
    generate_landing(root / "landing", 300, ("2024-01", "2024-02"), seed=5, progress=None)
    return SocleData(data_dir=str(root))


def test_sensor_requests_each_changed_slice_once(socle_data: SocleData):
    context = dg.build_sensor_context(resources={"socle": socle_data})
    first = landing_sensor(context)
    keys = sorted(str(r.partition_key) for r in first.run_requests)
    assert keys == sorted(f"{m}|{o}" for m in ("2024-01", "2024-02")
                          for o in ("APEC", "CD", "CE", "FT", "ML"))
    again = landing_sensor(dg.build_sensor_context(resources={"socle": socle_data},
                                                   cursor=first.cursor))
    assert again.run_requests == []
    # A re-delivery with new content launches that slice only.
    path = next((socle_data.paths.landing / "ML" / "2024-02").glob("hires*"))
    path.write_bytes(path.read_bytes() + b"\n")
    third = landing_sensor(dg.build_sensor_context(resources={"socle": socle_data},
                                                   cursor=first.cursor))
    assert [str(r.partition_key) for r in third.run_requests] == ["2024-02|ML"]


def test_partitioned_runs_fill_the_warehouse_and_pass_their_checks(socle_data: SocleData):
    resources = {"socle": socle_data}
    # As when the landing sensor launches the first runs: nobody materialized `reference`.
    for month in ("2024-01", "2024-02"):
        for operator in ("APEC", "CD", "CE", "FT", "ML"):
            result = dg.materialize(
                [staging], partition_key=slice_key(month, operator), resources=resources,
                selection=[staging],
            )
            assert result.success
            checks = result.get_asset_check_evaluations()
            assert {c.check_name for c in checks} == {"rows_accounted", "reject_rate"}
            assert len(checks) == 14  # two per extract
            assert all(c.passed for c in checks if c.check_name == "rows_accounted")
    # The deliveries just loaded change both months: one run recomputes the range.
    sensed = recompute_sensor(dg.build_sensor_context(resources=resources))
    assert not isinstance(sensed, dg.SkipReason), sensed.skip_message
    [request] = sensed.run_requests
    assert (request.tags["dagster/asset_partition_range_start"],
            request.tags["dagster/asset_partition_range_end"]) == ("2024-01", "2024-02")
    result = dg.materialize([indicators, exports, site], tags=request.tags,
                            resources=resources)
    assert result.success
    publication = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert all(publication[name] for name in CHECKS)
    assert {f"coverage_{op}" for op in OPERATORS} <= set(publication)
    assert (socle_data.paths.exports / "site" / "index.html").exists()
    idle = recompute_sensor(dg.build_sensor_context(resources=resources, cursor=sensed.cursor))
    assert isinstance(idle, dg.SkipReason) and idle.skip_message == "no new delivery"
    con = duckdb.connect(str(socle_data.paths.warehouse), read_only=True)
    levels = con.execute(
        """SELECT list(DISTINCT level ORDER BY level) FROM indicators.indicator_values
           WHERE period = DATE '2024-02-01' AND indicator_code = 'CAP_REGISTERED'"""
    ).fetchone()[0]
    con.close()
    assert levels == ["BASSIN", "DEP", "NAT", "REG"]
    for month in ("2024-01", "2024-02"):
        assert (socle_data.paths.exports / month / "manifest.json").exists()
    assert dg.materialize([reference], resources=resources).success
