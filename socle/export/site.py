"""The committee site, `data/exports/site/`: plain HTML a secretariat opens from the file
system, offline, to read its territory against its département, région and France.

Layout (links assume the site sits beside the month folders, as in `data/exports/`):

    index.html                 the latest month: territory picker, downloads
    definitions.html           the catalog's definitions
    assets/                    socle.css, socle.js, plotly.min.js (written once)
    <YYYY-MM>/index.html       that month's picker
    <YYYY-MM>/sources.html     publication, coverage and deliveries (the manifest)
    <YYYY-MM>/<LEVEL>_<code>.html   one page per territory and month

Built only from the export folders (`niveau_<LEVEL>.parquet`, `manifest.json`: secrecy
already applied) and the snapshot's `ref.territories` and `ref.indicators`. Charts are
plotly's offline bundle, shipped by the `plotly` package and written once into
`assets/`: no page loads anything from outside the site."""

from __future__ import annotations

import json
import os
import re
import shutil
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files as package_files
from pathlib import Path

import duckdb
import polars as pl

from socle.config import Paths
from socle.export.files import swap_in
from socle.export.labels import (
    FAMILIES_FR,
    LEVELS_FR,
    UNIT_LABELS,
    breakdown_label,
    incomplete_warning,
    modality_label,
    people_order,
)
from socle.export.site_html import (
    change,
    esc,
    fold,
    footer,
    legend,
    month_label,
    page,
    published_label,
    show,
    td,
    tds,
)
from socle.export.tables import (
    HEADLINE,
    NO_ROW,
    Cell,
    Figure,
    Geography,
    Indicator,
    MonthFigures,
    Node,
    catalog,
)
from socle.months import add_months, month_key, month_or_none, parse_month
from socle.processes import in_processes
from socle.settings import Settings
from socle.warehouse import connect, frame

TREND_MONTHS = 13
_CHART_NOTE = (
    '<p class="legend">Graphiques : les 13 derniers mois chargés. Un mois sous secret '
    "statistique n'a pas de point : il est marqué « s » au pied du graphique. Les effectifs "
    "sont tracés en indice (base 100 au premier mois publié de chaque territoire) pour "
    "comparer les tendances ; leurs valeurs sont dans le tableau sous chaque graphique.</p>")
LEVEL_FILES = ("NAT", "REG", "DEP", "BASSIN")
_TERRITORY_FILE = re.compile(r"^territoires/([A-Z]+)_(.+)\.csv$")
_CELL = ("indicateur", "ventilation", "modalite")
_FIGURE_COLUMNS = (*_CELL, "niveau", "code_territoire", "valeur", "secret")


class SiteError(ValueError):
    """An export folder the site cannot be built from (named in the message)."""


@dataclass(frozen=True)
class Month:
    """One export folder as the site reads it."""

    key: str  # YYYY-MM
    folder: Path
    manifest: dict
    nodes: tuple[Node, ...]  # territories with a file this month, in file order

    @cached_property
    def listed(self) -> set[str]:
        return {f["file"] for f in self.manifest.get("files", [])}


def _read_month(key: str, folder: Path) -> Month:
    if month_or_none(key) is None:
        raise SiteError(f"month {key!r} is not YYYY-MM")
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SiteError(f"{path}: no readable manifest ({e})") from None
    missing = [f"niveau_{lv}.parquet" for lv in LEVEL_FILES
               if not (folder / f"niveau_{lv}.parquet").is_file()]
    if missing:
        raise SiteError(f"{folder}: missing {', '.join(missing)}")
    nodes = []
    for entry in manifest.get("files", []):
        found = _TERRITORY_FILE.match(entry.get("file", ""))
        if found:
            nodes.append((found[1], found[2]))
    return Month(key, folder, manifest, tuple(nodes))


def _values(month: Month, headline_only: bool = False) -> pl.DataFrame:
    scan = pl.scan_parquet([month.folder / f"niveau_{lv}.parquet" for lv in LEVEL_FILES]
                           ).select(_FIGURE_COLUMNS)
    if headline_only:
        scan = scan.filter(pl.col("ventilation") == HEADLINE[0])
    return scan.collect()


