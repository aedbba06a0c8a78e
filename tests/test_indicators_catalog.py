"""The catalog, its publication in ref.indicators, the generated docs, and the helpers
that tell which months to compute."""

from __future__ import annotations

import pytest
from helpers import d, insert, reg

from socle.indicators import (
    affected_periods,
    available_periods,
    compute_batches,
    compute_indicators,
    load_catalog,
    write_catalog,
)
from socle.indicators.catalog import CatalogError, parse_indicator
from socle.indicators.docs import DOCS_PATH, render
from socle.indicators.engine import MONTH_FREE, SHARED_TABLES

CONTRACT_CODES = {
    "CAP_REGISTERED", "CAP_INFLOW", "CAP_OUTFLOW", "REA_DIAG_DELAY", "REA_WAITING_DIAG",
    "REA_IN_PATHWAY", "REA_INTENSIVE_SHARE", "REA_PATHWAY_DELAY", "REA_WAITING_PATHWAY",
    "REA_REORIENTATION", "PERF_RETURN_EMPLOYMENT", "PERF_RETURN_DURABLE", "PERF_ACCESS_6M",
    "PERF_TRAINING_IMMERSION", "PERF_USER_SATISFACTION", "PERF_OFFER_FILL_RATE",
    "PERF_OFFER_FILL_DELAY", "PERF_EMPLOYER_SATISFACTION",
}


def test_catalog_has_the_contract_indicators():
    catalog = load_catalog()
    # Every indicator of the contract; an indicator added to the catalog does not fail this.
    assert {i.code for i in catalog} >= CONTRACT_CODES
    assert all(i.label_fr and i.definition_fr for i in catalog)
    units = {i.code: i.unit for i in catalog}
    assert units["REA_REORIENTATION"] == "pathways" and units["REA_DIAG_DELAY"] == "days"


def test_catalog_rejects_bad_entries():
    good = {"code": "X", "family": "capture", "unit": "persons", "label_fr": "x",
            "definition_fr": "x", "aggregation": "count", "sql_file": "cap_registered.sql"}
    assert parse_indicator(good, 1).code == "X"
    for bad in ({"aggregation": "mean"}, {"breakdowns": ["colour"]},
                {"sql_file": "missing.sql"}, {"label_fr": ""}):
        with pytest.raises(CatalogError):
            parse_indicator(good | bad, 1)


def test_catalog_checks_shared_denominators():
    rate = {"code": "X", "family": "performance", "unit": "rate", "label_fr": "x",
            "definition_fr": "x", "aggregation": "rate", "sql_file": "perf_return_employment.sql",
            "denominator": "stock_prev"}
    assert parse_indicator(rate, 1).population_path.name == "stock_prev.sql"
    problems = {
        "rates only": {"aggregation": "count"},
        "not found": {"denominator": "nobody"},
        "need their values": {"slices": ["action_type"]},
        "not slices": {"slice_values": {"operator": ["FT"]}},
    }
    for message, bad in problems.items():
        with pytest.raises(CatalogError, match=message):
            parse_indicator(rate | bad, 1)
    with pytest.raises(CatalogError, match="with a denominator only"):
        parse_indicator({**rate, "denominator": "", "slices": ["action_type"],
                "slice_values": {"action_type": ["FORMATION"]}}, 1)


def test_numerator_units_outside_the_population_are_an_error(warehouse, tmp_path):
    """A rate over stock_prev whose file yields a person who is not in the M-1 stock."""
    sql = tmp_path / "outside.sql"
    sql.write_text("SELECT p.period, '75056' AS commune_code, 1 AS num FROM eng_periods p",
                   encoding="utf-8")
    entry = {"code": "X", "family": "performance", "unit": "rate", "label_fr": "x",
             "definition_fr": "x", "aggregation": "rate", "sql_file": str(sql),
             "denominator": "stock_prev"}
    insert(warehouse, "registrations", "FT", "2024-02", [reg("r", 1, "2024-01-05", "2A004")])
    with pytest.raises(ValueError, match="outside its population stock_prev"):
        compute_indicators(warehouse, codes=["X"], progress=None,
                           catalog=[parse_indicator(entry)])
    assert warehouse.execute("SELECT count(*) FROM indicators.indicator_values"
                             " WHERE indicator_code = 'X'").fetchone()[0] == 0


def test_write_catalog(warehouse):
    entries = len(load_catalog())
    assert entries >= 18
    assert write_catalog(warehouse) == entries
    rows = warehouse.execute(
        "SELECT code, family, unit, label_fr FROM ref.indicators ORDER BY code").fetchall()
    assert len(rows) == entries and all(r[3] for r in rows)
    assert {r[0] for r in rows} >= CONTRACT_CODES


def test_docs_are_generated_from_the_catalog():
    assert DOCS_PATH.read_text(encoding="utf-8") == render(load_catalog()), (
        "docs/indicators.md is stale: run `python -m socle.indicators.docs`")


