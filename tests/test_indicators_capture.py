"""Capture indicators on hand-made fixtures: expected values worked out on paper."""

from __future__ import annotations

from helpers import cells, headline, insert, reg, results, split_bassin

from socle.indicators import compute_indicators


def _registered_fixture(con) -> tuple[str, str, str, str, str]:
    """Seven persons over January and February 2024 (two monthly snapshots).

    P1 FT from 2024-01-01 (first day) in commune A (dép. a of a split committee), and ML
       from 2024-01-15 in commune B (dép. b, same committee): the ML spell is the latest
       registration, so P1 sits in B; FT spell says sex M, ML spell says F -> F.
    P2 FT exits on 2024-01-31 (last day): not active at end of January.
    P3 FT registered on 2024-01-31 (last day): active, Bastia (2B).
    P4 CE, unknown well-formed commune 99123: NAT only.
    P5 APEC since 2022-12-15, delivered with the old code 01003 (merged into 01165).
    P6 FT: January snapshot open; February snapshot exits 2024-02-10 -> January only.
    P7 FT in commune A.
    """
    bassin, com_a, dep_a, com_b, dep_b = split_bassin(con)
    jan = [
        reg("ft1", 1, "2024-01-01", com_a, sex="M", category="B"),
        reg("ft2", 2, "2023-11-10", com_a, exit="2024-01-31"),
        reg("ft3", 3, "2024-01-31", "2B033", sex="M"),
        reg("ft6", 6, "2023-06-01", "75056"),
        reg("ft7", 7, "2023-12-20", com_a, birth_year=1960),
    ]
    feb = [
        reg("ft1", 1, "2024-01-01", com_a, sex="M", category="B"),
        reg("ft3", 3, "2024-01-31", "2B033", sex="M"),
        reg("ft6", 6, "2023-06-01", "75056", exit="2024-02-10"),
        reg("ft7", 7, "2023-12-20", com_a, birth_year=1960),
    ]
    insert(con, "registrations", "FT", "2024-01", jan)
    insert(con, "registrations", "FT", "2024-02", feb)
    ml = [reg("ml1", 1, "2024-01-15", com_b, sex="F", category=None, birth_year=2002)]
    insert(con, "registrations", "ML", "2024-01", ml)
    insert(con, "registrations", "ML", "2024-02", ml)
    for month in ("2024-01", "2024-02"):
        insert(con, "registrations", "CE", month, [reg("ce4", 4, "2023-09-01", "99123")])
        insert(con, "registrations", "APEC", month,
               [reg("ap5", 5, "2022-12-15", "01003", category=None)])
    return bassin, com_a, dep_a, com_b, dep_b


