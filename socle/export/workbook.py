"""An Excel workbook per territory and month (`territoires/<LEVEL>_<code>.xlsx`): the
territory beside its département, région and France, as a committee compares them.

Sheets: *Synthèse* (headline of every indicator), one per family with the breakdowns,
*Définitions*. Numbers stay numbers with a display format (a committee sums and charts
them); a secret cell is the text `s`. Byte-identical for the same input: xlsxwriter dates
its zip entries 1980-01-01 and the document's creation date is set from the period."""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from typing import Any, cast

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
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
from socle.export.tables import HEADLINE, Cell, Geography, Indicator, MonthFigures, Node

SYNTHESIS = "Synthèse"
DEFINITIONS = "Définitions"
NUMBER_FORMATS = {"rate": "0.0%", "days": "0.0"}  # others: counts
COUNT_FORMAT = "#,##0"
LEGEND = (f"{SECRET} : {SECRET_LEGEND} (effectif de 1 à 4, ou masqué pour qu'on ne puisse pas "
          f"le recalculer) ; {ABSENT} : sans objet ou non disponible.")
# Each sheet's first table row: title, subtitle and legend above it.
HEADER_ROW = 4


_Cells = list[tuple[int, str | float | None, Format]]  # a row's (column, value, format)
# What a figure cell shows: (the number as written, _NUMBER) or (a text, its kind).
_Shown = tuple[str, int]
_NUMBER, _SECRET, _MISSING = 0, 1, 2


