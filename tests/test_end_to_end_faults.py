"""The pipeline against the generator's documented fault mix: every fault lands where the
contract says, and the published stock is the clean truth."""

import duckdb
import pytest

from socle.config import Paths
from socle.generate import generate_landing
from socle.pipeline import run_pipeline

# Slow tier: the module's fixture generates a faulty network and runs the pipeline on it.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory):
    paths = Paths(tmp_path_factory.mktemp("faults"))
    truth = generate_landing(paths.landing, 1_000, ("2024-01", "2024-02"), seed=11,
                             faults=True, progress=None)
    summary = run_pipeline(paths, progress=lambda _: None)
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    yield truth, summary, con
    con.close()


def test_rejected_deliveries_are_exactly_the_planted_ones(faulty_run):
    truth, summary, _ = faulty_run
    planted = {(d["operator"], d["month"], d["extract"])
               for d in truth["fault_mix"]["rejected_deliveries"]}
    assert len(planted) == 3
    assert {(d.operator, f"{d.month:%Y-%m}", d.extract) for d in summary.rejected} == planted
    assert not summary.ok  # `socle run` exits 1: a delivery needs fixing


def test_bad_and_duplicate_rows_are_counted_to_the_row(faulty_run):
    truth, _, con = faulty_run
    mix = truth["fault_mix"]
    quarantined, duplicates = con.execute(
        "SELECT sum(rows_quarantined), sum(rows_duplicate) FROM audit.deliveries"
    ).fetchone()
    assert (quarantined, duplicates) == (mix["bad_rows"], mix["duplicate_rows"])
    unbalanced = con.execute(
        """SELECT count(*) FROM audit.deliveries
           WHERE rows_read <> rows_loaded + rows_quarantined + rows_duplicate"""
    ).fetchone()[0]
    assert unbalanced == 0


def test_the_stock_is_the_clean_truth_despite_the_faults(faulty_run):
    truth, _, con = faulty_run
    published = dict(con.execute(
        """SELECT strftime(period, '%Y-%m'), CAST(value AS BIGINT)
           FROM indicators.indicator_values
           WHERE indicator_code = 'CAP_REGISTERED' AND level = 'NAT' AND breakdown = 'total'"""
    ).fetchall())
    assert published == truth["active_persons_month_end"]
