"""Delivery indicators (REA_*) on hand-made fixtures: expected values worked out on paper."""

from __future__ import annotations

from helpers import (
    cells,
    d,
    diag,
    headline,
    insert,
    path,
    reg,
    results,
    split_bassin,
)

from socle.indicators import compute_indicators

JAN, FEB = d("2024-01-01"), d("2024-02-01")


def test_rea_diag_delay_even_median(warehouse):
    """Diagnostics of February 2024, days since the latest registration on or before them.

    P1 registered 01-10, diagnosed 02-09: 30.   (commune A, by FT)
    P2 registered 02-01, diagnosed 02-01: 0 (same day counts). (commune A, by FT)
    P3 ML since 2023-12-01, FT since 02-05 (latest, commune B), diagnosed 02-15 by ML: 10.
    P4 registered 02-20, diagnosed 02-10: no registration before, left out of the median
       and counted in registration = none (national level only).
    P5 registered 01-31, diagnosed 02-29 (last day): 29.  (commune B, by FT)
    Median of 0, 10, 29, 30 (even count) = (10 + 29) / 2 = 19.5 over 4 diagnostics.
    """
    bassin, com_a, dep_a, com_b, dep_b = split_bassin(warehouse)
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2024-01-10", com_a), reg("f2", 2, "2024-02-01", com_a),
        reg("f3", 3, "2024-02-05", com_b), reg("f4", 4, "2024-02-20", com_a),
        reg("f5", 5, "2024-01-31", com_b)])
    insert(warehouse, "registrations", "ML", "2024-02", [reg("m3", 3, "2023-12-01", com_a)])
    insert(warehouse, "diagnostics", "FT", "2024-02", [
        diag("d1", 1, "2024-02-09"), diag("d2", 2, "2024-02-01"), diag("d4", 4, "2024-02-10"),
        diag("d5", 5, "2024-02-29")])
    insert(warehouse, "diagnostics", "ML", "2024-02", [diag("d3", 3, "2024-02-15")])
    compute_indicators(warehouse, codes=["REA_DIAG_DELAY"], progress=None)
    res = results(warehouse, "REA_DIAG_DELAY")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (None, 4, 19.5)
    assert res[("2024-02", "NAT", "FR", "registration", "none")] == (None, 1, None)
    assert [k for k in res if k[3] == "registration"] == [
        ("2024-02", "NAT", "FR", "registration", "none")]
    assert cells(res, "2024-02", "DEP") == {dep_a: 15.0, dep_b: 19.5}  # (0+30)/2, (10+29)/2
    assert cells(res, "2024-02", "BASSIN") == {bassin: 19.5}  # exact, not from départements
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 29.0, "ML": 10.0}


def test_rea_waiting_diag(warehouse):
    """Active at the end of February 2024 with no diagnostic since the latest registration.

    P1 registered 02-10, never diagnosed: waiting.
    P2 registered 02-10, diagnosed 02-10 (same day): not waiting.
    P3 diagnosed 2023-10-05 during a spell that ended 2024-01-15, registered again
       02-03: that diagnostic predates the latest registration -> waiting.
    P4 registered 01-05, diagnosed 2024-03-02 (after February): waiting in February.
    P5 exits 02-29 (last day): not active, not counted.
    """
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2024-02-10", "75056"), reg("f2", 2, "2024-02-10", "75056"),
        reg("f3a", 3, "2023-10-01", "75056", exit="2024-01-15"),
        reg("f3b", 3, "2024-02-03", "75056"), reg("f4", 4, "2024-01-05", "75056"),
        reg("f5", 5, "2024-01-05", "75056", exit="2024-02-29")])
    insert(warehouse, "diagnostics", "FT", "2024-02", [diag("d2", 2, "2024-02-10")])
    insert(warehouse, "diagnostics", "FT", "2023-10", [diag("d3", 3, "2023-10-05")])
    insert(warehouse, "diagnostics", "FT", "2024-03", [diag("d4", 4, "2024-03-02")])
    compute_indicators(warehouse, periods=[FEB], codes=["REA_WAITING_DIAG"], progress=None)
    res = results(warehouse, "REA_WAITING_DIAG")
    assert headline(res, "2024-02") == 3  # P1, P3, P4
    assert cells(res, "2024-02", "DEP") == {"75": 3}


