"""Consistency on a random, generated-like fixture: each national headline equals a direct
count written independently here (plain SQL on staging, correlated subqueries, medians in
Python), and the levels below partition the communes."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import numpy as np
import pytest
from helpers import national

from socle.indicators import compute_batches, compute_indicators
from socle.warehouse import scalar

# Slow tier: the module's fixture builds and computes a year of synthetic staging rows.
pytestmark = pytest.mark.slow

MONTHS = [date(2024, m, 1) for m in (1, 2, 3, 4)]
COMMUNES = ["75056", "2A004", "2B033", "01165", "13055", "69123", "26362", "07102", "99123"]
OPERATORS = ["FT", "ML", "CE", "APEC", "CD"]


def _end(m: date) -> date:
    return (m.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _build(con, n_persons: int = 1500, seed: int = 7) -> None:
    """Spells delivered as monthly snapshots (exits known from the month they happen),
    events in their month's delivery."""
    rng = np.random.default_rng(seed)
    base = date(2023, 6, 1)
    horizon = (_end(MONTHS[-1]) - base).days
    regs, paths, diags, hires, offers, answers = [], [], [], [], [], []
    for p in range(n_persons):
        person = f"{p:064x}"
        ops = rng.choice(OPERATORS, size=1 + (rng.random() < 0.2), replace=False)
        for k, op in enumerate(ops):
            start = base + timedelta(days=int(rng.integers(0, horizon)))
            exit_ = start + timedelta(days=int(rng.integers(0, 200)))
            exit_ = exit_ if rng.random() < 0.5 and exit_ <= _end(MONTHS[-1]) else None
            regs.append((f"r{p}_{k}", person, start, exit_, str(op),
                         COMMUNES[int(rng.integers(0, len(COMMUNES)))],
                         str(rng.choice(["F", "M"])), int(rng.integers(1955, 2005))))
            if rng.random() < 0.6:
                ps = start + timedelta(days=int(rng.integers(0, 90)))
                pe = ps + timedelta(days=int(rng.integers(0, 150)))
                paths.append((f"p{p}_{k}", person, str(op),
                               str(rng.choice(["SUIVI", "GUIDE", "RENFORCE", "CEJ"])), ps,
                               pe if rng.random() < 0.5 else None))
            if rng.random() < 0.7:
                diags.append((f"d{p}_{k}", person, str(op),
                              start + timedelta(days=int(rng.integers(-10, 60)))))
        if rng.random() < 0.4:
            hires.append((f"h{p}", person, base + timedelta(days=int(rng.integers(0, horizon))),
                          str(rng.choice(["CDI", "CDD", "CTT"])), int(rng.integers(1, 12))))
        if rng.random() < 0.3:
            answers.append((f"s{p}", "PERSON", person, None, None,
                            base + timedelta(days=int(rng.integers(0, horizon))),
                            int(rng.integers(1, 5))))
    for o in range(400):
        posted = base + timedelta(days=int(rng.integers(0, horizon)))
        closed = posted + timedelta(days=int(rng.integers(0, 120)))
        offers.append((f"o{o}", COMMUNES[o % len(COMMUNES)], posted,
                       closed if closed <= _end(MONTHS[-1]) else None,
                       str(rng.choice(["POURVUE", "ANNULEE", "EXPIREE"]))))
    now = "2024-06-01 00:00:00"
    for m in MONTHS:
        lo, hi = m, _end(m)
        for rid, person, start, exit_, op, com, sex, by in regs:
            if start <= hi and (exit_ is None or exit_ >= lo):
                seen = exit_ if exit_ is not None and exit_ <= hi else None
                con.execute(
                    "INSERT INTO staging.registrations (registration_id, person_id, "
                    "registration_date, exit_date, exit_reason, commune_code, sex, birth_year,"
                    " category, operator, delivery_month, source_file, loaded_at) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', ?)",
                    [rid, person, start, seen, "AUTRE" if seen else None, com, sex, by,
                     "A" if op == "FT" else None, op, m, now])
        for pid_, person, op, ptype, ps, pe in paths:
            if ps <= hi and (pe is None or pe >= lo):
                con.execute("INSERT INTO staging.pathways VALUES (?, ?, ?, ?, ?, ?, ?, 'x', ?)",
                            [pid_, person, ptype, ps, pe if pe and pe <= hi else None, op, m,
                             now])
        for oid, com, posted, closed, reason in offers:
            if posted <= hi and (closed is None or closed >= lo):
                shown = closed if closed and closed <= hi else None
                con.execute("INSERT INTO staging.job_offers VALUES (?, '12345678901234', ?, "
                            "NULL, ?, ?, ?, 1, 'FT', ?, 'x', ?)",
                            [oid, com, posted, shown, reason if shown else None, m, now])
        for did, person, op, when in diags:
            if lo <= when <= hi:
                con.execute("INSERT INTO staging.diagnostics VALUES (?, ?, ?, 'PRO', ?, ?, "
                            "'x', ?)", [did, person, when, op, m, now])
        for hid, person, when, ctype, months in hires:
            if lo <= when <= hi:
                con.execute("INSERT INTO staging.hires VALUES (?, ?, ?, ?, ?, 'FT', ?, 'x', ?)",
                            [hid, person, when, ctype, months, m, now])
        for rid, kind, person, siret, com, when, score in answers:
            if lo <= when <= hi:
                con.execute("INSERT INTO staging.satisfaction VALUES (?, ?, ?, ?, ?, ?, ?, "
                            "'FT', ?, 'x', ?)", [rid, kind, person, siret, com, when, score,
                                                 m, now])


