"""The data-quality report on a small published warehouse, healthy then corrupted."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from socle.cli import main
from socle.config import Paths
from socle.generate import generate_landing
from socle.pipeline import run_pipeline
from socle.quality import build_quality_report
from socle.quality.suites import SUITES

HAS_GX = importlib.util.find_spec("great_expectations") is not None
if not HAS_GX and os.environ.get("SOCLE_REQUIRE_SERVICES") == "1":
    # CI installs the `quality` extra (make test): a missing GE must fail, not skip.
    raise RuntimeError("great_expectations is not importable: run `uv sync --extra quality`")
needs_gx = pytest.mark.skipif(
    not HAS_GX, reason="great_expectations is not installed (uv sync --extra quality)")

# Any src/href/url() naming a host, written independently of socle.quality.offline.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
                      r"""|url\(\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("quality"))
    generate_landing(paths.landing, 1_500, ("2024-01", "2024-03"), seed=7, progress=None)
    assert run_pipeline(paths, progress=lambda _: None).ok
    return paths


@pytest.fixture(scope="module")
def healthy(published: Paths):
    return build_quality_report(published.warehouse, published.data_dir / "quality")


@pytest.fixture(scope="module")
def corrupted(published: Paths, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A copy of the published warehouse with one rate of 1.5 (a committee) and one
    negative count (a département, value and numerator alike)."""
    paths = Paths(tmp_path_factory.mktemp("corrupted"))
    paths.warehouse.parent.mkdir(parents=True)
    shutil.copyfile(published.warehouse, paths.warehouse)
    con = duckdb.connect(str(paths.warehouse))
    for sql in (
        """UPDATE indicators.indicator_values SET value = 1.5 WHERE rowid = (
               SELECT rowid FROM indicators.indicator_values
               WHERE unit = 'rate' AND level = 'BASSIN' AND period = DATE '2024-02-01'
               ORDER BY indicator_code, territory_code, breakdown, breakdown_value LIMIT 1)""",
        """UPDATE indicators.indicator_values SET value = -3, numerator = -3 WHERE rowid = (
               SELECT rowid FROM indicators.indicator_values
               WHERE unit = 'persons' AND level = 'DEP' AND breakdown = 'sex'
                 AND period = DATE '2024-03-01'
               ORDER BY indicator_code, territory_code, breakdown_value LIMIT 1)""",
    ):
        con.execute(sql)
    con.close()
    return paths


@pytest.mark.slow
@needs_gx
def test_every_suite_passes_on_the_published_warehouse(healthy, published: Paths):
    assert healthy.success, healthy.render()
    assert [s.name for s in healthy.suites] == [s.name for s in SUITES]
    assert {s.name: s.evaluated for s in healthy.suites} == {
        "indicateurs": 4, "indicateurs_niveaux": 1, "indicateurs_evolution": 2, "audit": 1,
        "audit_quarantaine": 1, "livraisons_FT": 3, "livraisons_ML": 3, "livraisons_CE": 3,
        "livraisons_APEC": 3, "livraisons_CD": 3}
    assert [m.isoformat() for m in healthy.months] == ["2024-01-01", "2024-02-01",
                                                       "2024-03-01"]
    assert healthy.index == published.data_dir / "quality" / "index.html"
    index = healthy.index.read_text(encoding="utf-8")
    assert "Toutes les attentes sont satisfaites." in index
    for suite in healthy.suites:  # every link of the index leads to a page
        assert (healthy.index.parent / suite.page).is_file()
        assert (healthy.index.parent / "expectations" / f"{suite.name}.html").is_file()


@pytest.mark.slow
@needs_gx
def test_the_corrupted_rows_fail_exactly_their_expectations(corrupted: Paths, capsys):
    os.environ["SOCLE_DATA_DIR"] = str(corrupted.data_dir)
    try:
        code = main(["quality"])
    finally:
        del os.environ["SOCLE_DATA_DIR"]
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL indicateurs: 4 expectation(s), 2 failed" in out
    assert str(corrupted.data_dir / "quality" / "index.html") in out
    report = build_quality_report(corrupted.warehouse, corrupted.data_dir / "quality")
    failed = {(f.suite, f.expectation): f for f in report.failures}
    assert set(failed) == {("indicateurs", "taux_entre_0_et_1"),
                           ("indicateurs", "numerateurs_positifs")}
    assert [f.unexpected for f in failed.values()] == [1, 1]
    rate = failed[("indicateurs", "taux_entre_0_et_1")].examples
    assert len(rate) == 1 and rate[0].startswith("2024-02-01 ") and " BASSIN " in rate[0]
    assert rate[0].endswith("value = 1.5")
    count = failed[("indicateurs", "numerateurs_positifs")].examples
    assert len(count) == 1 and " DEP " in count[0] and count[0].endswith("numerator = -3")
    assert [s.name for s in report.suites if not s.success] == ["indicateurs"]
    index = report.index.read_text(encoding="utf-8")
    assert "2 attente(s) en échec." in index and "taux_entre_0_et_1" in index


@pytest.mark.slow
@needs_gx
def test_the_data_docs_read_offline(healthy):
    site = healthy.index.parent
    files = [*site.rglob("*.html"), *site.rglob("*.css")]
    assert len(files) > 20
    outside = [f"{p.relative_to(site)}: {m[0]}" for p in files
               for m in EXTERNAL.finditer(p.read_text(encoding="utf-8", errors="replace"))]
    assert outside == []
    page = (site / healthy.suites[0].page).read_text(encoding="utf-8")
    prefix = "../" * (len(Path(healthy.suites[0].page).parts) - 1)
    for local in ("static/vendor/bootstrap/css/bootstrap.min.css",
                  "static/vendor/bootstrap/js/bootstrap.bundle.min.js",
                  "static/vendor/jquery/jquery.min.js",
                  "static/vendor/font-awesome/css/all.min.css"):
        assert f'"{prefix}{local}"' in page
        assert (site / local).is_file()
    assert list((site / "static/vendor/font-awesome/webfonts").glob("fa-solid-900.*"))
    assert not (site.parent / "quality.tmp").exists()


def test_without_great_expectations_the_command_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "great_expectations", None)  # import fails
    assert main(["quality"]) == 2
    assert capsys.readouterr().err.strip() == (
        "socle quality: Great Expectations is not installed: run `uv sync --extra quality` "
        "(the data-quality report is an optional extra)")
