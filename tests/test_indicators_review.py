"""Review of the indicator SQL against CONTRACT §3-§4: hand-computed fixtures."""

from __future__ import annotations

from helpers import cells, d, diag, headline, hire, insert, path, reg, results

from socle.indicators import compute_indicators

JAN, FEB = d("2024-01-01"), d("2024-02-01")


def test_seniority_calendar_months_at_month_end(warehouse):
    """Seniority at 2024-02-29 (end of February, leap year).

    P1 registered 2023-08-31: 2023-08-31 + 6 calendar months = 2024-02-29 (the same
       calendar convention as PERF_ACCESS_6M's "6 calendar months after it"), so at the
       end of February P1 has 6 months of seniority -> '6-11m'.
    P2 registered 2023-09-01: 5 months and 28 days -> '<6m'.
    Interpretive: §4 does not say how months are counted for seniority; this reads it
    with the calendar-month convention the engine itself uses for PERF_ACCESS_6M
    (2024-08-31 + 6 months = 2025-02-28). eng_months_between() instead requires
    day(d) >= day(since), so a spell started on the 29th-31st never reaches a whole month
    at the end of a shorter month.
    """
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2023-08-31", "75056"), reg("f2", 2, "2023-09-01", "75056")])
    compute_indicators(warehouse, periods=[FEB], codes=["CAP_REGISTERED"], progress=None)
    res = results(warehouse, "CAP_REGISTERED")
    assert cells(res, "2024-02", "NAT", "seniority") == {"6-11m": 1, "<6m": 1}


def test_cap_outflow_last_exit_not_latest_registration(warehouse):
    """February 2024. P1: FT since 2023-01-01 in Ajaccio exits 02-20 RADIATION; ML since
    2024-01-15 in Paris exits 02-10 EMPLOI. Out once. Last exit in M = FT 02-20 ->
    RADIATION. Territory at 02-20 = latest registration started on or before it = the ML
    spell (Paris), "whichever spell exits"; sex from that spell (M)."""
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2023-01-01", "2A004", exit="2024-02-20", reason="RADIATION")])
    insert(warehouse, "registrations", "ML", "2024-02", [
        reg("m1", 1, "2024-01-15", "75056", exit="2024-02-10", reason="EMPLOI", sex="M")])
    compute_indicators(warehouse, periods=[FEB], codes=["CAP_OUTFLOW"], progress=None)
    res = results(warehouse, "CAP_OUTFLOW")
    assert headline(res, "2024-02") == 1
    assert cells(res, "2024-02", "NAT", "exit_reason") == {"RADIATION": 1}
    assert cells(res, "2024-02", "DEP") == {"75": 1}
    assert cells(res, "2024-02", "NAT", "sex") == {"M": 1}


def test_waiting_diag_latest_registration_exited(warehouse):
    """End of February 2024. P1 FT active since 2023-06-01; ML registered 2024-01-10,
    exited 2024-01-20 (latest registration at 02-29, exited: still "the latest").
    Diagnostic 2024-01-05, before it -> still waiting for a diagnostic: 1.
    P2 same spells, diagnostic 2024-01-10 (the latest registration's own day): not waiting.
    REA_WAITING_PATHWAY: P2 diagnosed since, no pathway -> 1; P1 not diagnosed since -> 0.
    """
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2023-06-01", "75056"), reg("f2", 2, "2023-06-01", "75056")])
    insert(warehouse, "registrations", "ML", "2024-02", [
        reg("m1", 1, "2024-01-10", "2A004", exit="2024-01-20"),
        reg("m2", 2, "2024-01-10", "2A004", exit="2024-01-20")])
    insert(warehouse, "diagnostics", "FT", "2024-01", [
        diag("d1", 1, "2024-01-05"), diag("d2", 2, "2024-01-10")])
    compute_indicators(warehouse, periods=[FEB],
                       codes=["REA_WAITING_DIAG", "REA_WAITING_PATHWAY"], progress=None)
    res = results(warehouse, "REA_WAITING_DIAG")
    assert headline(res, "2024-02") == 1
    # Territory: the ML spell (latest registration), Ajaccio, although only FT is active.
    assert cells(res, "2024-02", "DEP") == {"2A": 1}
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 1}
    assert headline(results(warehouse, "REA_WAITING_PATHWAY"), "2024-02") == 1