LATEST = """
CREATE TEMP TABLE t_{t} AS SELECT * FROM staging.{t} s
WHERE delivery_month = (SELECT max(delivery_month) FROM staging.{t} s2
                        WHERE s2.operator = s.operator AND s2.{id} = s.{id})
"""


@pytest.fixture(scope="module")
def computed(tmp_path_factory, new_warehouse):
    con = new_warehouse(tmp_path_factory.mktemp("consistency"))
    con.execute("BEGIN")
    _build(con)
    con.execute("COMMIT")
    compute_indicators(con, progress=None)
    for t, id_ in (("registrations", "registration_id"), ("pathways", "pathway_id"),
                   ("job_offers", "offer_id")):
        con.execute(LATEST.format(t=t, id=id_))
    yield con
    con.close()


ACTIVE = "registration_date <= $d AND (exit_date IS NULL OR exit_date > $d)"


@pytest.mark.parametrize("m", MONTHS)
def test_stocks_and_flows(computed, m):
    con, e = computed, _end(m)
    registered = scalar(con, f"SELECT count(DISTINCT person_id) FROM t_registrations "
                      f"WHERE {ACTIVE.replace('$d', '?')}", [e, e])
    assert national(con, "CAP_REGISTERED")[f"{m:%Y-%m}"][0] == registered
    inflow = scalar(con, "SELECT count(DISTINCT person_id) FROM t_registrations "
                  "WHERE registration_date BETWEEN ? AND ?", [m, e])
    assert national(con, "CAP_INFLOW")[f"{m:%Y-%m}"][0] == inflow
    outflow = scalar(con, f"""
        SELECT count(DISTINCT person_id) FROM t_registrations r
        WHERE exit_date BETWEEN ? AND ? AND NOT EXISTS (
            SELECT 1 FROM t_registrations a WHERE a.person_id = r.person_id
            AND {ACTIVE.replace('$d', '?')})""", [m, e, e, e])
    assert national(con, "CAP_OUTFLOW")[f"{m:%Y-%m}"][0] == outflow
    in_path = scalar(con, "SELECT count(DISTINCT person_id) FROM t_pathways WHERE "
                   "start_date <= ? AND (end_date IS NULL OR end_date > ?)", [e, e])
    assert national(con, "REA_IN_PATHWAY")[f"{m:%Y-%m}"][0] == in_path
    waiting = scalar(con, f"""
        SELECT count(DISTINCT person_id) FROM t_registrations r
        WHERE {ACTIVE.replace('$d', '?')} AND NOT EXISTS (
            SELECT 1 FROM staging.diagnostics g WHERE g.person_id = r.person_id
            AND g.diagnostic_date <= ? AND g.diagnostic_date >= (
                SELECT max(registration_date) FROM t_registrations l
                WHERE l.person_id = r.person_id AND l.registration_date <= ?))""",
                   [e, e, e, e])
    assert national(con, "REA_WAITING_DIAG")[f"{m:%Y-%m}"][0] == waiting


