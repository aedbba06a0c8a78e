"""Performance indicators (PERF_*) on hand-made fixtures: expected values worked out on paper."""

from __future__ import annotations

from helpers import cells, d, diag, headline, hire, insert, pid, reg, results

from socle.indicators import available_periods, compute_indicators, load_catalog

JAN, FEB = d("2024-01-01"), d("2024-02-01")


def _return_fixture(con) -> None:
    """Stock at the end of January 2024 and hires of February.

    P1 FT since 2023-12-01, CDI on 02-15: returns, durable.
    P2 FT since 2023-11-15, CDD of 3 months on 02-29 (last day): returns, not durable.
    P3 FT since 2023-11-15, CDD of 6 months on 03-01: not in February.
    P4 FT since 02-01: not in the January stock, its February hire does not count.
    P5 FT since 2024-01-10, exits 02-01 (active at the end of January), CREATION on 02-01:
       returns, durable.
    P6 FT since 2023-12-15 and ML since 2024-01-20, CTT of 6 months on 02-10: returns,
       durable (6 months or more), under FT and ML.
    """
    insert(con, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2023-12-01", "75056"), reg("f2", 2, "2023-11-15", "75056"),
        reg("f3", 3, "2023-11-15", "2B033"), reg("f4", 4, "2024-02-01", "75056"),
        reg("f5", 5, "2024-01-10", "75056", exit="2024-02-01"),
        reg("f6", 6, "2023-12-15", "75056")])
    insert(con, "registrations", "ML", "2024-02", [reg("m6", 6, "2024-01-20", "75056")])
    insert(con, "hires", "FT", "2024-02", [
        hire("h1", 1, "2024-02-15", "CDI"), hire("h2", 2, "2024-02-29", "CDD", 3),
        hire("h4", 4, "2024-02-20", "CDI"), hire("h5", 5, "2024-02-01", "CREATION"),
        hire("h6", 6, "2024-02-10", "CTT", 6)])
    insert(con, "hires", "FT", "2024-03", [hire("h3", 3, "2024-03-01", "CDD", 6)])


def test_perf_return_employment(warehouse):
    _return_fixture(warehouse)
    compute_indicators(warehouse, periods=[JAN, FEB], codes=["PERF_RETURN_EMPLOYMENT"],
                       progress=None)
    res = results(warehouse, "PERF_RETURN_EMPLOYMENT")
    # February: stock at 01-31 = P1, P2, P3, P5, P6; hired in February: P1, P2, P5, P6.
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (4, 5, 0.8)
    # First loaded month: stock at 2023-12-31 = P1, P2, P3, P6 (from the snapshot), no
    # hire in January -> 0 / 4, published with its denominator.
    assert res[("2024-01", "NAT", "FR", "total", "total")] == (0, 4, 0.0)
    ops = {v: row for (p, lv, t, b, v), row in res.items()
           if p == "2024-02" and lv == "NAT" and b == "operator"}
    assert ops == {"FT": (4, 5, 0.8), "ML": (1, 1, 1.0)}
    assert res[("2024-02", "DEP", "2B", "total", "total")] == (0, 1, 0.0)  # P3


def test_perf_return_durable(warehouse):
    _return_fixture(warehouse)
    compute_indicators(warehouse, periods=[FEB], codes=["PERF_RETURN_DURABLE"], progress=None)
    res = results(warehouse, "PERF_RETURN_DURABLE")
    # Durable: P1 (CDI), P5 (CREATION), P6 (CTT 6 months); P2's 3-month CDD is not.
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (3, 5, 0.6)
    assert res[("2024-02", "REG", "11", "total", "total")] == (3, 4, 0.75)


