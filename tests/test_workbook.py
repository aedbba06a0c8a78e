"""Excel workbooks per territory: read back with openpyxl, against hand-made values and
against the published warehouse; export rows in reading order."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from published_sample import LATEST, published_sample

from socle.export.labels import people_order
from socle.export.tables import Indicator
from socle.export.workbook import write_workbooks
from socle.indicators.catalog import load_catalog

SHEETS = ["Synthèse", "Captation", "Accompagnement", "Performance", "Définitions"]
FIRST_ROW = 6  # Excel row of the first line under each sheet's header (row 5)

TERRITORIES = pl.DataFrame(
    [("NAT", "FR", "France", None, None), ("REG", "11", "Île-de-France", "NAT", "FR"),
     ("DEP", "75", "Paris", "REG", "11"), ("BASSIN", "CLPE75001", "Paris Centre", "DEP", "75")],
    schema=["level", "territory_code", "territory_name", "parent_level", "parent_code"],
    orient="row",
)
INDICATORS = [
    Indicator("CAP_REGISTERED", "capture", "persons", "Personnes inscrites en fin de mois",
              "Nombre de personnes inscrites.", "count", ("sex", "allowance")),
    Indicator("REA_INTENSIVE_SHARE", "delivery", "rate", "Part en parcours intensif",
              "Part des personnes accompagnées en parcours intensif.", "rate", ()),
    Indicator("PERF_OFFER_FILL_DELAY", "performance", "days", "Délai médian de pourvoi",
              "Jours entre publication et pourvoi.", "median", ()),
]
CHAIN = [("BASSIN", "CLPE75001"), ("DEP", "75"), ("REG", "11"), ("NAT", "FR")]


def published(rows: list[tuple]) -> pl.DataFrame:
    """Export-shaped rows from (indicator, breakdown, modality, level, code, value|'s')."""
    out = []
    for ind, brk, mod, level, code, value in rows:
        secret = value == "s"
        out.append({"periode": "2024-03", "indicateur": ind, "libelle_indicateur": ind,
                    "niveau": level, "code_territoire": code, "libelle_territoire": code,
                    "ventilation": brk, "modalite": mod, "numerateur": None,
                    "denominateur": None, "valeur": None if secret else float(value),
                    "unite": "x", "secret": "oui" if secret else "non"})
    return pl.DataFrame(out)


def hand_made() -> pl.DataFrame:
    head = [("CAP_REGISTERED", "ensemble", "ensemble", lv, c, v)
            for (lv, c), v in zip(CHAIN, [1234, 5678, 91011, 1213141], strict=True)]
    head += [("REA_INTENSIVE_SHARE", "ensemble", "ensemble", lv, c, v)
             for (lv, c), v in zip(CHAIN, [0.25, 0.3, "s", 0.215], strict=True)]
    # The committee has no fill delay (no offer filled): no row.
    head += [("PERF_OFFER_FILL_DELAY", "ensemble", "ensemble", lv, c, v)
             for (lv, c), v in zip(CHAIN[1:], [45.5, 44, 43], strict=True)]
    sexes = [("CAP_REGISTERED", "sexe", s, lv, c, v)
             for s, values in (("M", ["s", 2678, 45011, 613141]), ("F", ["s", 3000, 46000, 600000]))
             for (lv, c), v in zip(CHAIN, values, strict=True)]
    # AAH only at national level: no row elsewhere means a count of 0.
    aah = [("CAP_REGISTERED", "allocation", "AAH", "NAT", "FR", 12)]
    return published(aah + sexes + head)  # shuffled on purpose: the workbook orders them


def rows_of(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(min_row=FIRST_ROW, values_only=True)]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    written = write_workbooks(hand_made(), TERRITORIES, INDICATORS, [CHAIN[0]], tmp_path,
                              date(2024, 3, 1), "1.0+abc")
    # Export rows of the chain: headlines 4 + 4 + 3, sexes 2 × 4, AAH 1 (France).
    assert written == [(tmp_path / "BASSIN_CLPE75001.xlsx", 20)]
    return written[0][0]


def test_synthesis_sets_the_headline_beside_the_parents(book: Path):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == SHEETS
    ws = wb["Synthèse"]
    assert ws["A1"].value == "Paris Centre (Comité local pour l'emploi CLPE75001) — mars 2024"
    assert [c.value for c in ws[5]] == ["Code", "Indicateur", "Unité", "Paris Centre", "Paris",
                                        "Île-de-France", "France"]
    assert rows_of(ws) == [
        ["Captation", None, None, None, None, None, None],
        ["CAP_REGISTERED", "Personnes inscrites en fin de mois", "personnes",
         1234, 5678, 91011, 1213141],
        ["Accompagnement", None, None, None, None, None, None],
        ["REA_INTENSIVE_SHARE", "Part en parcours intensif", "taux", 0.25, 0.3, "s", 0.215],
        ["Performance", None, None, None, None, None, None],
        ["PERF_OFFER_FILL_DELAY", "Délai médian de pourvoi", "jours (médiane)",
         "–", 45.5, 44, 43],
    ]
    assert ws["D7"].number_format == "#,##0"
    assert ws["D9"].number_format == "0.0%"
    assert ws["E11"].number_format == "0.0"


def test_family_sheets_hold_the_breakdowns_in_reading_order(book: Path):
    ws = openpyxl.load_workbook(book)["Captation"]
    assert [c.value for c in ws[5]] == ["Ventilation", "Modalité", "Paris Centre", "Paris",
                                        "Île-de-France", "France"]
    assert rows_of(ws) == [
        ["Personnes inscrites en fin de mois (personnes) — CAP_REGISTERED",
         None, None, None, None, None],
        ["Ensemble", None, 1234, 5678, 91011, 1213141],
        ["Sexe", "Femmes", "s", 3000, 46000, 600000],
        [None, "Hommes", "s", 2678, 45011, 613141],
        ["Allocation perçue", "AAH", 0, 0, 0, 12],
    ]
    delivery = openpyxl.load_workbook(book)["Accompagnement"]
    assert rows_of(delivery)[1] == ["Ensemble", None, 0.25, 0.3, "s", 0.215]


def test_definitions_and_print_setup(book: Path):
    wb = openpyxl.load_workbook(book)
    defs = rows_of(wb["Définitions"])
    assert [r[0] for r in defs] == ["CAP_REGISTERED", "REA_INTENSIVE_SHARE",
                                    "PERF_OFFER_FILL_DELAY"]
    assert defs[0][1:] == ["Captation", "Personnes inscrites en fin de mois", "personnes",
                           "Nombre de personnes inscrites.", "Sexe, Allocation perçue"]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$5:$5"
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("6")
        assert ws.column_dimensions["A"].width > 10
    assert wb["Synthèse"].freeze_panes == "C6"  # code and label stay in view


def test_the_same_input_gives_the_same_bytes(tmp_path: Path):
    paths = []
    for name in ("a", "b"):
        written = write_workbooks(hand_made(), TERRITORIES, INDICATORS, CHAIN, tmp_path / name,
                                  date(2024, 3, 1), "1.0+abc")
        paths.append([p for p, _ in written])
    for first, second in zip(*paths, strict=True):
        assert first.read_bytes() == second.read_bytes()


def test_incomplete_deliveries_are_stated_on_the_synthesis(tmp_path: Path):
    coverage = [{"operateur": "FT", "complet": True, "phrase": "France Travail : complet."},
                {"operateur": "CD", "complet": False,
                 "phrase": "Conseils départementaux : 6 extraits livrés sur 7 attendus."}]
    [(path, _)] = write_workbooks(hand_made(), TERRITORIES, INDICATORS, [CHAIN[1]], tmp_path,
                                  date(2024, 3, 1), "1.0", coverage)
    ws = openpyxl.load_workbook(path)["Synthèse"]
    assert ws["A4"].value == ("Données incomplètes : Conseils départementaux : 6 extraits "
                              "livrés sur 7 attendus.")
    assert [c.value for c in ws[5]][3:] == ["Paris", "Île-de-France", "France"]


def test_people_order_reads_catalog_then_breakdowns_then_natural_modalities():
    frame = pl.DataFrame({
        "indicateur": ["CAP_INFLOW", "CAP_REGISTERED", "CAP_REGISTERED", "CAP_REGISTERED",
                       "CAP_REGISTERED", "CAP_REGISTERED", "CAP_REGISTERED"],
        "ventilation": ["ensemble", "tranche_age", "tranche_age", "tranche_age", "sexe",
                        "ensemble", "niveau_diplome"],
        "modalite": ["ensemble", "50+", "26-49", "<26", "M", "ensemble", "inconnu"],
    })
    ordered = people_order(frame).rows()
    assert ordered == [
        ("CAP_REGISTERED", "ensemble", "ensemble"), ("CAP_REGISTERED", "sexe", "M"),
        ("CAP_REGISTERED", "tranche_age", "<26"), ("CAP_REGISTERED", "tranche_age", "26-49"),
        ("CAP_REGISTERED", "tranche_age", "50+"), ("CAP_REGISTERED", "niveau_diplome", "inconnu"),
        ("CAP_INFLOW", "ensemble", "ensemble"),
    ]


@pytest.mark.slow
def test_a_committee_workbook_equals_the_warehouse(tmp_path_factory):
    sample = published_sample(tmp_path_factory)
    code, name = sample.committee()
    folder = sample.months[LATEST]
    path = folder / "territoires" / f"BASSIN_{code}.xlsx"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["file"]: f["sha256"] for f in manifest["files"]}
    assert listed[f"territoires/BASSIN_{code}.xlsx"] == hashlib.sha256(
        path.read_bytes()).hexdigest()

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS
    ws = wb["Synthèse"]
    assert ws["D5"].value == name
    con = duckdb.connect(str(sample.paths.warehouse), read_only=True)
    chain, node = [], ("BASSIN", code)
    while node[0] is not None:
        chain.append(node)
        node = con.execute("SELECT parent_level, parent_code FROM ref.territories "
                           "WHERE level = ? AND territory_code = ?", list(node)).fetchone()
    con.close()
    assert [lv for lv, _ in chain] == ["BASSIN", "DEP", "REG", "NAT"]
    secret = set(sample.exported().filter(
        (pl.col("ventilation") == "ensemble") & (pl.col("secret") == "oui"))
        .select("indicateur", "niveau", "code_territoire").rows())
    shown = {r[0]: r[3:] for r in rows_of(ws) if r[2] is not None}
    catalog = {i.code: i for i in load_catalog()}
    assert list(shown) == list(catalog)
    checked = secrets = 0
    for col, (level, territory) in enumerate(chain):
        exact = sample.warehouse_headline(level, territory)
        for ind, values in shown.items():
            if (ind, level, territory) in secret:
                assert values[col] == "s", (ind, level)
                secrets += 1
            elif ind in exact:
                assert values[col] == pytest.approx(exact[ind]), (ind, level)
                checked += 1
            else:  # no row: a count of 0, or nothing to publish
                assert values[col] == (0 if catalog[ind].aggregation == "count" else "–")
    assert checked >= 30 and secrets > 0
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value.startswith("#")), (
                    sheet.title, cell.coordinate, cell.value)


@pytest.mark.slow
def test_territory_csv_rows_are_in_reading_order(tmp_path_factory):
    sample = published_sample(tmp_path_factory)
    code, _ = sample.committee()
    path = sample.months[LATEST] / "territoires" / f"BASSIN_{code}.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert [(r["indicateur"], r["ventilation"], r["niveau"]) for r in rows[:4]] == [
        ("CAP_REGISTERED", "ensemble", lv) for lv in ("BASSIN", "DEP", "REG", "NAT")]
    codes = list(dict.fromkeys(r["indicateur"] for r in rows))
    catalog = [i.code for i in load_catalog()]
    assert codes == [c for c in catalog if c in codes]
    ages = [r["modalite"] for r in rows if r["indicateur"] == "CAP_REGISTERED"
            and r["ventilation"] == "tranche_age" and r["niveau"] == "NAT"]
    assert ages == ["<26", "26-49", "50+"]
    first_breakdowns = list(dict.fromkeys(
        r["ventilation"] for r in rows if r["indicateur"] == "CAP_REGISTERED"))
    assert first_breakdowns[:4] == ["ensemble", "operateur", "sexe", "tranche_age"]
