"""Statistical secrecy: primary masks under the threshold, secondary masks against subtraction."""

import random
from datetime import date

import numpy as np
import polars as pl
import pytest

from socle.export.secrecy import apply_secrecy

P = date(2024, 3, 1)
# A toy geography: the nation, two régions; région R1 has départements D1 and D2,
# région R2 has D3; committee B1 is attached to D1.
TERRITORIES = pl.DataFrame(
    {
        "level": ["NAT", "REG", "REG", "DEP", "DEP", "DEP", "BASSIN"],
        "territory_code": ["FR", "R1", "R2", "D1", "D2", "D3", "B1"],
        "parent_level": [None, "NAT", "NAT", "REG", "REG", "REG", "DEP"],
        "parent_code": [None, "FR", "FR", "R1", "R1", "R2", "D1"],
    }
)


def _counts(rows: list[tuple[str, str, str, str, int]]) -> pl.DataFrame:
    """Count cells (level, territory, breakdown, modality, count) of CAP_REGISTERED."""
    level, terr, bd, bv, n = zip(*rows, strict=True)
    return pl.DataFrame(
        {
            "period": [P] * len(rows),
            "indicator_code": ["CAP_REGISTERED"] * len(rows),
            "level": level,
            "territory_code": terr,
            "breakdown": bd,
            "breakdown_value": bv,
            "numerator": [float(x) for x in n],
            "denominator": [None] * len(rows),
            "value": [float(x) for x in n],
            "unit": ["persons"] * len(rows),
        },
        schema_overrides={"denominator": pl.Float64},
    )


def _masked(df: pl.DataFrame) -> set[tuple[str, str, str]]:
    rows = df.filter(pl.col("masked")).select("territory_code", "breakdown", "breakdown_value")
    return set(rows.iter_rows())


def test_lone_small_department_gets_a_partner_masked():
    # R1 = D1 + D2 = 100 + 3: D2 (3 < 5) is masked; alone it could be recovered as
    # R1 − D1 = 103 − 100, so D1 is masked too (the only other cell of that group).
    # NAT = R1 + R2 = 103 + 50 has no masked cell: nothing more to hide.
    df = _counts([
        ("NAT", "FR", "total", "total", 153),
        ("REG", "R1", "total", "total", 103),
        ("REG", "R2", "total", "total", 50),
        ("DEP", "D1", "total", "total", 100),
        ("DEP", "D2", "total", "total", 3),
        ("DEP", "D3", "total", "total", 50),
    ])
    out = apply_secrecy(df, TERRITORIES)
    assert _masked(out) == {("D2", "total", "total"), ("D1", "total", "total")}


def test_breakdown_secondary_masks_the_smallest_other_modality():
    # D3: total 50 = F 47 + M 3. M is masked (primary); F = total − M would give it back,
    # so F must go too... but then the group {total, F, M} has two masked cells: done.
    # Across territories, D3/M alone in group {R2, D3} (R2/M = 3 is masked too as 3 < 5).
    df = _counts([
        ("REG", "R2", "total", "total", 50),
        ("REG", "R2", "sex", "F", 47),
        ("REG", "R2", "sex", "M", 3),
        ("DEP", "D3", "total", "total", 50),
        ("DEP", "D3", "sex", "F", 47),
        ("DEP", "D3", "sex", "M", 3),
    ])
    out = apply_secrecy(df, TERRITORIES)
    assert _masked(out) == {
        ("R2", "sex", "M"), ("R2", "sex", "F"), ("D3", "sex", "M"), ("D3", "sex", "F"),
    }


def test_non_additive_breakdown_has_no_secondary_masking():
    # A person counts under each operator: FT 40 + ML 4 need not add up to the total,
    # so only ML (4 < 5) is masked.
    df = _counts([
        ("DEP", "D3", "total", "total", 42),
        ("DEP", "D3", "operator", "FT", 40),
        ("DEP", "D3", "operator", "ML", 4),
    ])
    out = apply_secrecy(df, TERRITORIES)
    assert _masked(out) == {("D3", "operator", "ML")}


def _rate(numerator: float, denominator: float) -> pl.DataFrame:
    return _counts([("DEP", "D3", "total", "total", denominator)]).with_columns(
        pl.lit(numerator).alias("numerator"), pl.lit(denominator).alias("denominator"),
        pl.lit(numerator / denominator).alias("value"), pl.lit("rate").alias("unit"),
    )