class _Sheet(Worksheet):
    """xlsxwriter's worksheet, written row by row through `put` for speed: a row's cells are
    rendered at once as xlsxwriter's `_write_rows` renders them, and the sheet's rows are
    written as it writes them, byte for byte (docs/performance.md). Style indexes are
    given as cells are put; xlsxwriter gives them in order of first use when the book is
    written, the same order as long as sheets are put one after the other, rows in order,
    cells left to right, with no row or column format (as here)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[int, str, int, int]] = []  # (row, cells' XML, columns used)
        self._styles: dict[Format, int] = {}

    def put(self, row: int, cells: _Cells, figures: list[_Shown] | None = None,
            first: int = 0, formats: tuple[Format, ...] = ()) -> None:
        """Write `row`'s `cells` (column, value, format), columns increasing: a string as
        `write_string` (shared in the order given, cut at Excel's limit), a finite number
        as `write_number`, None as `write_blank` with a format; then `figures` from column
        `first` on, each (text, kind) as `_Month.show` gives it, with the format
        `formats[kind]`. Rows are put whole, in increasing order; a sheet written through
        `put` takes no `write_*` call."""
        if not cells and not figures:
            return
        if self._rows and row <= self._rows[-1][0]:
            raise ValueError(f"row {row} put after row {self._rows[-1][0]}")
        lo = cells[0][0] if cells else first
        hi = first + len(figures) - 1 if figures else cells[-1][0]
        if self._check_dimensions(row, lo) or self._check_dimensions(row, hi):
            raise ValueError(f"row {row}, columns {lo}-{hi}: outside the sheet")
        shared, styles = self.str_table._get_shared_string_index, self._styles
        strmax = self.xls_strmax
        parts: list[str] = []
        number = row + 1
        previous = -1
        for col, value, fmt in cells:
            if col <= previous:
                raise ValueError(f"row {row}: columns must increase ({previous}, {col})")
            previous = col
            style = styles.get(fmt)
            if style is None:
                style = styles[fmt] = fmt._get_xf_index()
            if isinstance(value, str):
                if len(value) > strmax // 2 and _utf16_len(value) > strmax:  # as xlsxwriter
                    value = _utf16_truncate(value, strmax)
                parts.append(f'<c r="{_COLUMNS[col]}{number}" s="{style}" t="s">'
                             f"<v>{shared(value)}</v></c>")
            elif value is None:
                parts.append(f'<c r="{_COLUMNS[col]}{number}" s="{style}"/>')
            elif math.isfinite(value):
                parts.append(f'<c r="{_COLUMNS[col]}{number}" s="{style}"><v>{value:.16G}</v></c>')
            else:
                raise ValueError(f"row {row}, column {col}: {value} is not finite")
        if figures:
            if first <= previous:
                raise ValueError(f"row {row}: figures from column {first}, after {previous}")
            # The bulk of a workbook: a loop with nothing but what each cell needs.
            kinds: list[int | None] = [None] * len(formats)
            for col, (text, kind) in enumerate(figures, start=first):
                style = kinds[kind]
                if style is None:
                    fmt = formats[kind]
                    style = styles.get(fmt)
                    if style is None:
                        style = styles[fmt] = fmt._get_xf_index()
                    kinds[kind] = style
                if kind:
                    parts.append(f'<c r="{_COLUMNS[col]}{number}" s="{style}" t="s">'
                                 f"<v>{shared(text)}</v></c>")
                else:
                    parts.append(f'<c r="{_COLUMNS[col]}{number}" s="{style}"><v>{text}</v></c>')
        self._rows.append((row, "".join(parts), lo, hi))

    def _write_rows(self) -> None:
        if not self._rows:
            super()._write_rows()
            return
        info = self.row_info
        if (any(self.table.values()) or self.comments
                or any(r.row_format for r in info.values())
                or any(c.column_format for c in self.col_info.values())
                or not info.keys() <= {r for r, _, _, _ in self._rows}):
            raise NotImplementedError("a sheet written through put takes no write_*, comment, "
                                      "row or column format, or height of a row without cells")
        blocks: dict[int, tuple[int, int]] = {}  # spans: columns used per block of 16 rows
        for r, _, lo, hi in self._rows:
            was = blocks.get(r // 16)
            blocks[r // 16] = (lo, hi) if was is None else (min(lo, was[0]), max(hi, was[1]))
        spans = {b: f"{lo + 1}:{hi + 1}" for b, (lo, hi) in blocks.items()}
        # Rows without attributes of their own, as xlsxwriter writes them here.
        plain = self.excel_version == 2007 and self.default_row_height == self.original_row_height
        out = []
        for r, cells, _, _ in self._rows:
            if plain and r not in info:
                out.append(f'<row r="{r + 1}" spans="{spans[r // 16]}">')
            else:
                out.append(self._row_tag(r, spans[r // 16]))
            out.append(cells)
            out.append("</row>")
        self.fh.write("".join(out))

    def _row_tag(self, row: int, span: str) -> str:
        """The <row> tag as xlsxwriter writes it (height and other attributes)."""
        tag, sheet = StringIO(), cast(Any, self)  # xlsxwriter's writer is untyped
        sheet_fh, sheet.fh = sheet.fh, tag
        try:
            self._write_row(row, span, self.row_info.get(row))
        finally:
            sheet.fh = sheet_fh
        return tag.getvalue()


class _Columns(dict[int, str]):
    """Column letters by index, made on first use."""

    def __missing__(self, col: int) -> str:
        name = self[col] = xl_col_to_name(col)
        return name


_COLUMNS = _Columns()


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


def _add_sheet(book: xlsxwriter.Workbook, name: str) -> _Sheet:
    sheet: _Sheet = book.add_worksheet(name, _Sheet)
    return sheet


def _heading(sheet: _Sheet, styles: _Styles, title: str, subtitle: str,
             warning: str = "") -> None:
    sheet.put(0, [(0, title, styles.title)])
    sheet.put(1, [(0, subtitle, styles.note)])
    sheet.put(2, [(0, LEGEND, styles.note)])
    if warning:
        sheet.put(3, [(0, warning, styles.warning)])


def _header(sheet: _Sheet, styles: _Styles, names: list[str]) -> None:
    """The table's header row, as `write_row` writes it (an empty name is a blank cell)."""
    sheet.put(HEADER_ROW, [(col, name or None, styles.head) for col, name in enumerate(names)])


class _Month:
    """What every territory's workbook of a month shares, worked out once for the month:
    the indicators by family, the words of each line, each territory's figures as cell
    values (France's are written in every workbook, a région's in some forty)."""

    def __init__(self, geo: Geography, figures: MonthFigures, indicators: list[Indicator],
                 warning: str) -> None:
        self.geo, self.figures, self.warning = geo, figures, warning
        self.families = list(dict.fromkeys(i.family for i in indicators))
        self.by_code = {f: {i.code: i for i in indicators if i.family == f}
                        for f in self.families}
        self.units = {i.unit for i in indicators}
        self.synthesis = [(i.family, FAMILIES_FR.get(i.family, i.family), i.code, i.label,
                           UNIT_LABELS.get(i.unit, i.unit), i.unit) for i in indicators]
        self.definitions = [
            ([i.code, FAMILIES_FR.get(i.family, i.family), i.label,
              UNIT_LABELS.get(i.unit, i.unit), i.definition,
              ", ".join(breakdown_label(b) for b in i.breakdowns)],
             # xlsxwriter does not size wrapped rows: about 95 characters a line at width 90.
             15 * max(1, math.ceil(len(i.definition) / 95)))
            for i in indicators]
        self._heads: dict[Indicator, str] = {}
        self._breakdowns: dict[str, str] = {}
        self._modalities: dict[tuple[str, str], str] = {}
        self._shown: dict[Node, dict[Cell, _Shown]] = {}

    def head(self, ind: Indicator) -> str:
        found = self._heads.get(ind)
        if found is None:
            unit = UNIT_LABELS.get(ind.unit, ind.unit)
            found = self._heads[ind] = f"{ind.label} ({unit}) — {ind.code}"
        return found

    def breakdown(self, code: str) -> str:
        found = self._breakdowns.get(code)
        if found is None:
            found = self._breakdowns[code] = breakdown_label(code)
        return found

    def modality(self, breakdown: str, code: str) -> str:
        found = self._modalities.get((breakdown, code))
        if found is None:
            found = self._modalities[(breakdown, code)] = modality_label(breakdown, code)
        return found

    def shown(self, node: Node) -> dict[Cell, _Shown]:
        """The territory's cells shown so far (France's are shown in every workbook)."""
        found = self._shown.get(node)
        if found is None:
            found = self._shown[node] = {}
        return found

    def show(self, node: Node, cell: Cell) -> _Shown:
        """What the cell shows, kept in `shown`: (the number as xlsxwriter writes it,
        _NUMBER), (`s`, _SECRET) or (`–`, _MISSING); the kind picks the cell's format."""
        fig = self.figures.figure(node, cell)
        if fig.secret:
            found = (SECRET, _SECRET)
        elif fig.value is None or not math.isfinite(fig.value):
            found = (ABSENT, _MISSING)
        else:
            found = (f"{fig.value:.16G}", _NUMBER)
        self.shown(node)[cell] = found
        return found


def _synthesis(book: xlsxwriter.Workbook, styles: _Styles, month: _Month, title: str,
               subtitle: str, chain: list[Node]) -> None:
    sheet = _add_sheet(book, SYNTHESIS)
    _heading(sheet, styles, title, subtitle, month.warning)
    _header(sheet, styles, ["Code", "Indicateur", "Unité", *(month.geo.name(n) for n in chain)])
    row = HEADER_ROW + 1
    current = None
    for family, family_label, code, label, unit_label, unit in month.synthesis:
        if family != current:
            current = family
            sheet.put(row, [(0, family_label, styles.family)])
            row += 1
        cell = (code, *HEADLINE)
        sheet.put(row, [(0, code, styles.text), (1, label, styles.wrap),
                        (2, unit_label, styles.text)],
                  [month.show(node, cell) for node in chain], 3,
                  (styles.numbers.get(unit, styles.count), styles.secret, styles.absent))
        row += 1
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 58)
    sheet.set_column(2, 2, 16)
    sheet.set_column(3, 2 + len(chain), 16)
    _page_setup(sheet, title, 2)