def test_return_rate_territory_and_attributes_at_m_minus_1(warehouse):
    """PERF_RETURN_EMPLOYMENT, February 2024: the stock at 2024-01-31.
    P1 FT since 2023-10-01 in Paris (sex F, born 1990); registers again with ML on 02-05
       in Ajaccio (sex M, born 2002) and is hired 02-20. At 01-31 the territory is Paris
       and the attributes come from the FT spell: DEP 75 1/1, sex F, age 34 '26-49'.
    """
    insert(warehouse, "registrations", "FT", "2024-02", [reg("f1", 1, "2023-10-01", "75056")])
    insert(warehouse, "registrations", "ML", "2024-02", [
        reg("m1", 1, "2024-02-05", "2A004", sex="M", birth_year=2002)])
    insert(warehouse, "hires", "FT", "2024-02", [hire("h1", 1, "2024-02-20")])
    compute_indicators(warehouse, periods=[FEB], codes=["PERF_RETURN_EMPLOYMENT"],
                       progress=None)
    res = results(warehouse, "PERF_RETURN_EMPLOYMENT")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (1, 1, 1.0)
    assert cells(res, "2024-02", "DEP") == {"75": 1.0}
    assert cells(res, "2024-02", "NAT", "sex") == {"F": 1.0}
    assert cells(res, "2024-02", "NAT", "age_band") == {"26-49": 1.0}
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 1.0}


def test_reorientation_previous_is_latest_earlier_start(warehouse):
    """February 2024.
    P1 FT GUIDE since 2023-12-01 (open), ML CEJ since 2024-01-10 (open), new ML CEJ
       02-10: previous = latest earlier start = ML CEJ, same operator and type -> no
       (the older, different FT GUIDE does not count).
    P2 FT GUIDE and ML CEJ both starting 02-10, nothing before: no earlier start -> no.
    P3 ML CEJ 2023-01-01..2023-06-01 then FT GUIDE 2024-01-05..2024-01-06 (ended, active
       within 90 days), new ML CEJ 02-10: previous = FT GUIDE, other operator -> yes.
    """
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg(f"r{i}", i, "2023-01-01", "75056") for i in (1, 2, 3)])
    insert(warehouse, "pathways", "FT", "2024-02", [
        path("f1", 1, "GUIDE", "2023-12-01"), path("f2", 2, "GUIDE", "2024-02-10"),
        path("f3", 3, "GUIDE", "2024-01-05", "2024-01-06")])
    insert(warehouse, "pathways", "ML", "2024-02", [
        path("m1a", 1, "CEJ", "2024-01-10"), path("m1b", 1, "CEJ", "2024-02-10"),
        path("m2", 2, "CEJ", "2024-02-10"),
        path("m3a", 3, "CEJ", "2023-01-01", "2023-06-01"), path("m3b", 3, "CEJ", "2024-02-10")])
    compute_indicators(warehouse, periods=[FEB], codes=["REA_REORIENTATION"], progress=None)
    res = results(warehouse, "REA_REORIENTATION")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (1, None, 1.0)


def test_access_6m_month_end_clamp(warehouse):
    """Cohort of August 2024, published once February 2025 (M+6) is loaded.
    P1 registered 2024-08-31: 6 calendar months after = 2025-02-28; hire 2025-02-28 -> yes.
    P2 registered 2024-08-31, hire 2025-03-01 (after the window) -> no.  1 / 2.
    """
    insert(warehouse, "registrations", "FT", "2024-08", [
        reg("f1", 1, "2024-08-31", "75056"), reg("f2", 2, "2024-08-31", "75056")])
    insert(warehouse, "hires", "FT", "2025-02", [hire("h1", 1, "2025-02-28")])
    insert(warehouse, "hires", "FT", "2025-03", [hire("h2", 2, "2025-03-01")])
    compute_indicators(warehouse, periods=[d("2024-08-01")], codes=["PERF_ACCESS_6M"],
                       progress=None)
    res = results(warehouse, "PERF_ACCESS_6M")
    assert res[("2024-08", "NAT", "FR", "total", "total")] == (1, 2, 0.5)


def test_latest_version_of_spell_and_every_event(warehouse):
    """P1 FT delivered in January in Paris, re-delivered in February in Ajaccio (same id):
    the latest version (Ajaccio) places P1 at the end of January too. Hire h1 delivered in
    February dated 02-10, and h1 again in the March delivery dated 03-05: events have no
    versions (ids are unique within a delivery only, and each event extract holds the
    events of its month), so the February hire stands: PERF_RETURN_EMPLOYMENT February
    1 / 1, in 2A."""
    insert(warehouse, "registrations", "FT", "2024-01", [reg("f1", 1, "2023-10-01", "75056")])
    insert(warehouse, "registrations", "FT", "2024-02", [reg("f1", 1, "2023-10-01", "2A004")])
    insert(warehouse, "hires", "FT", "2024-02", [hire("h1", 1, "2024-02-10")])
    insert(warehouse, "hires", "FT", "2024-03", [hire("h1", 1, "2024-03-05")])
    compute_indicators(warehouse, periods=[JAN, FEB],
                       codes=["CAP_REGISTERED", "PERF_RETURN_EMPLOYMENT"], progress=None)
    assert cells(results(warehouse, "CAP_REGISTERED"), "2024-01", "DEP") == {"2A": 1}
    res = results(warehouse, "PERF_RETURN_EMPLOYMENT")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (1, 1, 1.0)
    assert res[("2024-02", "DEP", "2A", "total", "total")] == (1, 1, 1.0)