def test_threshold_is_configurable_and_rates_use_their_denominator():
    df = _rate(5.0, 7.0)  # 5 of 7: neither is under 5
    assert _masked(apply_secrecy(df, TERRITORIES, threshold=5)) == set()
    assert _masked(apply_secrecy(df, TERRITORIES, threshold=10)) == {("D3", "total", "total")}


def test_a_rate_with_a_small_numerator_is_masked_whatever_its_denominator():
    # 2 of 700 persons: 2/700 × 700 gives the 2 back, so the cell is as small as a count of 2.
    assert _masked(apply_secrecy(_rate(2.0, 700.0), TERRITORIES)) == {("D3", "total", "total")}
    assert _masked(apply_secrecy(_rate(4.0, 700.0), TERRITORIES)) == {("D3", "total", "total")}
    # None and all are not small counts of persons the rate would disclose by itself.
    assert _masked(apply_secrecy(_rate(0.0, 700.0), TERRITORIES)) == set()
    assert _masked(apply_secrecy(_rate(5.0, 700.0), TERRITORIES)) == set()


def test_masks_do_not_depend_on_row_order():
    # Two equally small candidates (D1 and D2 both 10) for the secondary mask: whatever the
    # order rows arrive in, the same one is chosen, so a re-run publishes the same files.
    df = _counts([
        ("REG", "R1", "total", "total", 22),
        ("DEP", "D1", "total", "total", 10),
        ("DEP", "D2", "total", "total", 10),
        ("DEP", "D3", "total", "total", 2),
    ])
    # Here D3 belongs to R1 too: R1 = D1 + D2 + D3.
    territories = TERRITORIES.with_columns(
        pl.when(pl.col("territory_code") == "D3").then(pl.lit("R1"))
        .otherwise(pl.col("parent_code")).alias("parent_code")
    )
    masks = {
        frozenset(_masked(apply_secrecy(df.sample(fraction=1.0, shuffle=True, seed=s),
                                        territories)))
        for s in range(8)
    }
    assert masks == {frozenset({("D3", "total", "total"), ("D1", "total", "total")})}


# An independent check, written from the relations alone: which masked cells do the
# published cells determine exactly? Relations: each parent territory is the sum of its
# children, per (breakdown, modality), wherever their sizes add up; at each territory the
# modalities of a breakdown add up to its total wherever their published sizes say so. A
# masked cell is determined when every solution of the relations (masked cells unknown)
# gives it the same value: when it takes no part in the null space of the relations' matrix.
PAIRS = (("REG", "NAT"), ("DEP", "REG"), ("BASSIN", "DEP"), ("BASSIN", "NAT"))


def _determined(out: pl.DataFrame, territories: pl.DataFrame) -> list[tuple]:
    parent = dict(zip(zip(territories["level"], territories["territory_code"], strict=True),
                      territories["parent_code"], strict=True))
    size = {}
    masked = set()
    for r in out.iter_rows(named=True):
        key = (r["indicator_code"], r["level"], r["territory_code"], r["breakdown"],
               r["breakdown_value"])
        size[key] = r["denominator"] if r["denominator"] is not None else r["numerator"]
        if r["masked"]:
            masked.add(key)
    relations = []
    for head in size:
        for child, level in PAIRS:
            if head[1] != level:
                continue
            kids = [k for k in size if k[0] == head[0] and k[3:] == head[3:] and k[1] == child
                    and (level == "NAT" or parent.get((child, k[2])) == head[2])]
            # An equation only where the parent is the sum of its children (committees
            # need not cover a département, nor communes the nation).
            if kids and sum(size[k] for k in kids) == size[head]:
                relations.append({head: 1, **{k: -1 for k in kids}})
        if head[3] == "total":
            for bd in {k[3] for k in size if k[:3] == head[:3] and k[3] != "total"}:
                mods = [k for k in size if k[:4] == (*head[:3], bd)]
                if sum(size[m] for m in mods) == size[head]:
                    relations.append({head: 1, **{m: -1 for m in mods}})
    unknown = sorted(masked)
    matrix = np.array([[rel.get(u, 0) for u in unknown] for rel in relations], dtype=float)
    matrix = matrix[np.abs(matrix).sum(axis=1) > 0] if unknown else matrix
    if not unknown or matrix.shape[0] == 0:
        return []
    _, singular, vt = np.linalg.svd(matrix)
    null = vt[int((singular > 1e-9).sum()):]
    return [u for i, u in enumerate(unknown) if not np.any(np.abs(null[:, i]) > 1e-9)]


