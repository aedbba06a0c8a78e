"""An Excel workbook per territory and month (`territoires/<LEVEL>_<code>.xlsx`): the
territory beside its département, région and France, as a committee compares them.

Sheets: *Synthèse* (headline of every indicator), one per family with the breakdowns,
*Définitions*. Numbers stay numbers with a display format (a committee sums and charts
them); a secret cell is the text `s`. Byte-identical for the same input: xlsxwriter dates
its zip entries 1980-01-01 and the document's creation date is set from the period."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from socle.export.labels import (
    ABSENT,
    FAMILIES_FR,
    LEVELS_FR,
    MONTHS_FR,
    SECRET,
    SECRET_LEGEND,
    UNIT_LABELS,
    breakdown_label,
    incomplete_warning,
    modality_label,
)
from socle.export.tables import Figure, Geography, Indicator, MonthFigures, Node

SYNTHESIS = "Synthèse"
DEFINITIONS = "Définitions"
NUMBER_FORMATS = {"rate": "0.0%", "days": "0.0"}  # others: counts
COUNT_FORMAT = "#,##0"
LEGEND = (f"{SECRET} : {SECRET_LEGEND} (effectif de 1 à 4, ou masqué pour qu'on ne puisse pas "
          f"le recalculer) ; {ABSENT} : sans objet ou non disponible.")
# Each sheet's first table row: title, subtitle and legend above it.
HEADER_ROW = 4


class _Styles:
    """The workbook's formats, made once per workbook (xlsxwriter formats belong to one)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1,
                                     "text_wrap": True, "valign": "top"})
        self.text = book.add_format({"valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.family = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
        self.secret = book.add_format({"align": "right", "font_color": "#9C0006"})
        self.numbers = {unit: book.add_format({"num_format": fmt})
                        for unit, fmt in NUMBER_FORMATS.items()}
        self.count = book.add_format({"num_format": COUNT_FORMAT})
        self.absent = book.add_format({"align": "right", "font_color": "#777777"})
        self.warning = book.add_format({"bold": True, "font_color": "#9C0006"})


def _write_figure(sheet: Worksheet, row: int, col: int, fig: Figure, unit: str,
                  styles: _Styles) -> None:
    if fig.secret:
        sheet.write_string(row, col, SECRET, styles.secret)
    elif fig.value is None or not math.isfinite(fig.value):
        sheet.write_string(row, col, ABSENT, styles.absent)
    else:
        sheet.write_number(row, col, fig.value, styles.numbers.get(unit, styles.count))


def _page_setup(sheet: Worksheet, title: str, freeze_col: int) -> None:
    """A4 landscape, one page wide, table header repeated on every printed page."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_header("&L" + title.replace("&", "&&")[:200])
    sheet.set_footer("&CPage &P / &N")
    sheet.freeze_panes(HEADER_ROW + 1, freeze_col)


def _heading(sheet: Worksheet, styles: _Styles, title: str, subtitle: str,
             warning: str = "") -> None:
    sheet.write_string(0, 0, title, styles.title)
    sheet.write_string(1, 0, subtitle, styles.note)
    sheet.write_string(2, 0, LEGEND, styles.note)
    if warning:
        sheet.write_string(3, 0, warning, styles.warning)


def _synthesis(book: xlsxwriter.Workbook, styles: _Styles, title: str, subtitle: str,
               chain: list[Node], geo: Geography, figures: MonthFigures,
               indicators: list[Indicator], warning: str) -> None:
    sheet = book.add_worksheet(SYNTHESIS)
    _heading(sheet, styles, title, subtitle, warning)
    head = ["Code", "Indicateur", "Unité", *(geo.name(n) for n in chain)]
    sheet.write_row(HEADER_ROW, 0, head, styles.head)
    row = HEADER_ROW + 1
    family = None
    for ind in indicators:
        if ind.family != family:
            family = ind.family
            sheet.write_string(row, 0, FAMILIES_FR.get(family, family), styles.family)
            row += 1
        sheet.write_string(row, 0, ind.code, styles.text)
        sheet.write_string(row, 1, ind.label, styles.wrap)
        sheet.write_string(row, 2, UNIT_LABELS.get(ind.unit, ind.unit), styles.text)
        for col, node in enumerate(chain, start=3):
            _write_figure(sheet, row, col, figures.headline(node, ind.code), ind.unit, styles)
        row += 1
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 58)
    sheet.set_column(2, 2, 16)
    sheet.set_column(3, 2 + len(chain), 16)
    _page_setup(sheet, title, 2)


def _family_sheet(book: xlsxwriter.Workbook, styles: _Styles, family: str, title: str,
                  subtitle: str, chain: list[Node], geo: Geography, figures: MonthFigures,
                  indicators: list[Indicator]) -> None:
    """Each indicator of the family as a block: its label, its headline, then each
    breakdown's modalities (the breakdown named on its first line only: read like the
    site's unfolded tables; machines have the CSV)."""
    sheet = book.add_worksheet(FAMILIES_FR.get(family, family))
    _heading(sheet, styles, f"{FAMILIES_FR.get(family, family)} — {title}", subtitle)
    head = ["Ventilation", "Modalité", *(geo.name(n) for n in chain)]
    sheet.write_row(HEADER_ROW, 0, head, styles.head)
    by_code = {i.code: i for i in indicators if i.family == family}
    row, current = HEADER_ROW, ("", "")  # (indicator, breakdown) of the previous line
    for cell in figures.cells_of(chain):
        ind = by_code.get(cell[0])
        if ind is None:
            continue
        row += 1
        if cell[0] != current[0]:
            unit = UNIT_LABELS.get(ind.unit, ind.unit)
            sheet.write_string(row, 0, f"{ind.label} ({unit}) — {ind.code}", styles.family)
            row += 1
        if cell[:2] != current:
            sheet.write_string(row, 0, breakdown_label(cell[1]), styles.text)
            current = cell[:2]
        if cell[1] != "ensemble":
            sheet.write_string(row, 1, modality_label(cell[1], cell[2]), styles.text)
        for col, node in enumerate(chain, start=2):
            _write_figure(sheet, row, col, figures.figure(node, cell), ind.unit, styles)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 1 + len(chain), 16)
    _page_setup(sheet, title, 2)


def _definitions(book: xlsxwriter.Workbook, styles: _Styles, title: str,
                 indicators: list[Indicator]) -> None:
    sheet = book.add_worksheet(DEFINITIONS)
    _heading(sheet, styles, f"Définitions des indicateurs — {title}",
             "Extraites du catalogue des indicateurs du socle commun.")
    sheet.write_row(HEADER_ROW, 0, ["Code", "Famille", "Indicateur", "Unité", "Définition",
                                    "Ventilations"], styles.head)
    for row, ind in enumerate(indicators, start=HEADER_ROW + 1):
        breakdowns = ", ".join(breakdown_label(b) for b in ind.breakdowns)
        sheet.write_row(row, 0, [ind.code, FAMILIES_FR.get(ind.family, ind.family), ind.label,
                                 UNIT_LABELS.get(ind.unit, ind.unit), ind.definition, breakdowns],
                        styles.wrap)
        # xlsxwriter does not size wrapped rows: about 95 characters a line at width 90.
        sheet.set_row(row, 15 * max(1, math.ceil(len(ind.definition) / 95)))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, 3, 14)
    sheet.set_column(4, 4, 90)
    sheet.set_column(5, 5, 40)
    _page_setup(sheet, title, 1)