def _pathway_fixture(con) -> None:
    """Pathways active at the end of February 2024.

    P1 FT SUIVI since 01-10 and ML CEJ since 02-01, registered in Paris.
    P2 FT GUIDE ending 02-29 (last day): not active at the end.
    P3 CE RENFORCE starting 02-29 (last day), never registered: NAT only.
    P4 FT GUIDE since 01-01, registered in Ajaccio (2A).
    """
    insert(con, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2024-01-05", "75056"), reg("f2", 2, "2024-01-05", "75056"),
        reg("f4", 4, "2024-01-05", "2A004")])
    insert(con, "pathways", "FT", "2024-02", [
        path("p1", 1, "SUIVI", "2024-01-10"), path("p2", 2, "GUIDE", "2024-01-01", "2024-02-29"),
        path("p4", 4, "GUIDE", "2024-01-01")])
    insert(con, "pathways", "ML", "2024-02", [path("q1", 1, "CEJ", "2024-02-01")])
    insert(con, "pathways", "CE", "2024-02", [path("c3", 3, "RENFORCE", "2024-02-29")])


def test_rea_in_pathway(warehouse):
    _pathway_fixture(warehouse)
    compute_indicators(warehouse, codes=["REA_IN_PATHWAY"], progress=None)
    res = results(warehouse, "REA_IN_PATHWAY")
    assert headline(res, "2024-02") == 3  # P1 once, P3, P4
    assert cells(res, "2024-02", "DEP") == {"75": 1, "2A": 1}  # P3 has no territory
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 2, "ML": 1, "CE": 1}
    assert cells(res, "2024-02", "NAT", "pathway_type") == {
        "SUIVI": 1, "CEJ": 1, "RENFORCE": 1, "GUIDE": 1}
    # P3, never registered, is 'unknown' for person attributes.
    assert cells(res, "2024-02", "NAT", "sex") == {"F": 2, "unknown": 1}


def test_rea_intensive_share(warehouse):
    """Intensive: P1 (CEJ at ML), P3 (RENFORCE); P4 only GUIDE -> 2 / 3.

    By operator: FT has P1 (SUIVI) and P4 (GUIDE), neither intensive with FT -> 0 / 2;
    ML 1 / 1 (P1 CEJ); CE 1 / 1 (P3).
    """
    _pathway_fixture(warehouse)
    compute_indicators(warehouse, codes=["REA_INTENSIVE_SHARE"], progress=None)
    res = results(warehouse, "REA_INTENSIVE_SHARE")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (2, 3, 2 / 3)
    ops = {v: row for (p, lv, t, b, v), row in res.items()
           if p == "2024-02" and lv == "NAT" and b == "operator"}
    assert ops == {"FT": (0, 2, 0.0), "ML": (1, 1, 1.0), "CE": (1, 1, 1.0)}
    assert res[("2024-02", "DEP", "2A", "total", "total")] == (0, 1, 0.0)


def test_rea_pathway_delay(warehouse):
    """Pathways started in February 2024, days since the latest diagnostic on or before.

    P1 diagnosed 01-20, ML CEJ pathway from 02-01: 12.
    P3 never diagnosed, pathway 02-29: left out, counted in diagnostic = none.
    P5 diagnosed 02-05 and 02-15, pathway 02-15: 0 (the same-day diagnostic is the latest).
    P6 diagnosed 02-01 and 02-20, pathway 02-11: 10 (the later diagnostic does not count).
    Median of 0, 10, 12 = 10 over 3 pathways.
    """
    _pathway_fixture(warehouse)
    insert(warehouse, "registrations", "ML", "2024-02", [
        reg("m5", 5, "2024-01-05", "75056"), reg("m6", 6, "2024-01-05", "75056")])
    insert(warehouse, "diagnostics", "FT", "2024-01", [diag("d1", 1, "2024-01-20")])
    insert(warehouse, "diagnostics", "ML", "2024-02", [
        diag("d5a", 5, "2024-02-05"), diag("d5b", 5, "2024-02-15"),
        diag("d6a", 6, "2024-02-01"), diag("d6b", 6, "2024-02-20")])
    insert(warehouse, "pathways", "ML", "2024-02", [
        path("q5", 5, "GLOBAL", "2024-02-15"), path("q6", 6, "SUIVI", "2024-02-11")])
    compute_indicators(warehouse, periods=[FEB], codes=["REA_PATHWAY_DELAY"], progress=None)
    res = results(warehouse, "REA_PATHWAY_DELAY")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (None, 3, 10.0)
    assert res[("2024-02", "NAT", "FR", "diagnostic", "none")] == (None, 1, None)
    assert cells(res, "2024-02", "NAT", "pathway_type") == {"CEJ": 12.0, "GLOBAL": 0.0,
                                                          "SUIVI": 10.0}


