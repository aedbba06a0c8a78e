"""The README's "Adding an indicator" example works as printed: one SQL file and one
catalog entry, computed at every level with no Python change."""

import re
import tomllib
from pathlib import Path

from helpers import cells, headline, insert, reg, results

from socle.config import PROJECT_ROOT
from socle.indicators import compute_indicators, load_catalog
from socle.indicators.catalog import parse_indicator

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _block(after: str, lang: str) -> str:
    """The first ```lang block following the line naming `after`."""
    start = README.index(after)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(README, start)
    assert match, f"no {lang} block after {after}"
    return match.group(1)


def test_the_readme_indicator_is_computed(warehouse, tmp_path: Path):
    sql = tmp_path / "cap_registered_rsa.sql"
    sql.write_text(_block("`sql/indicators/cap_registered_rsa.sql`", "sql"), encoding="utf-8")
    entry = tomllib.loads(_block("`sql/indicators/catalog.toml`", "toml"))["indicator"][0]
    entry["sql_file"] = str(sql)  # an absolute path wins over the sql/indicators folder
    catalog = [*load_catalog(), parse_indicator(entry)]

    # Three persons at the end of January 2024: two on RSA (one in Paris, one in Bastia),
    # one without. Expected: 2 in France, 1 in each of their départements.
    insert(warehouse, "registrations", "CD", "2024-01", [
        reg("r1", 1, "2023-05-02", "75056", allowance_rsa=True),
        reg("r2", 2, "2023-09-14", "2B033", allowance_rsa=True, sex="M"),
        reg("r3", 3, "2023-10-01", "75056"),
    ])
    compute_indicators(warehouse, codes=["CAP_REGISTERED_RSA"], progress=None, catalog=catalog)
    res = results(warehouse, "CAP_REGISTERED_RSA")
    assert headline(res, "2024-01") == 2
    assert cells(res, "2024-01", "DEP") == {"75": 1, "2B": 1}
    assert cells(res, "2024-01", "NAT", "sex") == {"F": 1, "M": 1}