def _family_sheet(book: xlsxwriter.Workbook, styles: _Styles, month: _Month, family: str,
                  title: str, subtitle: str, chain: list[Node], cells: list[Cell]) -> None:
    """Each indicator of the family as a block: its label, its headline, then each
    breakdown's modalities (the breakdown named on its first line only: read like the
    site's unfolded tables; machines have the CSV)."""
    sheet = _add_sheet(book, FAMILIES_FR.get(family, family))
    _heading(sheet, styles, f"{FAMILIES_FR.get(family, family)} — {title}", subtitle)
    _header(sheet, styles, ["Ventilation", "Modalité", *(month.geo.name(n) for n in chain)])
    by_code = month.by_code[family]
    numbers = {u: styles.numbers.get(u, styles.count) for u in month.units}
    columns = [(month.shown(node), node) for node in chain]
    put, show, text = sheet.put, month.show, styles.text
    kinds = (styles.count, styles.secret, styles.absent)  # formats by kind of figure
    row, current = HEADER_ROW, ("", "")  # (indicator, breakdown) of the previous line
    for cell in cells:
        ind = by_code.get(cell[0])
        if ind is None:
            continue
        row += 1
        if cell[0] != current[0]:
            put(row, [(0, month.head(ind), styles.family)])
            row += 1
            kinds = (numbers[ind.unit], styles.secret, styles.absent)
        line: _Cells = []
        if cell[:2] != current:
            line.append((0, month.breakdown(cell[1]), text))
            current = cell[:2]
        if cell[1] != "ensemble":
            line.append((1, month.modality(cell[1], cell[2]), text))
        put(row, line, [known.get(cell) or show(node, cell) for known, node in columns], 2, kinds)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 1 + len(chain), 16)
    _page_setup(sheet, title, 2)