def test_rea_waiting_pathway(warehouse):
    """Active at month end, diagnosed since the latest registration, no pathway since D1.

    All registered 2024-01-05 in Paris unless said otherwise.
    A diagnosed 01-20, pathway started 01-10 (before D1, still active): waiting.
    B diagnosed 01-20, pathway started 01-20 (D1's day): not waiting.
    C never diagnosed: not counted (REA_WAITING_DIAG's business).
    D diagnosed 2023-06-10 in a spell ended 2023-12-31, registered again 02-01: no
       diagnostic since the latest registration, not counted.
    E diagnosed 01-08 and 02-10, pathway 02-01: D1 = 01-08, the pathway ends the wait.
    F diagnosed 02-29 (last day), no pathway: waiting in February.
    January (end 01-31): A waiting, B not, E waiting (no pathway yet), F not yet diagnosed
    -> 2. February: A, F -> 2.
    """
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("a", 1, "2024-01-05", "75056"), reg("b", 2, "2024-01-05", "75056"),
        reg("c", 3, "2024-01-05", "75056"), reg("d2", 4, "2024-02-01", "75056"),
        reg("e", 5, "2024-01-05", "75056"), reg("f", 6, "2024-01-05", "75056")])
    insert(warehouse, "registrations", "FT", "2023-12", [
        reg("d1", 4, "2023-06-01", "75056", exit="2023-12-31")])
    insert(warehouse, "diagnostics", "FT", "2024-01", [
        diag("da", 1, "2024-01-20"), diag("db", 2, "2024-01-20"), diag("de1", 5, "2024-01-08")])
    insert(warehouse, "diagnostics", "FT", "2023-06", [diag("dd", 4, "2023-06-10")])
    insert(warehouse, "diagnostics", "FT", "2024-02", [
        diag("de2", 5, "2024-02-10"), diag("df", 6, "2024-02-29")])
    insert(warehouse, "pathways", "FT", "2024-02", [
        path("pa", 1, "SUIVI", "2024-01-10"), path("pb", 2, "SUIVI", "2024-01-20"),
        path("pe", 5, "SUIVI", "2024-02-01")])
    compute_indicators(warehouse, periods=[JAN, FEB], codes=["REA_WAITING_PATHWAY"],
                       progress=None)
    res = results(warehouse, "REA_WAITING_PATHWAY")
    assert headline(res, "2024-01") == 2
    assert headline(res, "2024-02") == 2
    assert cells(res, "2024-02", "BASSIN") == {"CLPE75001": 2}


def test_rea_reorientation(warehouse):
    """Pathways started in February 2024 after a different pathway active in the 90 days.

    P1 FT SUIVI 2023-10-01..2024-01-15, then ML CEJ 02-05: operator change, active
       within 90 days -> yes (ML).
    P2 FT GUIDE ended 2023-06-30, then ML GUIDE 02-10: too old -> no.
    P3 FT GUIDE since 01-01, then FT GUIDE 02-10: same operator and type -> no.
    P4 FT GUIDE since 01-01, then FT RENFORCE 02-29: type change -> yes (FT).
    P5 first pathway 02-03 -> no.
    P6 FT SUIVI ended 2023-11-22, then CE SOCIAL 02-20: 02-20 - 90 days = 2023-11-22,
       and a pathway ending that day is no longer active on it -> no.
    P7 as P6 but ended 2023-11-23: active on 2023-11-22 -> yes (CE).
    P8 FT SUIVI 2024-02-01..2024-02-01 (ends on its start: active on no day), then ML
       SUIVI 02-15 -> no.
    """
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg(f"r{i}", i, "2023-09-01", "75056") for i in range(1, 9)])
    insert(warehouse, "pathways", "FT", "2024-02", [
        path("f1", 1, "SUIVI", "2023-10-01", "2024-01-15"),
        path("f2", 2, "GUIDE", "2023-01-01", "2023-06-30"),
        path("f3a", 3, "GUIDE", "2024-01-01"), path("f3b", 3, "GUIDE", "2024-02-10"),
        path("f4a", 4, "GUIDE", "2024-01-01"), path("f4b", 4, "RENFORCE", "2024-02-29"),
        path("f5", 5, "GUIDE", "2024-02-03"),
        path("f6", 6, "SUIVI", "2023-08-01", "2023-11-22"),
        path("f7", 7, "SUIVI", "2023-08-01", "2023-11-23"),
        path("f8", 8, "SUIVI", "2024-02-01", "2024-02-01")])
    insert(warehouse, "pathways", "ML", "2024-02", [
        path("m1", 1, "CEJ", "2024-02-05"), path("m2", 2, "GUIDE", "2024-02-10"),
        path("m8", 8, "SUIVI", "2024-02-15")])
    insert(warehouse, "pathways", "CE", "2024-02", [
        path("c6", 6, "SOCIAL", "2024-02-20"), path("c7", 7, "SOCIAL", "2024-02-20")])
    compute_indicators(warehouse, periods=[FEB], codes=["REA_REORIENTATION"], progress=None)
    res = results(warehouse, "REA_REORIENTATION")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (3, None, 3.0)
    assert cells(res, "2024-02", "NAT", "operator") == {"ML": 1, "FT": 1, "CE": 1}
    assert cells(res, "2024-02", "NAT", "pathway_type") == {"CEJ": 1, "RENFORCE": 1,
                                                          "SOCIAL": 1}
