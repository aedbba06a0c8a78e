"""Facts carrying `profile` (the stock's or a placed person's operators and attributes,
decoded by the roll-up): hand-computed fixtures for indicator files that also yield some
of those columns themselves, reading the named attributes from eng_profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cells, d, headline, insert, reg, results

from socle.indicators import Indicator, compute_indicators, load_catalog
from socle.indicators.catalog import parse_indicator

JAN = d("2024-01-01")

# Persons active at the end of the month, under a category of the file's own (the FT
# category prefixed, 'not_FT' without one) instead of the one `profile` stands for; `num`:
# days since the latest registration (for the median variant).
OWN_CATEGORY_SQL = """
SELECT s.period, s.commune_code, (s.ref_date - s.last_registration_date)::DOUBLE AS num,
       s.profile,
       CASE WHEN x.category = 'none' THEN 'not_FT' ELSE 'FT_' || x.category END AS category
FROM eng_stock_end s
JOIN eng_profiles x USING (profile)
"""


def _with_indicator(tmp_path: Path, code: str, aggregation: str) -> list[Indicator]:
    """The catalog with one more indicator, `code`, reading OWN_CATEGORY_SQL."""
    sql = tmp_path / f"{code.lower()}.sql"
    sql.write_text(OWN_CATEGORY_SQL if aggregation == "median"
                   else OWN_CATEGORY_SQL.replace("(s.ref_date - s.last_registration_date)::DOUBLE",
                                                 "1"),
                   encoding="utf-8")
    entry = {"code": code, "family": "capture", "unit": "persons" if aggregation == "count"
             else "days", "aggregation": aggregation, "label_fr": code,
             "definition_fr": code, "breakdowns": ["operator", "sex", "category"],
             "sql_file": str(sql)}
    return [*load_catalog(), parse_indicator(entry)]


@pytest.mark.parametrize("aggregation", ["count", "median"])
def test_own_column_wins_over_profile(warehouse, tmp_path: Path, aggregation):
    """End of January 2024 (2024-01-31).
    P1 FT category B since 2024-01-01 in Paris, sex F: 30 days, 'FT_B'.
    P2 ML since 2023-12-01 in Paris, sex M (no FT registration, category 'none'):
       61 days, 'not_FT'.
    The file yields `profile` and its own `category`: the category breakdown is the file's
    (as a fact's own `operator` wins over that of `profile`), sex and operator still come
    from `profile`. Count: 1 under each; median: 30 under FT_B, 61 under not_FT.
    """
    code = f"OWN_CATEGORY_{aggregation.upper()}"
    catalog = _with_indicator(tmp_path, code, aggregation)
    insert(warehouse, "registrations", "FT", "2024-01", [
        reg("f1", 1, "2024-01-01", "75056", category="B")])
    insert(warehouse, "registrations", "ML", "2024-01", [
        reg("m1", 2, "2023-12-01", "75056", sex="M", category=None)])
    compute_indicators(warehouse, periods=[JAN], codes=[code], progress=None, catalog=catalog)
    res = results(warehouse, code)
    if aggregation == "count":
        assert headline(res, "2024-01") == 2
        assert cells(res, "2024-01", "NAT", "category") == {"FT_B": 1, "not_FT": 1}
        assert cells(res, "2024-01", "NAT", "sex") == {"F": 1, "M": 1}
        assert cells(res, "2024-01", "NAT", "operator") == {"FT": 1, "ML": 1}
    else:
        assert headline(res, "2024-01") == 45.5
        assert cells(res, "2024-01", "NAT", "category") == {"FT_B": 30, "not_FT": 61}
        assert cells(res, "2024-01", "NAT", "sex") == {"F": 30, "M": 61}
        assert cells(res, "2024-01", "NAT", "operator") == {"FT": 30, "ML": 61}


def _one_indicator(tmp_path: Path, sql: str, breakdowns: list[str]) -> list[Indicator]:
    path = tmp_path / "probe.sql"
    path.write_text(sql, encoding="utf-8")
    return [parse_indicator({"code": "PROBE", "family": "capture", "unit": "persons",
                             "aggregation": "count", "label_fr": "x", "definition_fr": "x",
                             "breakdowns": breakdowns, "sql_file": str(path)})]


def test_eng_placed_counts_a_unit_where_its_person_is_placed(warehouse, tmp_path: Path):
    """A unit carrying a commune of its own (an answer's, in 2B) is placed where its
    person is registered (Paris, 75): eng_placed's commune replaces the unit's."""
    insert(warehouse, "registrations", "FT", "2024-01", [
        reg("f1", 1, "2023-06-01", "75056")])
    sql = """
        WITH units AS (SELECT p.period, s.pid, p.m_end AS ref_date, '2B033' AS commune_code
                       FROM eng_periods p, eng_stock_end s WHERE s.period = p.period)
        SELECT period, commune_code, 1 AS num FROM eng_placed(units)"""
    compute_indicators(warehouse, periods=[JAN], progress=None,
                       catalog=_one_indicator(tmp_path, sql, []))
    assert cells(results(warehouse, "PROBE"), "2024-01", "DEP") == {"75": 1}


def test_a_published_breakdown_the_file_does_not_return_is_an_error(warehouse, tmp_path):
    insert(warehouse, "registrations", "FT", "2024-01", [
        reg("f1", 1, "2023-06-01", "75056")])
    sql = "SELECT period, commune_code, 1 AS num, profile FROM eng_stock_end"
    catalog = _one_indicator(tmp_path, sql, ["sex", "exit_reason"])
    with pytest.raises(ValueError, match=r"probe.sql: publishes breakdowns \['exit_reason'\] "
                                         r"but returns no column of that name"):
        compute_indicators(warehouse, periods=[JAN], progress=None, catalog=catalog)
