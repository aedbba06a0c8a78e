"""Statistical secrecy: primary masks under the threshold, secondary masks against subtraction."""

from datetime import date

import polars as pl

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


def test_threshold_is_configurable_and_rates_use_their_denominator():
    df = _counts([("DEP", "D3", "total", "total", 7)]).with_columns(
        pl.lit(2.0).alias("numerator"), pl.lit(7.0).alias("denominator"),
        pl.lit(2 / 7).alias("value"), pl.lit("rate").alias("unit"),
    )
    assert _masked(apply_secrecy(df, TERRITORIES, threshold=5)) == set()
    assert _masked(apply_secrecy(df, TERRITORIES, threshold=10)) == {("D3", "total", "total")}


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
