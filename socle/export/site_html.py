"""HTML pieces of the committee site: French number formats, the page frame, tables.

Pages are plain HTML that reads without script (tables with headers, `lang="fr"`); end
tags a browser infers (`</td>`, `</tr>`) are left out to keep ~500 pages a month small."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from html import escape

from socle.export.labels import ABSENT, MONTHS_FR, SECRET, SECRET_LEGEND
from socle.export.tables import Figure

SITE_TITLE = "Socle commun d'indicateurs"
NNBSP = "\u202f"  # narrow no-break space: French thousands and before `%`
MINUS = "\u2212"


def esc(text: object) -> str:
    """Text for an element's content or a double-quoted attribute (`'` stays as is)."""
    return escape(str(text), quote=False).replace('"', "&quot;")


def fold(text: str) -> str:
    """Lower case without accents, as the picker's script compares (`socle.js` fold)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def month_label(key: str) -> str:
    """`2024-06` → `juin 2024`."""
    year, month = key.split("-")
    return f"{MONTHS_FR[int(month) - 1]} {year}"


def published_label(iso: str | None) -> str:
    """The manifest's `generated_at` as people read it: `6 décembre 2026 à 00 h 10`."""
    if not iso:
        return "date inconnue"
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{at.day} {MONTHS_FR[at.month - 1]} {at.year} à {at.hour:02d} h {at.minute:02d}"


def _decimal(x: float, decimals: int) -> str:
    text = f"{abs(x):,.{decimals}f}".replace(",", NNBSP).replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return (MINUS if x < 0 and text != "0" else "") + text


def show(fig: Figure, unit: str) -> str:
    """A figure as a committee reads it: `1 234`, `45,2 %`, `12,5`; `s` when secret."""
    if fig.secret:
        return SECRET
    if fig.value is None or not math.isfinite(fig.value):
        return ABSENT
    if unit == "rate":
        return _decimal(fig.value * 100, 1) + NNBSP + "%"
    if unit == "days":
        return _decimal(fig.value, 1)
    return _decimal(round(fig.value), 0)


def _signed(x: float, decimals: int) -> str:
    text = _decimal(x, decimals)
    return text if text == "0" or text.startswith(MINUS) else "+" + text


def change(now: Figure, before: Figure | None, unit: str) -> str:
    """Change from `before` to `now`: points for a rate, days for a median, the count and
    its percentage otherwise; `s` when either is secret, `–` when either is missing."""
    if before is None:
        return ABSENT
    if now.secret or before.secret:
        return SECRET
    if now.value is None or before.value is None:
        return ABSENT
    diff = now.value - before.value
    if unit == "rate":
        return _signed(diff * 100, 1) + NNBSP + "pt"
    if unit == "days":
        return _signed(diff, 1) + NNBSP + "j"
    text = _signed(round(diff), 0)
    if before.value > 0:
        text += f" ({_signed(diff / before.value * 100, 1)}{NNBSP}%)"
    return text


def td(fig: Figure, unit: str) -> str:
    """A `<td>` for a figure; a secret one is classed `s` (the page's legend says what it
    is: a title on each of ~2,000 cells a page would double its weight)."""
    if fig.secret:
        return f"<td class=s>{SECRET}"
    return f"<td>{show(fig, unit)}"


def tds(values: Iterable[float | None], unit: str) -> list[str]:
    """`td(Figure(v, False), unit)` for each of `values`, in one loop: a national month has
    ~100,000 distinct figures, and three calls a figure cost more than the formatting."""
    finite = math.isfinite
    out: list[str] = []
    append = out.append
    if unit in ("rate", "days"):
        scale, suffix = (100, NNBSP + "%") if unit == "rate" else (1, "")
        for v in values:
            if v is None or not finite(v):
                append(_TD_ABSENT)
                continue
            x = v * scale
            text = (f"{abs(x):,.1f}".replace(",", NNBSP).replace(".", ",")
                    .rstrip("0").rstrip(","))
            append((_TD_MINUS if x < 0 and text != "0" else "<td>") + text + suffix)
    else:
        for v in values:
            if v is None or not finite(v):
                append(_TD_ABSENT)
                continue
            n = round(v)
            text = f"{abs(n):,.0f}".replace(",", NNBSP)
            append((_TD_MINUS if n < 0 and text != "0" else "<td>") + text)
    return out


_TD_ABSENT = f"<td>{ABSENT}"
_TD_MINUS = "<td>" + MINUS


def legend() -> str:
    return (f'<p class="legend"><strong>{SECRET}</strong> : {SECRET_LEGEND} (effectif de 1 à 4, '
            "ou masqué pour qu'on ne puisse pas le recalculer à partir des autres cases) ; "
            f"<strong>{ABSENT}</strong> : sans objet ou non disponible (aucune unité au "
            "dénominateur, mois non chargé ou indicateur pas encore publié).</p>")


def page(title: str, root: str, body: str, footer: str, charts: bool = False) -> str:
    """A whole page; `root` is the way back to the site's top folder (`""` or `"../"`)."""
    scripts = f'<script src="{root}assets/plotly.min.js"></script>\n' if charts else ""
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} — {SITE_TITLE}</title>\n"
        f'<link rel="stylesheet" href="{root}assets/socle.css">\n</head>\n<body>\n'
        f'<header class="site"><a class="brand" href="{root}index.html">{SITE_TITLE}</a>'
        f'<nav aria-label="Site"><a href="{root}index.html">Choisir un territoire</a> · '
        f'<a href="{root}definitions.html">Définitions</a></nav></header>\n'
        f"<main>\n{body}\n</main>\n<footer>{footer}</footer>\n"
        f'{scripts}<script src="{root}assets/socle.js"></script>\n</body>\n</html>\n'
    )


def footer(manifest: dict, root: str, month: str) -> str:
    """Publication date, code version and secrecy threshold: on every page."""
    return (f"Publié le {esc(published_label(manifest.get('generated_at')))} · version du "
            f"code {esc(manifest.get('code_version', 'inconnue'))} · seuil du secret "
            f"statistique : {esc(manifest.get('secret_threshold', '?'))} · "
            f'<a href="{root}definitions.html">Définitions</a> · '
            f'<a href="{root}{month}/sources.html">Sources et livraisons de '
            f"{month_label(month)}</a>")
