"""The committee site: French figures, a page per territory and month built from export
folders, and in a real headless Chromium (from the OS packages, driven by Playwright) the
pages load offline, the picker finds a committee, the headline equals the warehouse and
every chart draws its lines."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import polars as pl
import pytest
from published_sample import LATEST, published_sample
from services import service_missing

from socle.export import site as site_module
from socle.export.site import SiteError, write_site
from socle.export.site_html import NNBSP, change, show
from socle.export.tables import Figure
from socle.indicators import write_catalog
from socle.indicators.catalog import load_catalog

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
N = NNBSP


def test_figures_are_written_the_french_way():
    assert show(Figure(1234567.0, False), "persons") == f"1{N}234{N}567"
    assert show(Figure(0.4523, False), "rate") == f"45,2{N}%"
    assert show(Figure(12.5, False), "days") == "12,5"
    assert show(Figure(12.0, False), "days") == "12"
    assert show(Figure(None, True), "persons") == "s"
    assert show(Figure(None, False), "rate") == "–"


def test_changes_are_counts_and_percent_points_and_days():
    assert change(Figure(1234, False), Figure(1000, False), "persons") == f"+234 (+23,4{N}%)"
    assert change(Figure(990, False), Figure(1000, False), "persons") == f"−10 (−1{N}%)"
    assert change(Figure(7, False), Figure(0, False), "persons") == "+7"
    assert change(Figure(0.25, False), Figure(0.2, False), "rate") == f"+5{N}pt"
    assert change(Figure(40.0, False), Figure(42.5, False), "days") == f"−2,5{N}j"
    assert change(Figure(3, False), Figure(None, True), "persons") == "s"
    assert change(Figure(3, False), None, "persons") == "–"  # month not loaded


# ------------------------------------------------------------ a site from hand-made exports

CHAIN = [("BASSIN", "CLPE75001"), ("DEP", "75"), ("REG", "11"), ("NAT", "FR")]
# CAP_REGISTERED and REA_INTENSIVE_SHARE headlines by month, territory then parents.
HAND = {
    "2023-03": {"CAP_REGISTERED": [1000, 5000, 90000, 1200000],
                "REA_INTENSIVE_SHARE": [0.2, 0.3, 0.2, 0.2]},
    "2024-02": {"CAP_REGISTERED": [1200, 5600, 91000, 1213000],
                "REA_INTENSIVE_SHARE": ["s", 0.3, 0.2, 0.2]},
    "2024-03": {"CAP_REGISTERED": [1234, 5678, 91011, 1213141],
                "REA_INTENSIVE_SHARE": [0.25, 0.31, 0.2, 0.215]},
}


class Tables(HTMLParser):
    """The text of each cell of each table whose class is given, row by row."""

    def __init__(self, cls: str) -> None:
        super().__init__()
        self.cls, self.tables, self._in, self._cell = cls, [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (dict(attrs).get("class") or "") == self.cls:
            self._in = True
            self.tables.append([])
        elif self._in and tag == "tr":
            self._flush()
            self.tables[-1].append([])
        elif self._in and tag in ("td", "th"):
            self._flush()
            self._cell = ""
        elif tag == "br" and self._cell is not None:
            self._cell += " "

    def handle_endtag(self, tag):
        if tag == "table" and self._in:
            self._flush()
            self._in = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def _flush(self):
        if self._cell is not None:
            # Spaces, not the narrow no-break ones figures carry.
            self.tables[-1][-1].append(re.sub(r"[ \t\n]+", " ", self._cell).strip())
            self._cell = None


def tables(html: str, cls: str) -> list[list[list[str]]]:
    parser = Tables(cls)
    parser.feed(html)
    return parser.tables


def write_month(root: Path, month: str) -> Path:
    """An export folder as `export_period` writes it, for the committee and its parents."""
    rows = []
    for code, values in HAND[month].items():
        for (level, territory), value in zip(CHAIN, values, strict=True):
            rows.append((code, "ensemble", "ensemble", level, territory, value))
    rows += [("CAP_REGISTERED", "sexe", s, lv, c, v)
             for s, vals in (("F", [600, 3000, 46000, 600000]), ("M", [634, 2678, 45011, 613141]))
             for (lv, c), v in zip(CHAIN, vals, strict=True)]
    frame = pl.DataFrame([
        {"periode": month, "indicateur": ind, "libelle_indicateur": ind, "niveau": lv,
         "code_territoire": c, "libelle_territoire": c, "ventilation": b, "modalite": m,
         "numerateur": None, "denominateur": None, "valeur": None if v == "s" else float(v),
         "unite": "x", "secret": "oui" if v == "s" else "non"}
        for ind, b, m, lv, c, v in rows])
    folder = root / month
    folder.mkdir(parents=True)
    for level in ("NAT", "REG", "DEP", "BASSIN"):
        frame.filter(pl.col("niveau") == level).write_parquet(folder / f"niveau_{level}.parquet")
    files = [{"file": f"territoires/{lv}_{c}.{ext}", "sha256": "0" * 64, "rows": 1}
             for lv, c in CHAIN for ext in ("csv", "xlsx")]
    manifest = {"periode": month, "generated_at": "2024-04-09T06:30:00", "code_version": "1.2+abc",
                "secret_threshold": 5, "files": files, "source_deliveries": [
                    {"operator": "FT", "month": month, "extract": "registrations",
                     "source_file": f"FT/{month}/registrations.csv", "sha256": "a" * 64,
                     "status": "accepted"}],
                "couverture": [{"operateur": "CD", "complet": False,
                                "phrase": "Conseils départementaux : 6 extraits livrés sur 7 "
                                          "attendus."}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def hand_site(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> Path:
    write_catalog(warehouse)
    months = {m: write_month(tmp_path / "exports", m) for m in HAND}
    summary = write_site(warehouse, months, tmp_path / "exports" / "site")
    assert summary["months"] == ["2023-03", "2024-02", "2024-03"]
    assert summary["territory_pages"] == 12
    return tmp_path / "exports" / "site"


def test_a_committee_page_sets_it_beside_its_parents_with_its_changes(hand_site: Path):
    html = (hand_site / "2024-03" / "BASSIN_CLPE75001.html").read_text(encoding="utf-8")
    assert html.startswith('<!doctype html>\n<html lang="fr">')
    [headline] = tables(html, "headline")
    assert headline[0] == ["Indicateur", "Unité", "Paris Comité local pour l'emploi",
                           "Paris Département", "Île-de-France Région", "France France",
                           "Évolution sur 1 mois", "Évolution sur 12 mois"]
    by_label = {r[0]: r[1:] for r in headline[1:] if len(r) > 1}
    assert by_label["Personnes inscrites en fin de mois"] == [
        "personnes", f"1{N}234", f"5{N}678", f"91{N}011", f"1{N}213{N}141",
        f"+34 (+2,8{N}%)", f"+234 (+23,4{N}%)"]
    # February's share was secret: its change is too.
    assert by_label["Part des personnes accompagnées en parcours intensif"] == [
        "taux", f"25{N}%", f"31{N}%", f"20{N}%", f"21,5{N}%", "s", f"+5{N}pt"]
    # Published for none of the territories: a dash, never 0 or blank.
    assert by_label["Sorties : personnes sorties dans le mois"][1:5] == ["–"] * 4
    assert "Données incomplètes : Conseils départementaux : 6 extraits livrés sur 7" in html
    assert "Publié le 9 avril 2024 à 06 h 30 · version du code 1.2+abc" in html
    assert '<a href="../../2024-03/territoires/BASSIN_CLPE75001.xlsx">classeur Excel</a>' in html


def test_a_chart_table_holds_the_loaded_months_and_the_breakdowns_unfold(hand_site: Path):
    html = (hand_site / "2024-03" / "BASSIN_CLPE75001.html").read_text(encoding="utf-8")
    trends = tables(html, "trend")
    assert len(trends) == len(load_catalog())
    assert trends[0] == [
        ["Mois", "Paris", "Paris", "Île-de-France", "France"],
        ["mars 2023", f"1{N}000", f"5{N}000", f"90{N}000", f"1{N}200{N}000"],
        ["février 2024", f"1{N}200", f"5{N}600", f"91{N}000", f"1{N}213{N}000"],
        ["mars 2024", f"1{N}234", f"5{N}678", f"91{N}011", f"1{N}213{N}141"],
    ]
    assert [r[1] for r in trends[6][1:]] == [f"20{N}%", "s", f"25{N}%"]
    [breakdowns] = tables(html, "breakdown")
    assert breakdowns[1:] == [["Sexe"], ["Femmes", "600", f"3{N}000", f"46{N}000", f"600{N}000"],
                              ["Hommes", "634", f"2{N}678", f"45{N}011", f"613{N}141"]]
    assert "<details><summary>Ventilations : Sexe</summary>" in html


def test_the_site_is_whole_and_offline(hand_site: Path):
    names = {str(p.relative_to(hand_site)) for p in hand_site.rglob("*") if p.is_file()}
    assert {"index.html", "definitions.html", "assets/plotly.min.js", "assets/socle.js",
            "assets/socle.css", "2024-03/index.html", "2024-03/sources.html",
            "2023-03/NAT_FR.html"} <= names
    for name in names - {"assets/plotly.min.js"}:  # plotly's bundle: checked in a browser
        text = (hand_site / name).read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z]", text.replace("http://www.w3.org", "")), name
        if name.endswith(".html"):
            assert '<html lang="fr">' in text and "version du code 1.2+abc" in text, name
    index = (hand_site / "index.html").read_text(encoding="utf-8")
    assert 'href="2024-03/BASSIN_CLPE75001.html"' in index  # the latest month
    assert 'data-k="paris clpe75001"' in index
    older = (hand_site / "2024-02" / "BASSIN_CLPE75001.html").read_text(encoding="utf-8")
    assert '<a href="../2023-03/BASSIN_CLPE75001.html">mars 2023</a>' in older


def test_a_folder_without_values_is_refused_by_name(warehouse, tmp_path: Path):
    write_catalog(warehouse)
    folder = write_month(tmp_path, "2024-03")
    (folder / "niveau_DEP.parquet").unlink()
    with pytest.raises(SiteError, match=r"2024-03: missing niveau_DEP\.parquet"):
        write_site(warehouse, {"2024-03": folder}, tmp_path / "site")
    with pytest.raises(SiteError, match="no exported month"):
        write_site(warehouse, {}, tmp_path / "site2")


# ------------------------------------------------------------ in a browser, on a real run


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> tuple:
    sample = published_sample(tmp_path_factory)
    out = tmp_path_factory.mktemp("site") / "site"
    con = duckdb.connect(str(sample.paths.warehouse), read_only=True)
    try:
        summary = write_site(con, sample.months, out)
    finally:
        con.close()
    assert summary["latest"] == LATEST
    return sample, out


def test_months_written_by_several_processes_are_the_same_files(real_site, tmp_path,
                                                                 monkeypatch):
    sample, out = real_site

    def not_here(*_args):
        raise AssertionError("a month written by the parent process")

    monkeypatch.setattr(site_module, "_write_month", not_here)  # workers import their own
    con = duckdb.connect(str(sample.paths.warehouse), read_only=True)
    try:
        summary = write_site(con, sample.months, tmp_path / "site", workers=2)
    finally:
        con.close()
    ours = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(tmp_path / "site")
                    for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert len(sample.months) > 1 and summary["territory_pages"] > len(sample.months)
    assert theirs == ours
    assert all((out / f).read_bytes() == (tmp_path / "site" / f).read_bytes() for f in ours)


def test_a_database_open_for_writing_is_read_by_this_process_alone(hand_site, warehouse,
                                                                  tmp_path):
    # Other processes could not open it: the months are written here, not in workers.
    months = {m: tmp_path / "exports" / m for m in HAND}
    summary = write_site(warehouse, months, tmp_path / "again", workers=2)
    assert summary["territory_pages"] == 12
    page = "2024-03/BASSIN_CLPE75001.html"
    assert (tmp_path / "again" / page).read_bytes() == (hand_site / page).read_bytes()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        service_missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("Playwright for Python is not installed (uv sync)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_offline(browser, site: Path, page_path: str):
    """Open a page from file://, recording console errors and every request made."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"errors": [], "requests": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto((site / page_path).as_uri())
    page.wait_for_load_state("load")
    return page, seen