def test_cap_registered(warehouse):
    bassin, _, dep_a, _, dep_b = _registered_fixture(warehouse)
    written = compute_indicators(warehouse, codes=["CAP_REGISTERED"], progress=None)
    assert written > 0
    res = results(warehouse, "CAP_REGISTERED")

    # January: P1, P3, P4, P5, P6, P7 (P2 exits on the last day) = 6; P1 once.
    assert headline(res, "2024-01") == 6
    # February: P6 exited on 2024-02-10 in its latest version -> 5.
    assert headline(res, "2024-02") == 5
    # Count rows: numerator = value, no denominator.
    assert res[("2024-01", "NAT", "FR", "total", "total")] == (6, None, 6.0)

    # Départements straight from communes: P1 in dép. b (latest registration), P7 in a,
    # P3 in 2B, P5 in 01 (old code mapped), P6 in 75; P4 nowhere below NAT.
    deps = cells(res, "2024-01", "DEP")
    assert deps == {dep_a: 1, dep_b: 1, "2B": 1, "01": 1, "75": 1}
    assert "2A" not in deps  # empty territory: no row
    # The committee spans both départements: P1 and P7 -> 2, not the sum of anything else.
    assert cells(res, "2024-01", "BASSIN")[bassin] == 2
    assert cells(res, "2024-01", "BASSIN")["CLPE01001"] == 1  # 01165, the merged commune
    # Regions: 07, 26, 01 in 84 (P1, P7, P5); 2B in 94; 75 in 11.
    assert cells(res, "2024-01", "REG") == {"84": 3, "94": 1, "11": 1}
    # Unknown commune at NAT only: the sum of regions (5) is one short of NAT (6).

    # Operators: FT = P1, P3, P6, P7; ML = P1; CE = P4; APEC = P5 (do not add up to 6).
    assert cells(res, "2024-01", "NAT", "operator") == {"FT": 4, "ML": 1, "CE": 1, "APEC": 1}
    # Sex from the spell giving the territory: P1 F (ML spell), P3 M, others F.
    assert cells(res, "2024-01", "NAT", "sex") == {"F": 5, "M": 1}
    # Age = 2024 - birth year: P1 2002 -> 22 '<26'; P7 1960 -> 64 '50+'; others 34.
    assert cells(res, "2024-01", "NAT", "age_band") == {"<26": 1, "26-49": 4, "50+": 1}
    # Seniority at 2024-01-31 since the earliest active start: P1 01-01 <6m, P3 <6m,
    # P7 2023-12-20 <6m, P4 2023-09-01 <6m (4 full months), P6 2023-06-01 6-11m (7),
    # P5 2022-12-15 12-23m (13).
    assert cells(res, "2024-01", "NAT", "seniority") == {"<6m": 4, "6-11m": 1, "12-23m": 1}
    # Category of the spell giving the territory when it is FT's: P3/P6/P7 A; P1 (ML
    # spell, its FT spell in B notwithstanding), P4 (CE) and P5 (APEC) none.
    assert cells(res, "2024-01", "NAT", "category") == {"A": 3, "none": 3}
    # The same breakdowns exist at every level, e.g. operator in the split committee.
    bassin_ops = {v: row[2] for (p, lv, t, b, v), row in res.items()
                  if p == "2024-01" and lv == "BASSIN" and t == bassin and b == "operator"}
    assert bassin_ops == {"FT": 2, "ML": 1}


def test_category_is_that_of_the_spell_giving_the_territory(warehouse):
    """P1 was with FT in category A from 2023-06-01 to 2023-12-15, then registered with a
    département on 2024-01-05; P2 only with the département. At the end of January
    2024 both are active, their territory spell is the département's: category none, as
    for their entry in January (an ended FT spell does not lend its category)."""
    insert(warehouse, "registrations", "FT", "2023-12", [
        reg("f1", 1, "2023-06-01", "75056", exit="2023-12-15", category="A")])
    insert(warehouse, "registrations", "CD", "2024-01", [
        reg("c1", 1, "2024-01-05", "75056", category=None),
        reg("c2", 2, "2024-01-05", "75056", category=None)])
    compute_indicators(warehouse, codes=["CAP_REGISTERED", "CAP_INFLOW"], progress=None)
    for code in ("CAP_REGISTERED", "CAP_INFLOW"):
        res = results(warehouse, code)
        assert cells(res, "2024-01", "NAT", "category") == {"none": 2}, code
        assert cells(res, "2024-01", "NAT", "operator") == {"CD": 2}, code


def test_recompute_replaces_rows(warehouse):
    _registered_fixture(warehouse)
    first = compute_indicators(warehouse, codes=["CAP_REGISTERED"], progress=None)
    again = compute_indicators(warehouse, codes=["CAP_REGISTERED"], progress=None)
    total = warehouse.execute(
        "SELECT count(*) FROM indicators.indicator_values").fetchall()[0][0]
    assert first == again == total