def _write_assets(out: Path) -> None:
    """The stylesheet and script of the site, and plotly's offline bundle (~4.8 MB, once)."""
    from plotly.offline import get_plotlyjs

    assets = out / "assets"
    assets.mkdir(parents=True)
    own = package_files("socle.export") / "site_assets"
    for name in ("socle.css", "socle.js"):
        (assets / name).write_bytes((own / name).read_bytes())
    (assets / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")


def _page_name(node: Node) -> str:
    return f"{node[0]}_{node[1]}.html"


class _Headlines(dict):
    """A month's headline figures as charts and evolutions read them, by (territory,
    indicator): (figure, as text, as `<td>`), each made once a build: a territory's figure
    of a month is on its pages of the 12 months after too."""

    def __init__(self, figures: MonthFigures, units: dict[str, str]) -> None:
        super().__init__()
        self.figures, self.units = figures, units

    def __missing__(self, key: tuple[Node, str]) -> tuple[Figure, str, str]:
        fig = self.figures.headline(*key)
        unit = self.units.get(key[1], "")
        found = self[key] = (fig, show(fig, unit), td(fig, unit))
        return found


class _Context:
    """What every page of a build shares: catalog, geography, months and their headlines,
    and the words of the catalog as HTML, written once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, months: list[Month]) -> None:
        self.indicators: list[Indicator] = catalog(con)
        self.geo = Geography.from_frame(frame(con, "SELECT * FROM ref.territories"))
        self.has_children = {p for p in self.geo.parents.values() if p is not None}
        self.months = months
        self.keys = [m.key for m in months]
        self.headlines = {m.key: MonthFigures(_values(m, headline_only=True), self.indicators)
                          for m in months}
        self.pages = {m.key: set(m.nodes) for m in months}
        self.units = {i.code: i.unit for i in self.indicators}
        self.headline_cells = {k: _Headlines(f, self.units) for k, f in self.headlines.items()}
        self.counts = {i.code for i in self.indicators if i.aggregation == "count"}
        self.family_labels = {i.family: esc(FAMILIES_FR.get(i.family, i.family))
                              for i in self.indicators}
        self.headline_heads, self.section_heads = {}, {}
        for ind in self.indicators:
            label, unit = esc(ind.label), esc(UNIT_LABELS.get(ind.unit, ind.unit))
            self.headline_heads[ind.code] = (
                f'<tr><th scope="row"><a href="#{ind.code}">{label}</a><td class="u">{unit}')
            self.section_heads[ind.code] = (
                f'<section class="ind" id="{ind.code}" aria-labelledby="t-{ind.code}">'
                f'<h3 id="t-{ind.code}">{label}</h3>'
                f'<p class="meta">{unit} · code {ind.code} · '
                f'<a href="../definitions.html#{ind.code}">définition</a></p>\n')
        self._breakdown_labels: dict[str, tuple[str, str]] = {}

    def breakdown_labels(self, breakdown: str) -> tuple[str, str]:
        """A breakdown's label, as text and as HTML."""
        found = self._breakdown_labels.get(breakdown)
        if found is None:
            label = breakdown_label(breakdown)
            found = self._breakdown_labels[breakdown] = (label, esc(label))
        return found

    def earlier(self, key: str, months_back: int) -> str | None:
        """The month `months_back` calendar months before `key`, if loaded."""
        back = month_key(add_months(parse_month(key), -months_back))
        return back if back in self.headlines else None

    def window(self, key: str) -> list[str]:
        """The last TREND_MONTHS loaded months up to `key`."""
        return [k for k in self.keys if k <= key][-TREND_MONTHS:]


# ---------------------------------------------------------------------------- territory


def _crumbs(ctx: _Context, month: str, chain: list[Node]) -> str:
    parts = []
    for node in reversed(chain[1:]):
        name = esc(ctx.geo.name(node))
        parts.append(f'<a href="{_page_name(node)}">{name}</a>'
                     if node in ctx.pages[month] else name)
    parts.append(f'<span aria-current="page">{esc(ctx.geo.name(chain[0]))}</span>')
    return f'<nav class="crumbs" aria-label="Territoires parents">{" › ".join(parts)}</nav>'


def _month_links(ctx: _Context, month: str, node: Node) -> str:
    """Links to the territory's pages of the earlier months of the chart, and to the site's
    latest month: nothing that a later month changes, so a page once written stays right."""
    links = [f'<a href="../{k}/{_page_name(node)}">{esc(month_label(k))}</a>'
             for k in ctx.window(month)[:-1] if node in ctx.pages[k]]
    earlier = f"Mois précédents : {' · '.join(links)} · " if links else ""
    return (f'<p class="months">{earlier}<a href="../index.html">mois le plus récent'
            "</a></p>")


def _downloads(month: Month, node: Node) -> str:
    base = f"territoires/{node[0]}_{node[1]}"
    links = [f'<a href="../../{month.key}/{base}.{ext}">{label}</a>'
             for ext, label in (("xlsx", "classeur Excel"), ("csv", "fichier CSV"))
             if f"{base}.{ext}" in month.listed]
    if not links:
        return ""
    return f'<p class="downloads">Télécharger ce territoire : {" · ".join(links)}</p>'


def _column_heads(ctx: _Context, chain: list[Node]) -> str:
    return "".join(
        f'<th scope="col">{esc(ctx.geo.name(n))}<br><span class="code">'
        f"{esc(LEVELS_FR.get(n[0], n[0]))}</span>" for n in chain)


@dataclass(frozen=True)
class _Layout:
    """The breakdown rows of a page: the cells any territory of its chain has a row for
    (`cells`), the breakdown ones in reading order (`ids`), and per indicator the summary
    of its table (its breakdowns' names, as HTML) and its breakdowns as (label as HTML,
    first row, row after the last) ranges of `ids`."""

    cells: set[int]
    ids: list[int]
    groups: dict[str, tuple[str, list[tuple[str, int, int]]]]


class _MonthTables:
    """One month's figures as its pages write them. Each published row's `<td>` is made
    once, and a territory's `<td>`s joined to its parents' once per cell for territories
    that have children: a département's appear on each of its committees' pages, France's
    on every page. Cells are numbered in reading order (`cells`)."""

    def __init__(self, ctx: _Context, month: Month) -> None:
        self.ctx, self.month = ctx, month
        published = _values(month)
        # Reading order sorted on the month's distinct cells, not on its ~300,000 rows.
        self.cells: list[Cell] = people_order(published.select(_CELL).unique()).rows()
        codes = {c[0] for c in self.cells}
        self.absent = {code: Figure(0.0, False) if code in codes else NO_ROW
                       for code in ctx.counts}  # a count with no row is 0 once published
        units = [ctx.units.get(c[0], "") for c in self.cells]
        self.missing = [td(self.absent.get(c[0], NO_ROW), u)
                        for c, u in zip(self.cells, units, strict=True)]
        self.heads = [f"<tr><th>{esc(modality_label(c[1], c[2]))}" for c in self.cells]
        self.breakdown = [c[1] != HEADLINE[0] for c in self.cells]
        # Each indicator's breakdowns as ranges of cells (people_order keeps them together).
        self.groups: dict[str, list[tuple[str, int, int]]] = {}
        for i, (code, breakdown, _) in enumerate(self.cells):
            if breakdown == HEADLINE[0]:
                continue
            ranges = self.groups.setdefault(code, [])
            if ranges and ranges[-1][0] == breakdown and ranges[-1][2] == i:
                ranges[-1] = (breakdown, ranges[-1][1], i + 1)
            else:
                ranges.append((breakdown, i, i + 1))

        # Each row's <td>, written once per distinct (unit, value): counts repeat a lot.
        numbered = published.join(
            pl.DataFrame(self.cells, schema=_CELL, orient="row").with_row_index("cell")
            .with_columns(unit=pl.Series(units, dtype=pl.String)),
            on=_CELL, how="left", nulls_equal=True, maintain_order="left")
        secret = pl.col("secret").eq_missing("oui")
        shown = pl.concat([
            part.with_columns(td=pl.Series(tds(part["valeur"].to_list(), unit), dtype=pl.String))
            for (unit,), part in numbered.filter(~secret).select("unit", "valeur").unique()
            .partition_by("unit", as_dict=True).items()
        ] or [pl.DataFrame(schema={"unit": pl.String, "valeur": pl.Float64, "td": pl.String})])
        numbered = numbered.join(shown, on=["unit", "valeur"], how="left", nulls_equal=True,
                                 maintain_order="left").with_columns(
            td=pl.when(secret).then(pl.lit(td(Figure(None, True), ""))).otherwise("td"))
        self.tds: dict[Node, dict[int, str]] = {}
        for level, code, ids, html in numbered.group_by(
                "niveau", "code_territoire", maintain_order=True).agg("cell", "td").iter_rows():
            self.tds[(level, code)] = dict(zip(ids, html, strict=True))
        self.headlines: dict[Node, dict[str, Figure]] = {}
        for level, code, ind, value, secret in published.filter(
                (pl.col("ventilation") == HEADLINE[0]) & (pl.col("modalite") == HEADLINE[1])
        ).select("niveau", "code_territoire", "indicateur", "valeur", "secret").iter_rows():
            self.headlines.setdefault((level, code), {})[ind] = Figure(value, secret == "oui")

        self.window = ctx.window(month.key)
        self.window_months = [month_label(k) for k in self.window]
        self.window_labels = [esc(k) for k in self.window_months]
        self._window_cells = [ctx.headline_cells[k] for k in self.window]
        self._layouts: dict[Node, _Layout] = {}
        self._rows: dict[Node, list[str]] = {}
        self._headline_tds: dict[tuple[Node, str], str] = {}
        self._trend_tds: dict[tuple[Node, str], list[str]] = {}

    def headline(self, node: Node, code: str) -> Figure:
        found = self.headlines.get(node, {}).get(code)
        return found if found is not None else self.absent.get(code, NO_ROW)

    def layout(self, chain: list[Node]) -> _Layout:
        """The breakdown rows of the page of `chain[0]`: the cells any territory of `chain`
        has a row for. Usually a committee has none its département lacks, and shares its
        département's layout."""
        node = chain[0]
        found = self._layouts.get(node)
        if found is not None:
            return found
        own = self.tds.get(node, {})
        up = self.layout(chain[1:]) if len(chain) > 1 else None
        if up is not None and own.keys() <= up.cells:
            found = up
        else:
            cells = up.cells.union(own) if up is not None else set(own)
            breakdown = self.breakdown
            ids = [i for i in sorted(cells) if breakdown[i]]
            groups = {}
            for code, ranges in self.groups.items():
                shown = []  # (label, its HTML, first row, row after the last)
                for brk, first, end in ranges:
                    start = bisect_left(ids, first)
                    stop = bisect_left(ids, end, start)
                    if start < stop:
                        shown.append((*self.ctx.breakdown_labels(brk), start, stop))
                if shown:
                    groups[code] = (esc(", ".join(g[0] for g in shown)),
                                    [g[1:] for g in shown])
            found = _Layout(cells, ids, groups)
        if node in self.ctx.has_children:
            self._layouts[node] = found
        return found

    def row_tds(self, node: Node, layout: _Layout) -> list[str]:
        """For each row of `layout`, the `<td>`s of `node` and of every parent up to
        France; kept for a territory's own layout, which its committees share."""
        own_layout = self._layouts.get(node) is layout
        if own_layout:
            found = self._rows.get(node)
            if found is not None:
                return found
        own, missing = self.tds.get(node, {}), self.missing
        made = [own.get(i) or missing[i] for i in layout.ids]
        parent = self.ctx.geo.parents.get(node)
        if parent is not None:
            made = list(map(str.__add__, made, self.row_tds(parent, layout)))
        if own_layout:
            self._rows[node] = made
        return made

    def headline_tds(self, node: Node, ind: Indicator) -> str:
        """The headline `<td>`s of `node` and of every parent up to France."""
        found = self._headline_tds.get((node, ind.code))
        if found is None:
            parent = self.ctx.geo.parents.get(node)
            found = (td(self.headline(node, ind.code), ind.unit)
                     + (self.headline_tds(parent, ind) if parent is not None else ""))
            if node in self.ctx.has_children:
                self._headline_tds[(node, ind.code)] = found
        return found

    def series(self, node: Node, code: str) -> list[tuple[Figure, str, str]]:
        """The territory's headline over the chart's months (see `_Headlines`)."""
        key = (node, code)
        return [cells[key] for cells in self._window_cells]

    def trend_tds(self, node: Node, ind: Indicator,
                  own: list[tuple[Figure, str, str]] | None = None) -> list[str]:
        """For each month of the chart, the `<td>`s of `node` and of every parent."""
        found = self._trend_tds.get((node, ind.code))
        if found is None:
            found = [c[2] for c in (own if own is not None else self.series(node, ind.code))]
            parent = self.ctx.geo.parents.get(node)
            if parent is not None:
                found = list(map(str.__add__, found, self.trend_tds(parent, ind)))
            if node in self.ctx.has_children:
                self._trend_tds[(node, ind.code)] = found
        return found


def _headline_table(ctx: _Context, tables: _MonthTables, chain: list[Node],
                    column_heads: str) -> str:
    node = chain[0]
    before = [ctx.headline_cells[k] if k else None
              for k in (ctx.earlier(tables.month.key, n) for n in (1, 12))]
    width = 4 + len(chain)
    rows, family = [], None
    for ind in ctx.indicators:
        if ind.family != family:
            family = ind.family
            rows.append(f'<tr class="fam"><th colspan="{width}" scope="rowgroup">'
                        f"{ctx.family_labels[family]}")
        now = tables.headline(node, ind.code)
        rows.append(
            ctx.headline_heads[ind.code] + tables.headline_tds(node, ind)
            + "".join("<td>" + change(now, None if b is None else b[(node, ind.code)][0], ind.unit)
                      for b in before))
    return (
        '<table class="headline"><caption>Valeur du mois pour le territoire et ses '
        "territoires parents ; évolutions du territoire sur un mois et sur douze mois "
        "(quand ces mois sont chargés).</caption>\n<thead><tr>"
        '<th scope="col">Indicateur<th scope="col">Unité'
        + column_heads
        + '<th scope="col">Évolution sur 1 mois<th scope="col">Évolution sur 12 mois'
        "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )


def _trend(tables: _MonthTables, node: Node, name: str, ind: Indicator, period: str,
           trend_heads: str) -> str:
    """The chart of one indicator over the last loaded months, its values as a table (the
    chart's source and its text alternative) and a one-sentence summary (`name`: the
    territory's, as HTML)."""
    own = tables.series(node, ind.code)
    body = "\n".join(f"<tr><th>{label}{cells}" for label, cells in zip(
        tables.window_labels, tables.trend_tds(node, ind, own), strict=True))
    # The text alternative: the territory's first and last published values (the table
    # below the chart has every value of every series).
    shown = [(k, c[1]) for k, c in zip(tables.window_months, own, strict=True)
             if not c[0].secret and c[0].value is not None]
    secret = [k for k, c in zip(tables.window_months, own, strict=True) if c[0].secret]
    summary = name + " : "
    if not shown:
        summary += "aucune valeur publiée"
    elif shown[0][0] == shown[-1][0]:
        summary += f"{shown[0][1]} en {shown[0][0]}"
    else:
        (k0, f0), (k1, f1) = shown[0], shown[-1]
        summary += f"de {f0} en {k0} à {f1} en {k1}"
    if secret:
        summary += f" ; secret statistique en {', '.join(secret)}"
    return (
        '<figure class="trend"><div class="chart" role="img" aria-label="Graphique '
        "d'évolution, décrit dessous\"></div>\n"
        f"<figcaption>Évolution {period}. "
        f"{summary}.{' Courbes en indice.' if ind.unit not in ('rate', 'days') else ''}"
        "</figcaption>\n"
        "<details><summary>Valeurs du graphique</summary>"
        f'<table class="trend" data-unit="{esc(ind.unit)}"><thead><tr><th scope="col">Mois'
        + trend_heads
        + f"</thead>\n<tbody>\n{body}\n</tbody></table></details></figure>"
    )


def _breakdowns(table: tuple[str, list[tuple[str, int, int]]] | None, lines: list[str],
                width: int, heads: str) -> str:
    """The unfoldable table of one indicator's breakdowns (`table`: the layout's summary and
    ranges of `lines`)."""
    if table is None:
        return ""
    names, groups = table
    body = []
    for label, start, stop in groups:
        body.append(f"<tr class=g><th colspan={width} scope=rowgroup>{label}")
        body.extend(lines[start:stop])
    return (
        f"<details><summary>Ventilations : {names}</summary>"
        f'<table class="breakdown"><thead><tr><th scope=col>Modalité{heads}'
        "</thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody></table></details>"
    )


def _territory_page(ctx: _Context, tables: _MonthTables, node: Node) -> str:
    month = tables.month
    chain = ctx.geo.chain(node)
    name = ctx.geo.name(node)
    names = [ctx.geo.name(n) for n in chain]
    level = LEVELS_FR.get(node[0], node[0])
    warning = incomplete_warning(month.manifest.get("couverture"))
    layout = tables.layout(chain)
    lines = list(map(str.__add__, map(tables.heads.__getitem__, layout.ids),
                     tables.row_tds(node, layout)))
    window = tables.window
    period = esc(f"sur {len(window)} mois chargés, de {month_label(window[0])} à "
                 f"{month_label(window[-1])}" if len(window) > 1
                 else f"en {month_label(month.key)}")
    trend_heads = "".join(f'<th scope="col">{esc(n)}' for n in names)
    name_html = esc(name)
    breakdown_heads = "".join(f"<th scope=col>{esc(n)}" for n in names)
    sections = []
    width = 1 + len(chain)
    for ind in ctx.indicators:
        sections.append(
            ctx.section_heads[ind.code]
            + _trend(tables, node, name_html, ind, period, trend_heads) + "\n"
            + _breakdowns(layout.groups.get(ind.code), lines, width, breakdown_heads)
            + "</section>")
    body = (
        _crumbs(ctx, month.key, chain)
        + f"\n<h1>{esc(name)}<small>{esc(level)} · code {esc(node[1])} · "
        f"{esc(month_label(month.key))}</small></h1>\n"
        + _month_links(ctx, month.key, node) + "\n"
        + (f'<p class="warn">{esc(warning)}</p>\n' if warning else "")
        + _downloads(month, node) + "\n" + legend() + "\n" + _CHART_NOTE + "\n"
        + f"<h2>Indicateurs de {esc(month_label(month.key))}</h2>\n"
        + _headline_table(ctx, tables, chain, _column_heads(ctx, chain))
        + "\n<h2>Évolution et ventilations, indicateur par indicateur</h2>\n"
        + "\n".join(sections)
    )
    title = f"{name} — {month_label(month.key)}"
    return page(title, "../", body, footer(month.manifest, "../", month.key), charts=True)


# ---------------------------------------------------------------------------- indexes


def _tree(ctx: _Context, month: str, prefix: str) -> str:
    """France, its régions, their départements and the départements' committees, each a
    link; `data-k` holds what the picker searches (name and code, folded)."""
    nodes = ctx.pages[month]
    children: dict[Node | None, list[Node]] = {}
    for node in nodes:
        parent = ctx.geo.parents.get(node)
        children.setdefault(parent if parent in nodes else None, []).append(node)

    def key(node: Node) -> tuple:
        # Départements by code (01, 02, … 2A), others by name.
        return (node[1],) if node[0] == "DEP" else (fold(ctx.geo.name(node)), node[1])

    def item(node: Node) -> str:
        name = ctx.geo.name(node)
        level = LEVELS_FR.get(node[0], node[0])
        link = (f'<a href="{prefix}{_page_name(node)}">{esc(name)}</a> '
                f'<span class="code">{esc(node[1])}</span>')
        search = esc(fold(f"{name} {node[1]}"))
        below = sorted(children.get(node, []), key=key)
        if not below or node[0] == "NAT":
            return f'<li data-k="{search}">{link}'
        inner = "\n".join(item(c) for c in below)
        return (f'<li data-k="{search}"><details><summary>{esc(name)} <span class="code">'
                f'{esc(node[1])}</span></summary><p>Page {"du" if node[0] == "DEP" else "de la"}'
                f" {esc(level.lower())} : {link}</p>\n<ul>\n{inner}\n</ul></details>")

    top = sorted(children.get(None, []), key=lambda n: (LEVEL_FILES.index(n[0])
                                                        if n[0] in LEVEL_FILES else 9, key(n)))
    regions = sorted(children.get(("NAT", "FR"), []), key=key)
    return ('<ul class="tree" id="territoires">\n'
            + "\n".join(item(n) for n in top + regions) + "\n</ul>")


def _level_downloads(month: Month, up: str) -> str:
    links = []
    for level in LEVEL_FILES:
        for ext in ("csv", "parquet"):
            name = f"niveau_{level}.{ext}"
            if name in month.listed:
                links.append(f'<a href="{up}{month.key}/{name}">{name}</a>')
    links.append(f'<a href="{up}{month.key}/manifest.json">manifest.json</a>')
    return (f'<p class="downloads">Fichiers de {esc(month_label(month.key))} (tous les '
            f"territoires d'un niveau) : {' · '.join(links)}</p>")


def _index_page(ctx: _Context, month: Month, root: str) -> str:
    """A month's picker; at the top of the site (`root` = "") it is the latest month's."""
    prefix = "" if root else f"{month.key}/"
    up = root + "../"
    warning = incomplete_warning(month.manifest.get("couverture"))
    others = " · ".join(
        f"<strong>{esc(month_label(k))}</strong>" if k == month.key
        else f'<a href="{root}{k}/index.html">{esc(month_label(k))}</a>'
        for k in reversed(ctx.keys))
    body = (
        f"<h1>Indicateurs de {esc(month_label(month.key))}<small>Le socle commun "
        "d'indicateurs du réseau pour l'emploi, par territoire</small></h1>\n"
        + (f'<p class="warn">{esc(warning)}</p>\n' if warning else "")
        + "<p>Choisissez votre territoire : comité local pour l'emploi, département, région ou "
        "France. Sa page montre chaque indicateur du mois à côté de son département, de sa "
        "région et de la France, son évolution sur les derniers mois et ses ventilations ; "
        "elle renvoie au classeur Excel du territoire.</p>\n"
        '<form class="search" role="search" onsubmit="return false"><label for="recherche">'
        "Rechercher un territoire par son nom ou son code</label><br>"
        '<input id="recherche" type="search" autocomplete="off" '
        'placeholder="par exemple : Bresse, CLPE01002, Ain"></form>\n'
        '<p id="resultats" aria-live="polite"></p>\n'
        + _tree(ctx, month.key, prefix) + "\n"
        + f'<p class="months">Autres mois : {others}</p>\n'
        + _level_downloads(month, up)
        + f'\n<p><a href="{root}{month.key}/sources.html">Sources et livraisons du mois</a></p>'
    )
    return page(f"Indicateurs de {month_label(month.key)}", root, body,
                footer(month.manifest, root, month.key))


def _sources_page(month: Month) -> str:
    m = month.manifest
    coverage = m.get("couverture") or []
    deliveries: dict[tuple, list[dict]] = {}
    for d in m.get("source_deliveries") or []:
        key = (d.get("operator"), d.get("month"), d.get("extract"), d.get("status"))
        deliveries.setdefault(key, []).append(d)
    statuses = {"accepted": "acceptée", "partial": "partielle (lignes en quarantaine)"}
    body = [
        f"<h1>Sources de {esc(month_label(month.key))}<small>Ce sur quoi reposent les "
        "chiffres du mois</small></h1>",
        f"<p>Publié le {esc(published_label(m.get('generated_at')))}, version du code "
        f"{esc(m.get('code_version', 'inconnue'))}. Seuil du secret statistique : "
        f"{esc(m.get('secret_threshold', '?'))} ; cases masquées : "
        f"{esc(m.get('cells_masked', '?'))}.</p>",
    ]
    if coverage:
        body.append("<h2>Livraisons attendues par opérateur</h2><ul>" + "".join(
            f"<li>{esc(c.get('phrase', c.get('operateur', '')))}" for c in coverage) + "</ul>")
    body.append("<h2>Livraisons prises en compte</h2>")
    if deliveries:
        body.append(
            '<table class="list"><caption>Version en vigueur de chaque livraison chargée '
            "(opérateur, mois, "
            "extrait) ; les chiffres d'un mois lisent aussi les livraisons des mois suivants. "
            "Le manifeste du mois donne chaque fichier et son empreinte SHA-256."
            "</caption><thead><tr><th scope=col>Opérateur<th scope=col>Mois livré"
            "<th scope=col>Extrait<th scope=col>Fichiers<th scope=col>Statut</thead><tbody>"
            + "".join(
                f"<tr><th>{esc(op)}<td class=u>{esc(mo)}<td class=u>{esc(ex)}"
                f"<td class=u>{esc(parts[0].get('source_file')) if len(parts) == 1 else len(parts)}"
                f"<td class=u>{esc(statuses.get(st, st))}"
                for (op, mo, ex, st), parts in deliveries.items())
            + "</tbody></table>")
    else:
        body.append("<p>Aucune livraison n'est listée.</p>")
    body.append(_level_downloads(month, "../../"))
    return page(f"Sources de {month_label(month.key)}", "../", "\n".join(body),
                footer(m, "../", month.key))


def _definitions_page(ctx: _Context, latest: Month) -> str:
    items = []
    for ind in ctx.indicators:
        breakdowns = ", ".join(breakdown_label(b) for b in ind.breakdowns)
        items.append(
            f'<section class="ind" id="{ind.code}"><h2>{esc(ind.label)}</h2>'
            f'<p class="meta">Code {ind.code} · {esc(FAMILIES_FR.get(ind.family, ind.family))}'
            f" · {esc(UNIT_LABELS.get(ind.unit, ind.unit))}</p><p>{esc(ind.definition)}</p>"
            + (f"<p>Ventilations : {esc(breakdowns)}.</p>" if breakdowns else "")
            + "</section>")
    body = (
        "<h1>Définitions des indicateurs<small>Extraites du catalogue du socle commun"
        "</small></h1>\n<p>Chaque indicateur est calculé chaque mois pour la France, chaque "
        "région, chaque département et chaque comité local pour l'emploi, directement à partir "
        "des communes. Une personne suivie par plusieurs opérateurs est comptée une fois. Le "
        "département de rattachement d'un comité est celui auquel il est comparé.</p>\n"
        + legend() + "\n" + "\n".join(items)
    )
    return page("Définitions des indicateurs", "", body, footer(latest.manifest, "", latest.key))


# ---------------------------------------------------------------------------- build


def write_site(con: duckdb.DuckDBPyConnection, month_folders: dict[str, Path],
               out: Path, previous: Path | None = None, rebuild_from: str | None = None,
               workers: int = 1) -> dict:
    """Build the whole site into `out` (a fresh folder) from the export folders of
    `month_folders` ('YYYY-MM' → folder) and the snapshot `con` (read only); returns what
    it wrote (months, pages, bytes).

    A month's pages read only that month and earlier ones: with a `previous` site, the
    months before `rebuild_from` are linked from it rather than written again, so a
    monthly publication does not rebuild the whole history. The months to write are spread
    over `workers` processes when `con` is a database file opened read-only (each month is
    ~2 s of CPU at national scale, and a run from empty writes every month)."""
    if not month_folders:
        raise SiteError("no exported month to build the site from")
    months = [_read_month(k, Path(f)) for k, f in sorted(month_folders.items())]
    out.mkdir(parents=True)
    _write_assets(out)
    ctx = _Context(con, months)
    pages, todo = 0, []
    for month in months:
        kept = previous / month.key if previous is not None else None
        if (kept is not None and rebuild_from is not None and month.key < rebuild_from
                and kept.is_dir()):
            shutil.copytree(kept, out / month.key, copy_function=_link_or_copy)
            pages += len(month.nodes)
        else:
            todo.append(month)
    database = _read_only_file(con)
    if database is None or workers <= 1 or len(todo) <= 1:
        pages += sum(_write_month(ctx, month, out / month.key) for month in todo)
    else:
        jobs = [(m.key, out / m.key) for m in todo]
        pages += sum(in_processes(_month_in_worker, jobs, workers,
                                  initializer=_start_worker, initargs=(database, month_folders)))
    latest = months[-1]
    (out / "index.html").write_text(_index_page(ctx, latest, ""), encoding="utf-8")
    (out / "definitions.html").write_text(_definitions_page(ctx, latest), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"months": [m.key for m in months], "latest": latest.key,
            "territory_pages": pages, "bytes": size}


def _write_month(ctx: _Context, month: Month, folder: Path) -> int:
    """A month's pages, its picker and its sources page into `folder`; returns the pages."""
    folder.mkdir()
    tables = _MonthTables(ctx, month)
    for node in month.nodes:
        html = _territory_page(ctx, tables, node)
        (folder / _page_name(node)).write_text(html, encoding="utf-8")
    (folder / "index.html").write_text(_index_page(ctx, month, "../"), encoding="utf-8")
    (folder / "sources.html").write_text(_sources_page(month), encoding="utf-8")
    return len(month.nodes)


# The build's context in a worker process, made once by `_start_worker`.
_WORKER: list[_Context] = []


def _start_worker(database: str, month_folders: dict[str, Path]) -> None:
    months = [_read_month(k, Path(f)) for k, f in sorted(month_folders.items())]
    con = connect(Path(database), read_only=True)
    try:
        _WORKER[:] = [_Context(con, months)]
    finally:
        con.close()


def _month_in_worker(job: tuple[str, Path]) -> int:
    """One month's pages, written by a worker process with its own copy of the context."""
    key, folder = job
    [ctx] = _WORKER
    return _write_month(ctx, next(m for m in ctx.months if m.key == key), folder)


def _read_only_file(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file of `con`'s database when it is open read-only, which other processes may
    then open too; None otherwise (in memory, or locked by a writer)."""
    [(path, read_only)] = con.execute(
        "SELECT path, readonly FROM duckdb_databases() "
        "WHERE database_name = current_database()").fetchall()
    return path if path and read_only else None


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link where the file system allows one (the old site is deleted after)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def exported_months(exports: Path) -> dict[str, Path]:
    """The export folders `exports/<YYYY-MM>/` that hold a manifest, by month."""
    if not exports.is_dir():
        return {}
    return {p.name: p for p in sorted(exports.iterdir())
            if month_or_none(p.name) and (p / "manifest.json").is_file()}


def rebuild_site(paths: Paths, months: set[str] | None = None) -> dict:
    """`socle site`: (re)write `exports/site/` from the published snapshot (read only) and
    the export folders of `months` (default: every exported month). Built beside, as
    `site.tmp`, then swapped in by renames: readers see the old site or the new one."""
    folders = exported_months(paths.exports)
    if months is not None:
        missing = sorted(months - folders.keys())
        if missing:
            raise SiteError(f"no export folder under {paths.exports} for {', '.join(missing)}")
        folders = {k: v for k, v in folders.items() if k in months}
    if not paths.warehouse.exists():
        raise SiteError(f"no published warehouse at {paths.warehouse}: run `socle run` first")
    final = paths.exports / "site"
    tmp = final.with_name("site.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    con = connect(paths.warehouse, read_only=True)
    try:
        summary = write_site(con, folders, tmp,
                             workers=Settings.from_env().export_workers)
        swap_in(tmp, final)
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return {**summary, "site": str(final)}