def assert_offline(seen: dict, site: Path) -> None:
    assert seen["errors"] == []
    inside = site.as_uri() + "/"
    assert seen["requests"] and all(u.startswith(inside) for u in seen["requests"]), (
        [u for u in seen["requests"] if not u.startswith(inside)])


def french_number(text: str) -> float:
    """A figure as the page shows it back to a number (the independent reading)."""
    plain = text.replace(N, "").replace(" ", "").replace("−", "-").replace(",", ".")
    return float(plain[:-1]) / 100 if plain.endswith("%") else float(plain)


@pytest.mark.slow
def test_the_picker_finds_a_committee_by_part_of_its_name(real_site, browser):
    sample, site = real_site
    code, name = sample.committee()
    page, seen = open_offline(browser, site, "index.html")
    links = page.locator("#territoires a")
    total = links.count()
    word = max(re.findall(r"[^\W\d_]{4,}", name), key=len)
    page.fill("#recherche", word[1:].upper())  # part of a word, any case
    target = page.locator(f'#territoires a[href="{LATEST}/BASSIN_{code}.html"]')
    assert target.is_visible()
    visible = page.locator("#territoires a:visible").count()
    assert 1 <= visible < total
    assert "correspond" in page.locator("#resultats").inner_text()
    target.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/{LATEST}/BASSIN_{code}.html")
    assert_offline(seen, site)
    page.close()