def test_cap_inflow(warehouse):
    """February 2024 entries.

    P1 FT on 2024-02-01 (first day) in commune A, ML on 2024-02-20 in commune B: one
       person, placed at the first registration of the month (A), under FT and ML.
    P2 FT on 2024-01-31: January, not February.
    P3 CE on 2024-02-10, unknown commune: NAT only.
    P4 FT twice in February (02-03 exited 02-05, 02-25) in Ajaccio (2A): once.
    """
    _, com_a, dep_a, com_b, _ = split_bassin(warehouse)
    insert(warehouse, "registrations", "FT", "2024-01", [reg("f2", 2, "2024-01-31", com_a)])
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2024-01-31", com_a) | {"registration_date": "2024-02-01"},
        reg("f2", 2, "2024-01-31", com_a),
        reg("f4a", 4, "2024-02-03", "2A004", exit="2024-02-05"),
        reg("f4b", 4, "2024-02-25", "2A004"),
    ])
    insert(warehouse, "registrations", "ML", "2024-02", [reg("m1", 1, "2024-02-20", com_b)])
    insert(warehouse, "registrations", "CE", "2024-02", [reg("c3", 3, "2024-02-10", "99123")])
    compute_indicators(warehouse, codes=["CAP_INFLOW"], progress=None)
    res = results(warehouse, "CAP_INFLOW")
    assert headline(res, "2024-01") == 1  # P2
    assert headline(res, "2024-02") == 3  # P1, P3, P4
    assert cells(res, "2024-02", "DEP") == {dep_a: 1, "2A": 1}  # P1 in A, P4; P3 nowhere
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 2, "ML": 1, "CE": 1}
    assert cells(res, "2024-02", "REG") == {"84": 1, "94": 1}


def test_cap_outflow(warehouse):
    """February 2024 (a leap year: the last day is the 29th) exits.

    P1 FT exits 2024-02-29 (EMPLOI), nothing else: out, EMPLOI, Bastia.
    P2 FT exits 02-10 but still active with ML: not out.
    P3 FT (since 2023-05-01, commune A) exits 02-05 RADIATION; ML (since 2024-01-10,
       commune B) exits 02-20 DEMENAGEMENT: out once, last exit -> DEMENAGEMENT, placed at
       02-20 by the latest registration (ML, commune B), under FT and ML.
    P4 exits 02-15 and registers again 02-25: active at the end of February, not out.
    P5 exits 2024-01-31: a January exit.
    """
    _, com_a, _, com_b, dep_b = split_bassin(warehouse)
    insert(warehouse, "registrations", "FT", "2024-01", [
        reg("f5", 5, "2023-03-01", com_a, exit="2024-01-31", reason="EMPLOI")])
    insert(warehouse, "registrations", "FT", "2024-02", [
        reg("f1", 1, "2023-03-01", "2B033", exit="2024-02-29", reason="EMPLOI"),
        reg("f2", 2, "2023-03-01", com_a, exit="2024-02-10", reason="FORMATION"),
        reg("f3", 3, "2023-05-01", com_a, exit="2024-02-05", reason="RADIATION"),
        reg("f4a", 4, "2023-03-01", com_a, exit="2024-02-15", reason="RADIATION"),
        reg("f4b", 4, "2024-02-25", com_a),
    ])
    insert(warehouse, "registrations", "ML", "2024-02", [
        reg("m2", 2, "2023-09-01", com_a),
        reg("m3", 3, "2024-01-10", com_b, exit="2024-02-20", reason="DEMENAGEMENT"),
    ])
    compute_indicators(warehouse, codes=["CAP_OUTFLOW"], progress=None)
    res = results(warehouse, "CAP_OUTFLOW")
    assert headline(res, "2024-01") == 1  # P5
    assert headline(res, "2024-02") == 2  # P1, P3
    assert cells(res, "2024-02", "NAT", "exit_reason") == {"EMPLOI": 1, "DEMENAGEMENT": 1}
    assert cells(res, "2024-02", "DEP") == {"2B": 1, dep_b: 1}
    assert cells(res, "2024-02", "NAT", "operator") == {"FT": 2, "ML": 1}