def test_perf_access_6m(warehouse):
    """Cohort of January 2024; published once July 2024 (M+6) is loaded.

    P1 registered 01-31, hire 07-31 (01-31 + 6 months = 07-31, inclusive): yes.
    P2 registered 01-15, hire 07-16 (one day late): no. Unknown commune: NAT only.
    P3 registered 01-15 (FT) and 01-25 (ML), hire 01-20: from the first one -> yes.
    P4 registered 01-10, hire 01-09 (before): no.
    P5 registered 01-10, hire 01-10 (same day): yes.
    P6 registered 02-01: February cohort, not published (August not loaded).
    Cohort 5, with a hire 3 -> 0.6.
    """
    insert(warehouse, "registrations", "FT", "2024-01", [
        reg("f1", 1, "2024-01-31", "75056"), reg("f2", 2, "2024-01-15", "99123"),
        reg("f3", 3, "2024-01-15", "75056"), reg("f4", 4, "2024-01-10", "75056"),
        reg("f5", 5, "2024-01-10", "75056")])
    insert(warehouse, "registrations", "ML", "2024-01", [reg("m3", 3, "2024-01-25", "2A004")])
    insert(warehouse, "registrations", "FT", "2024-02", [reg("f6", 6, "2024-02-01", "75056")])
    insert(warehouse, "hires", "FT", "2024-01", [
        hire("h3", 3, "2024-01-20", "CDI"), hire("h4", 4, "2024-01-09", "CDI"),
        hire("h5", 5, "2024-01-10", "CDI")])
    insert(warehouse, "hires", "FT", "2024-07", [
        hire("h1", 1, "2024-07-31", "CDI"), hire("h2", 2, "2024-07-16", "CDI")])
    catalog = {i.code: i for i in load_catalog()}
    assert available_periods(warehouse, catalog["PERF_ACCESS_6M"]) == [JAN]
    compute_indicators(warehouse, codes=["PERF_ACCESS_6M"], progress=None)
    res = results(warehouse, "PERF_ACCESS_6M")
    assert res[("2024-01", "NAT", "FR", "total", "total")] == (3, 5, 0.6)
    assert {k[0] for k in res} == {"2024-01"}
    # P3 sits in Paris (its first January registration), not Ajaccio.
    assert res[("2024-01", "DEP", "75", "total", "total")] == (3, 4, 0.75)
    assert cells(res, "2024-01", "NAT", "operator") == {"FT": 0.6, "ML": 1.0}


def test_perf_training_immersion(warehouse):
    """Stock at the end of January 2024 (P1..P4), actions started in February.

    P1 FORMATION 02-05; P2 IMMERSION 02-10 and FORMATION 02-20 (one person); P3 none;
    P4 an action in January only. Any: 2 / 4. FORMATION: P1, P2 -> 2 / 4; IMMERSION: P2
    -> 1 / 4 (the whole stock stays the denominator).
    """
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg(f"f{i}", i, "2023-12-01", "75056") for i in range(1, 5)])
    act = [("a1", 1, "FORMATION", "2024-02-05"), ("a2", 2, "IMMERSION", "2024-02-10"),
           ("a3", 2, "FORMATION", "2024-02-20")]
    insert(warehouse, "actions", "FT", "2024-02", [
        {"action_id": a, "person_id": p, "action_type": t, "start_date": s}
        for a, p, t, s in act])
    insert(warehouse, "actions", "FT", "2024-01", [
        {"action_id": "a4", "person_id": 4, "action_type": "IMMERSION",
         "start_date": "2024-01-20"}])
    compute_indicators(warehouse, periods=[FEB], codes=["PERF_TRAINING_IMMERSION"],
                       progress=None)
    res = results(warehouse, "PERF_TRAINING_IMMERSION")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (2, 4, 0.5)
    assert res[("2024-02", "NAT", "FR", "action_type", "FORMATION")] == (2, 4, 0.5)
    assert res[("2024-02", "NAT", "FR", "action_type", "IMMERSION")] == (1, 4, 0.25)
    assert res[("2024-02", "DEP", "75", "action_type", "IMMERSION")] == (1, 4, 0.25)


def test_training_slices_keep_the_population_where_no_unit_starts(warehouse):
    """The January 2024 stock: P1 in Paris starts an IMMERSION in February, P2 in Ajaccio
    starts nothing. Nobody starts a FORMATION anywhere, yet its slice is published with
    the whole stock as denominator: NAT 0 / 2; Corse-du-Sud 0 / 1 in every slice."""
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2023-12-01", "75056"), reg("f2", 2, "2023-12-01", "2A004")])
    insert(warehouse, "actions", "FT", "2024-02", [
        {"action_id": "a1", "person_id": 1, "action_type": "IMMERSION",
         "start_date": "2024-02-29"}])
    compute_indicators(warehouse, periods=[FEB], codes=["PERF_TRAINING_IMMERSION"],
                       progress=None)
    res = results(warehouse, "PERF_TRAINING_IMMERSION")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (1, 2, 0.5)
    assert res[("2024-02", "NAT", "FR", "action_type", "FORMATION")] == (0, 2, 0.0)
    assert res[("2024-02", "NAT", "FR", "action_type", "IMMERSION")] == (1, 2, 0.5)
    for breakdown, value in (("total", "total"), ("action_type", "FORMATION"),
                             ("action_type", "IMMERSION")):
        assert res[("2024-02", "DEP", "2A", breakdown, value)] == (0, 1, 0.0)
    # Both registered on 2023-12-01: under 6 months at the end of January.
    assert cells(res, "2024-02", "NAT", "seniority") == {"<6m": 0.5}