def _table(values: dict[str, list[int]], levels: dict[str, str], breakdown: str,
           modalities: list[str], indicator: str = "CAP_REGISTERED") -> pl.DataFrame:
    rows = []
    for terr, counts in values.items():
        rows.append((levels[terr], terr, "total", "total", sum(counts)))
        rows += [(levels[terr], terr, breakdown, m, n)
                 for m, n in zip(modalities, counts, strict=True) if n]
    return _counts(rows).with_columns(pl.lit(indicator).alias("indicator_code"))


def test_no_masked_cell_is_recovered_by_combining_rows_and_columns():
    """Four départements of R1 by age band. Primary masks: D1 <26 2, 26-49 3; D2 <26 1,
    26-49 4, 50+ 2; D3 50+ 3, unknown 4; D4 50+ 1, unknown 2. Every row and column then
    holds 0 or at least 2 masked cells, so masking lone cells adds nothing; yet
    D2/50+ = (row D1) + (row D2) - (column <26) - (column 26-49) = 2 from published cells.
    It must come out undetermined, every other masked cell too."""
    ages = ["<26", "26-49", "50+", "unknown"]
    deps = {"D1": [2, 3, 40, 30], "D2": [1, 4, 2, 50], "D3": [30, 40, 3, 4],
            "D4": [35, 45, 1, 2]}
    r1 = [sum(v[i] for v in deps.values()) for i in range(4)]
    territories = pl.DataFrame({
        "level": ["NAT", "REG", "DEP", "DEP", "DEP", "DEP"],
        "territory_code": ["FR", "R1", "D1", "D2", "D3", "D4"],
        "parent_code": [None, "FR", "R1", "R1", "R1", "R1"],
    })
    levels = {"FR": "NAT", "R1": "REG"} | {d: "DEP" for d in deps}
    df = _table({**deps, "R1": r1, "FR": r1}, levels, "age_band", ages)
    out = apply_secrecy(df, territories)
    masked = _masked(out)
    primary = {("D1", "age_band", "<26"), ("D1", "age_band", "26-49"),
               ("D2", "age_band", "<26"), ("D2", "age_band", "26-49"),
               ("D2", "age_band", "50+"), ("D3", "age_band", "50+"),
               ("D3", "age_band", "unknown"), ("D4", "age_band", "50+"),
               ("D4", "age_band", "unknown")}
    assert primary < masked
    assert _determined(out, territories) == []


def test_units_with_a_single_operator_make_the_operator_breakdown_additive():
    """Offers closed in D3: FT 20, APEC 2 (each offer has one operator: 20 + 2 = 22, the
    total). APEC (2 < 5) is masked and total - FT would give it back, so FT is masked
    too. Persons of D3: FT 40, ML 4, total 42 (two persons followed by both): no
    relation, ML alone is masked."""
    offers = _table({"D3": [20, 2]}, {"D3": "DEP"}, "operator", ["FT", "APEC"],
                    "PERF_OFFER_FILL_RATE")
    persons = _table({"D3": [40, 4]}, {"D3": "DEP"}, "operator", ["FT", "ML"])
    persons = persons.with_columns(
        pl.when(pl.col("breakdown") == "total").then(42.0).otherwise(pl.col("numerator"))
        .alias("numerator"))
    out = apply_secrecy(pl.concat([offers, persons]), TERRITORIES)
    masked = {(r["indicator_code"], r["breakdown_value"])
              for r in out.filter(pl.col("masked")).iter_rows(named=True)}
    assert masked == {("PERF_OFFER_FILL_RATE", "APEC"), ("PERF_OFFER_FILL_RATE", "FT"),
                      ("CAP_REGISTERED", "ML")}