def write_workbook(path: Path, node: Node, period: date, geo: Geography,
                   figures: MonthFigures, indicators: list[Indicator], version: str,
                   warning: str = "") -> int:
    """Write one territory's workbook; returns the export rows it presents. `warning`: the
    month's missing deliveries, in one French line (empty when complete)."""
    chain = geo.chain(node)
    level_name = LEVELS_FR.get(node[0], node[0])
    month = f"{MONTHS_FR[period.month - 1]} {period.year}"
    title = f"{geo.name(node)} ({level_name} {node[1]}) — {month}"
    if len(chain) > 1:
        compared = ", ".join(geo.name(n) for n in chain[1:])
        subtitle = f"Comparé à : {compared}. Socle commun d'indicateurs, version {version}."
    else:
        subtitle = f"Socle commun d'indicateurs, version {version}."
    book = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    book.set_properties({
        "title": title, "subject": "Socle commun d'indicateurs", "author": "socle",
        "comments": f"version {version}",
        "created": datetime(period.year, period.month, 1),
    })
    styles = _Styles(book)
    _synthesis(book, styles, title, subtitle, chain, geo, figures, indicators, warning)
    for family in dict.fromkeys(i.family for i in indicators):
        _family_sheet(book, styles, family, title, subtitle, chain, geo, figures, indicators)
    _definitions(book, styles, title, indicators)
    book.close()
    return figures.rows_of(chain)


def write_workbooks(published: pl.DataFrame, territories: pl.DataFrame,
                    indicators: list[Indicator], nodes: Iterable[Node], out_dir: Path,
                    period: date, version: str,
                    coverage: list[dict] | None = None) -> list[tuple[Path, int]]:
    """`out_dir/<LEVEL>_<code>.xlsx` for each of `nodes`, from the period's published frame
    (export columns, secret cells emptied) and the manifest's `couverture`; returns each
    path with its export rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    geo = Geography.from_frame(territories)
    figures = MonthFigures(published, indicators)
    warning = incomplete_warning(coverage)
    written = []
    for node in nodes:
        path = out_dir / f"{node[0]}_{node[1]}.xlsx"
        written.append((path, write_workbook(path, node, period, geo, figures, indicators,
                                             version, warning)))
    return written
