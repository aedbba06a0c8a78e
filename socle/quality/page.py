"""The report's index page, in French, in place of GE's (which needs bootstrap-table, a
script no local package ships, to show anything): each suite, its status, its failures,
and links to GE's own pages for the details."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socle.quality.report import SuiteResult

_STYLE = """
body { font-size: 15px; }
.ok { color: #1e7e34; font-weight: 600; }
.echec { color: #b21f2d; font-weight: 600; }
td, th { vertical-align: top; }
li.exemple { font-family: monospace; font-size: 13px; }
"""


def _months(months: Sequence[date]) -> str:
    if not months:
        return "aucun mois"
    first, last = months[0].strftime("%Y-%m"), months[-1].strftime("%Y-%m")
    return f"le mois {first}" if first == last else f"les mois {first} à {last}"


def _row(s: SuiteResult) -> str:
    status = ('<span class="ok">réussie</span>' if s.success
              else '<span class="echec">en échec</span>')
    links = [f'<a href="expectations/{escape(s.name)}.html">attentes</a>']
    if s.page:
        links.insert(0, f'<a href="{escape(s.page)}">résultats détaillés</a>')
    return (f"<tr><td>{escape(s.title)}<br><small><code>{escape(s.name)}</code></small></td>"
            f"<td>{status}</td><td>{s.evaluated}</td><td>{len(s.failures)}</td>"
            f"<td>{' · '.join(links)}</td></tr>")


def render_index(results: Sequence[SuiteResult], months: Sequence[date]) -> str:
    failures = [f for s in results for f in s.failures]
    verdict = ('<p class="ok">Toutes les attentes sont satisfaites.</p>' if not failures else
               f'<p class="echec">{len(failures)} attente(s) en échec.</p>')
    details = []
    for f in failures:
        examples = "".join(f'<li class="exemple">{escape(e)}</li>' for e in f.examples)
        details.append(
            f"<li><strong>{escape(f.suite)}</strong> · <code>{escape(f.expectation)}</code> : "
            f"{escape(f.description)} <em>{f.unexpected} ligne(s) en écart.</em>"
            f"<ul>{examples}</ul></li>")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Qualité des données publiées — socle</title>
<link rel="stylesheet" href="static/vendor/bootstrap/css/bootstrap.min.css">
<style>{_STYLE}</style>
</head>
<body>
<main class="container py-4">
<h1>Qualité des données publiées</h1>
<p>Entrepôt publié (instantané en lecture seule), {_months(months)} ; rapport produit le
{now} (UTC) avec Great Expectations.</p>
{verdict}
<table class="table table-sm">
<thead><tr><th>Suite</th><th>Statut</th><th>Attentes</th><th>Échecs</th><th>Pages</th></tr>
</thead>
<tbody>
{"".join(_row(s) for s in results)}
</tbody>
</table>
{"<h2>Attentes en échec</h2><ul>" + "".join(details) + "</ul>" if details else ""}
</main>
</body>
</html>
"""


def write_index(site: Path, results: Sequence[SuiteResult], months: Sequence[date]) -> Path:
    """Write `index.html` at the site's root (over GE's) and return its path."""
    path = site / "index.html"
    path.write_text(render_index(results, months), encoding="utf-8")
    return path