def _joint_table(seed: int, breakdowns: int = 3, modalities: int = 4
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Committees of two régions x three départements x two committees, each with a few
    units drawn over `breakdowns` breakdowns at once (so every breakdown adds up to the
    total and the tables share their totals); every level summed from the committees."""
    rnd = random.Random(seed)
    territories = {"FR": ("NAT", None)}
    for r in range(2):
        territories[f"R{r}"] = ("REG", "FR")
        for d in range(3):
            territories[f"D{r}{d}"] = ("DEP", f"R{r}")
            for b in range(2):
                territories[f"B{r}{d}{b}"] = ("BASSIN", f"D{r}{d}")
    units: dict[str, dict[tuple[int, ...], int]] = {}
    for code, (level, _) in territories.items():
        if level != "BASSIN":
            continue
        drawn: dict[tuple[int, ...], int] = {}
        for _ in range(rnd.choice([0, 1, 2, 3, 5, 8, 15, 30])):
            key = tuple(rnd.randrange(modalities) for _ in range(breakdowns))
            drawn[key] = drawn.get(key, 0) + 1
        node: str | None = code
        while node is not None:
            acc = units.setdefault(node, {})
            for key, n in drawn.items():
                acc[key] = acc.get(key, 0) + n
            node = territories[node][1]
    rows = []
    for terr, acc in units.items():
        if not sum(acc.values()):
            continue
        level = territories[terr][0]
        rows.append((level, terr, "total", "total", sum(acc.values())))
        for b in range(breakdowns):
            for m in range(modalities):
                n = sum(v for key, v in acc.items() if key[b] == m)
                if n:
                    rows.append((level, terr, f"b{b}", f"m{m}", n))
    geo = pl.DataFrame({"level": [v[0] for v in territories.values()],
                        "territory_code": list(territories),
                        "parent_code": [v[1] for v in territories.values()]})
    return _counts(rows), geo


@pytest.mark.parametrize(("breakdowns", "seed"),
                         [(1, s) for s in range(6)] + [(3, s) for s in (48, 114, 1, 2, 3)])
def test_random_tables_leave_no_masked_cell_determined(breakdowns, seed):
    """Random units (many cells under 5). With three breakdowns over the same units, each
    two-way table protected on its own, a committee's total could still be recovered
    across them with seeds 48 and 114 (the exact check across tables closes that)."""
    df, geo = _joint_table(seed, breakdowns)
    out = apply_secrecy(df, geo)
    assert out.filter(pl.col("masked")).height > 0
    assert _determined(out, geo) == []


@pytest.fixture(scope="module")
def generated_run(tmp_path_factory: pytest.TempPathFactory):
    from socle.config import Paths
    from socle.generate import generate_landing
    from socle.pipeline import run_pipeline

    paths = Paths(tmp_path_factory.mktemp("secrecy"))
    generate_landing(paths.landing, 1_000, ("2024-01", "2024-02"), seed=21, progress=None)
    run_pipeline(paths, progress=lambda _: None)
    return paths


@pytest.mark.slow
def test_no_published_count_numerator_or_denominator_is_from_1_to_4(generated_run):
    import csv

    small, cells = [], 0
    for path in generated_run.exports.glob("2024-*/niveau_*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f, delimiter=";"):
                cells += 1
                for column in ("numerateur", "denominateur"):
                    if row[column] and 0 < float(row[column].replace(",", ".")) < 5:
                        small.append((path.name, row["indicateur"], row["code_territoire"],
                                      row["ventilation"], row["modalite"], row[column]))
    assert cells > 100_000 and small == []


@pytest.mark.slow
def test_masked_rates_of_a_generated_month_are_not_recovered(generated_run):
    """The independent solver on a generated month's rate, by sex at every territory: no
    masked cell is determined. Numerators add up wherever the units (denominators) do, so
    the relations, hence what they determine, are the same for both."""
    import duckdb

    con = duckdb.connect(str(generated_run.warehouse), read_only=True)
    values = con.sql(
        "SELECT * FROM indicators.indicator_values WHERE period = DATE '2024-02-01' "
        "AND indicator_code = 'PERF_RETURN_EMPLOYMENT' AND breakdown IN ('total', 'sex')").pl()
    territories = con.sql("SELECT * FROM ref.territories").pl()
    con.close()
    out = apply_secrecy(values, territories)
    small_numerators = out.filter((pl.col("numerator") > 0) & (pl.col("numerator") < 5))
    assert small_numerators.height > 0 and small_numerators["masked"].all()
    assert _determined(out, territories) == []