def _answer(rid: str, kind: str, when: str, score: int, person: int | None = None,
            commune: str | None = None) -> dict:
    return {"response_id": rid, "respondent_type": kind, "person_id": person,
            "employer_siret": "12345678901234" if kind == "EMPLOYER" else None,
            "commune_code": commune, "response_date": when, "score": score}


def test_perf_user_satisfaction(warehouse):
    """PERSON answers of February 2024: scores 4 (P1, Ajaccio), 3 (P2, Paris), 2 (P3, Paris),
    1 (P4, never registered: NAT only); an EMPLOYER 4 and a March answer do not count.
    Satisfied 2 / 4."""
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2024-01-05", "2A004"), reg("f2", 2, "2024-01-05", "75056"),
        reg("f3", 3, "2024-01-05", "75056")])
    insert(warehouse, "satisfaction", "FT", "2024-02", [
        _answer("s1", "PERSON", "2024-02-01", 4, 1), _answer("s2", "PERSON", "2024-02-29", 3, 2),
        _answer("s3", "PERSON", "2024-02-10", 2, 3), _answer("s4", "PERSON", "2024-02-10", 1, 4),
        _answer("s5", "EMPLOYER", "2024-02-10", 4, commune="75056")])
    insert(warehouse, "satisfaction", "FT", "2024-03", [
        _answer("s6", "PERSON", "2024-03-01", 4, 3)])
    compute_indicators(warehouse, periods=[FEB], codes=["PERF_USER_SATISFACTION"],
                       progress=None)
    res = results(warehouse, "PERF_USER_SATISFACTION")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (2, 4, 0.5)
    assert res[("2024-02", "DEP", "75", "total", "total")] == (1, 2, 0.5)
    assert res[("2024-02", "DEP", "2A", "total", "total")] == (1, 1, 1.0)


def test_perf_employer_satisfaction(warehouse):
    """EMPLOYER answers of February 2024: 4 and 1 in Ajaccio, 3 in an unknown commune.
    NAT 2 / 3; Corse-du-Sud 1 / 2; region Corse 1 / 2."""
    insert(warehouse, "satisfaction", "FT", "2024-02", [
        _answer("e1", "EMPLOYER", "2024-02-01", 4, commune="2A004"),
        _answer("e2", "EMPLOYER", "2024-02-15", 1, commune="2A004"),
        _answer("e3", "EMPLOYER", "2024-02-29", 3, commune="99123"),
        _answer("p1", "PERSON", "2024-02-10", 1, 1)])
    compute_indicators(warehouse, codes=["PERF_EMPLOYER_SATISFACTION"], progress=None)
    res = results(warehouse, "PERF_EMPLOYER_SATISFACTION")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (2, 3, 2 / 3)
    assert res[("2024-02", "DEP", "2A", "total", "total")] == (1, 2, 0.5)
    assert res[("2024-02", "REG", "94", "total", "total")] == (1, 2, 0.5)
    assert cells(res, "2024-02", "DEP") == {"2A": 0.5}


def _offer(oid: str, posted: str, commune: str = "75056", closed: str | None = None,
           reason: str | None = None) -> dict:
    return {"offer_id": oid, "employer_siret": "12345678901234", "commune_code": commune,
            "posted_date": posted, "closed_date": closed, "closing_reason": reason,
            "positions": 1}