def test_available_and_affected_periods(warehouse):
    for month in ("2024-01", "2024-02", "2024-03", "2024-09"):
        insert(warehouse, "registrations", "FT", month, [reg("r", 1, "2024-01-01", "75056")])
    months = [d("2024-01-01"), d("2024-02-01"), d("2024-03-01"), d("2024-09-01")]
    assert available_periods(warehouse) == months
    access = {i.code: i for i in load_catalog()}["PERF_ACCESS_6M"]
    assert available_periods(warehouse, access) == months[:3]  # M+6 <= 2024-09
    # Events of 2024-09 reach back to 2024-03 (cohorts of M-6) and forward.
    assert affected_periods(warehouse, {("hires", d("2024-09-01"))}) == months[2:]
    assert affected_periods(warehouse, {("diagnostics", d("2024-02-01"))}) == months
    # A snapshot may correct a spell begun at any time: every loaded month.
    assert affected_periods(warehouse, {("registrations", d("2024-09-01"))}) == months
    assert affected_periods(warehouse, set()) == []


def test_a_corrected_start_date_recomputes_the_months_it_leaves(warehouse):
    """A spell open since 2024-01-10, delivered January to September; the September
    re-delivery corrects its start to 2024-05-10. Recomputing what the pipeline recomputes
    must leave no stale month: January to April no longer count the person (no row),
    May counts them once as an entry."""
    for month in [f"2024-{m:02d}" for m in range(1, 10)]:
        insert(warehouse, "registrations", "FT", month, [reg("s1", 1, "2024-01-10", "75056")])
    compute_indicators(warehouse, codes=["CAP_REGISTERED", "CAP_INFLOW"], progress=None)
    warehouse.execute("DELETE FROM staging.registrations WHERE delivery_month = '2024-09-01'")
    insert(warehouse, "registrations", "FT", "2024-09", [reg("s1", 1, "2024-05-10", "75056")])
    periods = affected_periods(warehouse, {("registrations", d("2024-09-01"))})
    compute_indicators(warehouse, periods, codes=["CAP_REGISTERED", "CAP_INFLOW"],
                       progress=None)
    rows = warehouse.execute(
        "SELECT indicator_code, strftime(period, '%Y-%m'), numerator "
        "FROM indicators.indicator_values WHERE level = 'NAT' AND breakdown = 'total' "
        "ORDER BY 1, 2").fetchall()
    assert rows == [("CAP_INFLOW", "2024-05", 1)] + [
        ("CAP_REGISTERED", f"2024-{m:02d}", 1) for m in range(5, 10)]


def test_unknown_code_and_empty_warehouse(warehouse):
    with pytest.raises(ValueError):
        compute_indicators(warehouse, codes=["NOPE"], progress=None)
    assert compute_indicators(warehouse, progress=None) == 0


def test_a_file_naming_only_eng_reg_multi_gets_it_built(warehouse, tmp_path):
    """eng_reg_multi is made by eng_reg's script: a file naming it alone still gets it.
    Person 1 has two spells, person 2 one: one person with several spells."""
    sql = tmp_path / "multi.sql"
    sql.write_text("SELECT p.period, NULL AS commune_code, 1 AS num "
                   "FROM eng_periods p, eng_reg_multi", encoding="utf-8")
    entry = {"code": "X", "family": "capture", "unit": "persons", "label_fr": "x",
             "definition_fr": "x", "aggregation": "count", "sql_file": str(sql)}
    insert(warehouse, "registrations", "FT", "2024-01", [
        reg("a", 1, "2024-01-05", "2A004"), reg("b", 1, "2024-01-20", "2A004"),
        reg("c", 2, "2024-01-07", "2A004")])
    compute_indicators(warehouse, codes=["X"], progress=None, catalog=[parse_indicator(entry)])
    assert warehouse.execute(
        "SELECT numerator FROM indicators.indicator_values WHERE indicator_code = 'X' "
        "AND level = 'NAT' AND breakdown = 'total'").fetchall() == [(1,)]


def test_inputs_reading_the_months_are_made_again_for_each_batch():
    """Found from the scripts: a stock reads the stock dates, the persons in a pathway the
    month ends, and the pathways per operator the view that script creates."""
    assert set(SHARED_TABLES) - MONTH_FREE == {
        "eng_stock", "eng_stock_end", "eng_stock_prev_end", "eng_in_pathway",
        "eng_in_pathway_by_operator"}


def test_a_month_and_indicator_in_two_batches_is_refused(warehouse):
    with pytest.raises(ValueError, match="CAP_INFLOW of 2024-03 is in two batches"):
        compute_batches(warehouse, [([d("2024-03-01")], ["CAP_INFLOW"]),
                                    ([d("2024-02-01"), d("2024-03-01")], None)],
                        progress=None)