def _definitions(book: xlsxwriter.Workbook, styles: _Styles, month: _Month, title: str) -> None:
    sheet = _add_sheet(book, DEFINITIONS)
    _heading(sheet, styles, f"Définitions des indicateurs — {title}",
             "Extraites du catalogue des indicateurs du socle commun.")
    _header(sheet, styles, ["Code", "Famille", "Indicateur", "Unité", "Définition",
                            "Ventilations"])
    for row, (line, height) in enumerate(month.definitions, start=HEADER_ROW + 1):
        # As write_row writes them: an empty text is a blank cell.
        sheet.put(row, [(col, text or None, styles.wrap) for col, text in enumerate(line)])
        sheet.set_row(row, height)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, 3, 14)
    sheet.set_column(4, 4, 90)
    sheet.set_column(5, 5, 40)
    _page_setup(sheet, title, 1)


def write_workbook(path: Path, node: Node, period: date, month: _Month, version: str) -> int:
    """Write one territory's workbook; returns the export rows it presents."""
    geo, chain = month.geo, month.geo.chain(node)
    level_name = LEVELS_FR.get(node[0], node[0])
    when = f"{MONTHS_FR[period.month - 1]} {period.year}"
    title = f"{geo.name(node)} ({level_name} {node[1]}) — {when}"
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
    _synthesis(book, styles, month, title, subtitle, chain)
    cells = month.figures.cells_of(chain)
    for family in month.families:
        _family_sheet(book, styles, month, family, title, subtitle, chain, cells)
    _definitions(book, styles, month, title)
    book.close()
    for sheet in book.worksheets():
        # Each sheet holds the book's add_format: without this cycle the book is freed at
        # once instead of by the cyclic collector (docs/performance.md).
        sheet.workbook_add_format = None
    return month.figures.rows_of(chain)


def write_workbooks(published: pl.DataFrame, territories: pl.DataFrame,
                    indicators: list[Indicator], nodes: Iterable[Node], out_dir: Path,
                    period: date, version: str,
                    coverage: list[dict] | None = None) -> list[tuple[Path, int]]:
    """`out_dir/<LEVEL>_<code>.xlsx` for each of `nodes`, from the period's published frame
    (export columns, secret cells emptied) and the manifest's `couverture`; returns each
    path with its export rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    month = _Month(Geography.from_frame(territories), MonthFigures(published, indicators),
                   indicators, incomplete_warning(coverage))
    written = []
    # The month's figures are ~300,000 tracked objects (one per published row): frozen, the
    # collector no longer walks them each time the workbooks' cells trigger it.
    gc.freeze()
    try:
        for node in nodes:
            path = out_dir / f"{node[0]}_{node[1]}.xlsx"
            written.append((path, write_workbook(path, node, period, month, version)))
    finally:
        gc.unfreeze()
    return written
