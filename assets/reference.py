"""Reference geography, code lists and the indicator catalog."""


import dagster as dg

from assets.resources import SocleData
from socle.pipeline import prepare


@dg.asset(group_name="reference", kinds={"duckdb"})
def reference(context: dg.AssetExecutionContext, socle: SocleData) -> dg.MaterializeResult:
    """Territories (communes, départements, régions, committee zoning by year), commune
    history, ROME codes and the indicator catalog, loaded into the `ref` schema."""
    con = socle.connect()
    try:
        counts = prepare(con, socle.paths)
    finally:
        con.close()
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in counts.items()})