@pytest.mark.parametrize("m", MONTHS)
def test_rates_and_medians(computed, m):
    con, e, prev = computed, _end(m), m - timedelta(days=1)
    stock = scalar(con, f"SELECT count(DISTINCT person_id) FROM t_registrations "
                 f"WHERE {ACTIVE.replace('$d', '?')}", [prev, prev])
    hired = scalar(con, f"""
        SELECT count(DISTINCT person_id) FROM t_registrations r
        WHERE {ACTIVE.replace('$d', '?')} AND person_id IN (
            SELECT person_id FROM staging.hires WHERE hire_date BETWEEN ? AND ?)""",
                 [prev, prev, m, e])
    num, den, _ = national(con, "PERF_RETURN_EMPLOYMENT")[f"{m:%Y-%m}"]
    assert (num, den) == (hired, stock)
    closed = con.execute("SELECT closing_reason, closed_date - posted_date FROM t_job_offers "
                         "WHERE closed_date BETWEEN ? AND ?", [m, e]).fetchall()
    filled = [delay for reason, delay in closed if reason == "POURVUE"]
    assert national(con, "PERF_OFFER_FILL_RATE")[f"{m:%Y-%m}"][:2] == (len(filled), len(closed))
    assert national(con, "PERF_OFFER_FILL_DELAY")[f"{m:%Y-%m}"] == (None, len(filled),
                                                    statistics.median(filled))
    delays = [r[0] for r in con.execute("""
        SELECT g.diagnostic_date - (SELECT max(registration_date) FROM t_registrations r
                                    WHERE r.person_id = g.person_id
                                    AND r.registration_date <= g.diagnostic_date) AS delay
        FROM staging.diagnostics g WHERE g.diagnostic_date BETWEEN ? AND ?""",
        [m, e]).fetchall() if r[0] is not None]
    assert national(con, "REA_DIAG_DELAY")[f"{m:%Y-%m}"] == (None, len(delays),
                                                             statistics.median(delays))
    answers = con.execute("SELECT count(*) FILTER (WHERE score >= 3), count(*) FROM "
                          "staging.satisfaction WHERE respondent_type = 'PERSON' AND "
                          "response_date BETWEEN ? AND ?", [m, e]).fetchall()[0]
    assert national(con, "PERF_USER_SATISFACTION")[f"{m:%Y-%m}"][:2] == answers


def test_levels_partition_the_communes(computed):
    """For counts, REG, DEP and BASSIN each cover the known communes exactly once: their
    sums agree with one another and stay at or below NAT (unknown communes)."""
    rows = computed.execute("""
        SELECT indicator_code, period, level, sum(numerator)
        FROM indicators.indicator_values
        WHERE breakdown = 'total' AND denominator IS NULL
        GROUP BY ALL""").fetchall()
    sums: dict[tuple, dict[str, int]] = {}
    for code, period, level, total in rows:
        sums.setdefault((code, period), {})[level] = total
    assert sums
    for levels in sums.values():
        assert levels.get("REG") == levels.get("DEP") == levels.get("BASSIN")
        assert levels["REG"] <= levels["NAT"]


def test_batches_computed_in_one_pass_equal_a_whole_computation(computed):
    """A monthly run computes some indicators for some months and others for others in one
    pass: the stocks and the populations' counts of the first batch must not leak into
    the second (each reads its own months)."""
    everything = "SELECT * FROM indicators.indicator_values ORDER BY ALL"
    whole = computed.execute(everything).fetchall()
    first = ["CAP_REGISTERED", "REA_IN_PATHWAY", "PERF_RETURN_EMPLOYMENT"]
    computed.execute("DELETE FROM indicators.indicator_values WHERE period = ? "
                     "AND list_contains(?, indicator_code)", [MONTHS[0], first])
    computed.execute("DELETE FROM indicators.indicator_values WHERE period >= ?", [MONTHS[2]])
    assert len(computed.execute(everything).fetchall()) < len(whole)
    written = compute_batches(computed, [([MONTHS[0]], first), (MONTHS[2:], None)],
                              progress=None)
    assert written == len(whole) - scalar(
        computed, "SELECT count(*) FROM indicators.indicator_values WHERE period = ? AND NOT "
        "list_contains(?, indicator_code) OR period = ?", [MONTHS[0], first, MONTHS[1]])
    assert computed.execute(everything).fetchall() == whole