def _offer_fixture(con) -> None:
    """Offers closed in February 2024 (latest version of each offer).

    o1 posted 01-10, filled 02-09 (30 days), delivered with the old code 01003 (-> 01165).
    o2 posted 02-01, filled 02-29 (28 days). o3 cancelled 02-15. o4 still open.
    o5 open in the January snapshot, filled 02-20 in February's (posted 01-01: 50 days).
    o6 filled 2024-01-31: January. o7 APEC, posted 02-01, filled 02-11 (10 days).
    Fill rate: 4 filled / 5 closed. Median delay of 10, 28, 30, 50 = 29 over 4.
    """
    insert(con, "job_offers", "FT", "2024-01", [
        _offer("o1", "2024-01-10", "01003"), _offer("o5", "2024-01-01"),
        _offer("o6", "2023-12-01", closed="2024-01-31", reason="POURVUE")])
    insert(con, "job_offers", "FT", "2024-02", [
        _offer("o1", "2024-01-10", "01003", "2024-02-09", "POURVUE"),
        _offer("o2", "2024-02-01", closed="2024-02-29", reason="POURVUE"),
        _offer("o3", "2024-02-01", closed="2024-02-15", reason="ANNULEE"),
        _offer("o4", "2024-02-01"),
        _offer("o5", "2024-01-01", closed="2024-02-20", reason="POURVUE")])
    insert(con, "job_offers", "APEC", "2024-02", [
        _offer("o7", "2024-02-01", closed="2024-02-11", reason="POURVUE")])


def test_perf_offer_fill_rate(warehouse):
    _offer_fixture(warehouse)
    compute_indicators(warehouse, codes=["PERF_OFFER_FILL_RATE"], progress=None)
    res = results(warehouse, "PERF_OFFER_FILL_RATE")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (4, 5, 0.8)
    assert res[("2024-01", "NAT", "FR", "total", "total")] == (1, 1, 1.0)  # o6
    assert res[("2024-02", "DEP", "01", "total", "total")] == (1, 1, 1.0)  # merged commune
    assert res[("2024-02", "DEP", "75", "total", "total")] == (3, 4, 0.75)
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 0.75, "APEC": 1.0}


def test_perf_offer_fill_delay(warehouse):
    _offer_fixture(warehouse)
    compute_indicators(warehouse, codes=["PERF_OFFER_FILL_DELAY"], progress=None)
    res = results(warehouse, "PERF_OFFER_FILL_DELAY")
    assert res[("2024-02", "NAT", "FR", "total", "total")] == (None, 4, 29.0)
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 30.0, "APEC": 10.0}
    assert headline(res, "2024-02", "DEP", "75") == 28.0  # 10, 28, 50 -> 28


def test_an_event_id_used_again_in_another_month_is_another_event(warehouse):
    """Ids are unique within a delivery only. FT diagnostic '1' in January (person 1) and
    '1' in February (person 2); hire '7' in February (person 1) and '7' in March (person 2);
    both persons registered since 2024-01-05 in Paris.
    REA_DIAG_DELAY January: person 1's diagnostic, 10 days. REA_WAITING_DIAG: 1 waiting in
    January (person 2), none in February. PERF_RETURN_EMPLOYMENT February: person 1 of the
    two in the January stock, 1/2."""
    for month in ("2024-01", "2024-02", "2024-03"):
        insert(warehouse, "registrations", "FT", month, [
            reg("r1", 1, "2024-01-05", "75056"), reg("r2", 2, "2024-01-05", "75056")])
    insert(warehouse, "diagnostics", "FT", "2024-01", [diag("1", 1, "2024-01-15")])
    insert(warehouse, "diagnostics", "FT", "2024-02", [diag("1", 2, "2024-02-10")])
    insert(warehouse, "hires", "FT", "2024-02", [
        {"hire_id": "7", "person_id": pid(1), "hire_date": d("2024-02-03"),
         "contract_type": "CDI"}])
    insert(warehouse, "hires", "FT", "2024-03", [
        {"hire_id": "7", "person_id": pid(2), "hire_date": d("2024-03-03"),
         "contract_type": "CDI"}])
    compute_indicators(warehouse, codes=["REA_DIAG_DELAY", "REA_WAITING_DIAG",
                                         "PERF_RETURN_EMPLOYMENT"], progress=None)
    delay = results(warehouse, "REA_DIAG_DELAY")
    assert delay[("2024-01", "NAT", "FR", "total", "total")] == (None, 1, 10.0)
    waiting = results(warehouse, "REA_WAITING_DIAG")
    assert headline(waiting, "2024-01") == 1
    assert ("2024-02", "NAT", "FR", "total", "total") not in waiting
    returns = results(warehouse, "PERF_RETURN_EMPLOYMENT")
    assert returns[("2024-02", "NAT", "FR", "total", "total")] == (1, 2, 0.5)