@pytest.mark.slow
def test_a_committee_page_shows_the_warehouse_and_draws_its_charts(real_site, browser,
                                                                    tmp_path: Path):
    sample, site = real_site
    code, name = sample.committee()
    page, seen = open_offline(browser, site, f"{LATEST}/BASSIN_{code}.html")
    page.wait_for_selector("figure.trend .chart .main-svg")
    assert page.locator("h1").inner_text().startswith(name)
    page.screenshot(path=str(tmp_path / "committee.png"), full_page=False)
    assert (tmp_path / "committee.png").stat().st_size > 10_000

    # The headline table, read from the page, against the published snapshot.
    heads = page.locator("table.headline thead th").all_inner_texts()
    columns = len(heads) - 4  # indicator, unit, territories…, two changes
    assert columns == 4
    levels = [("BASSIN", code)]
    for crumb in reversed(page.locator("nav.crumbs a").all()):
        level, territory = crumb.get_attribute("href").removesuffix(".html").split("_", 1)
        levels.append((level, territory))
    assert [lv for lv, _ in levels] == ["BASSIN", "DEP", "REG", "NAT"]
    secret = set(sample.exported().filter(
        (pl.col("ventilation") == "ensemble") & (pl.col("secret") == "oui"))
        .select("indicateur", "niveau", "code_territoire").rows())
    catalog = {i.code: i for i in load_catalog()}
    rows = page.locator("table.headline tbody tr:not(.fam)")
    assert rows.count() == len(catalog)
    compared = secrets = 0
    for i in range(rows.count()):
        row = rows.nth(i)
        ind = row.locator("th a").get_attribute("href").removeprefix("#")
        cells = row.locator("td").all_inner_texts()[1:1 + columns]
        for (level, territory), text in zip(levels, cells, strict=True):
            exact = sample.warehouse_headline(level, territory).get(ind)
            if (ind, level, territory) in secret:
                assert text == "s", (ind, level)
                secrets += 1
            elif exact is None:
                assert text == ("0" if catalog[ind].aggregation == "count" else "–")
            else:
                tolerance = 0.0005 if catalog[ind].unit == "rate" else 0.05
                assert french_number(text) == pytest.approx(exact, abs=tolerance), (ind, level)
                compared += 1
    assert compared >= 30 and secrets > 0

    # Every chart drew one trace per territory, a line or a point wherever the table has a
    # value, and an `s` under the axis for each secret month.
    charts = page.evaluate("""() => Array.from(document.querySelectorAll('figure.trend'))
      .map(f => ({
        traces: f.querySelectorAll('.scatterlayer .trace').length,
        lines: Array.from(f.querySelectorAll('.scatterlayer .trace')).map(t =>
          t.querySelectorAll('path.js-line').length + t.querySelectorAll('path.point').length),
        values: Array.from(f.querySelector('table.trend thead tr').cells).slice(1).map((_, i) =>
          Array.from(f.querySelectorAll('table.trend tbody tr')).filter(r =>
            /\\d/.test(r.cells[i + 1].textContent)).length),
        secrets: f.querySelectorAll('table.trend td.s').length,
        marks: Array.from(f.querySelectorAll('.annotation-text')).filter(a =>
          a.textContent === 's').length,
      }))""")
    assert len(charts) == len(catalog)
    for chart in charts:
        assert chart["traces"] == 4
        for drawn, values in zip(chart["lines"], chart["values"], strict=True):
            assert (drawn > 0) == (values > 0), chart
        assert chart["marks"] == chart["secrets"]
    assert sum(c["secrets"] for c in charts) > 0
    assert_offline(seen, site)
    page.close()


@pytest.mark.slow
def test_every_page_kind_loads_offline(real_site, browser):
    _, site = real_site
    for path in ("index.html", "definitions.html", f"{LATEST}/sources.html",
                 f"{LATEST}/index.html", f"{LATEST}/NAT_FR.html"):
        page, seen = open_offline(browser, site, path)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert_offline(seen, site)
        page.close()

