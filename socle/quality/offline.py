"""Make Great Expectations' Data Docs readable without internet.

Its pages load Bootstrap, jQuery, Font Awesome, bootstrap-table, a date picker, a dark theme
and Vega from CDNs, and its logo from a web server. Local copies come from PyPI packages
installed with the `quality` extra (XStatic-Bootstrap, XStatic-Font-Awesome, XStatic-jQuery)
and are copied into `static/vendor/` of the site at build time; every page is then rewritten
to use them. What has no local copy is removed, and stated in README "Data quality report":
bootstrap-table and its filter and date-picker extensions (they only drive GE's own index,
which socle replaces by its own page), the dark theme, and Vega (charts of distribution
expectations, which no socle suite has). Links to GE's web site lose their address (their
text stays) and its newsletter footer goes. A check then refuses any page still pointing
outside the site.
"""

from __future__ import annotations

import re
import shutil
from importlib import import_module
from pathlib import Path

# (XStatic package, file or folder in it, where it goes under static/vendor/)
VENDORED = (
    ("xstatic.pkg.bootstrap", "css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"),
    # The bundle holds Popper, which GE loads apart.
    ("xstatic.pkg.bootstrap", "js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"),
    ("xstatic.pkg.font_awesome", "css/all.min.css", "font-awesome/css/all.min.css"),
    ("xstatic.pkg.font_awesome", "webfonts", "font-awesome/webfonts"),
    ("xstatic.pkg.jquery", "jquery.min.js", "jquery/jquery.min.js"),
)
# A CDN address (its distinctive part) → the local copy that replaces it; None: removed.
REPLACEMENTS: tuple[tuple[str, str | None], ...] = (
    ("bootstrap-table", None),
    ("bootstrap-datepicker", None),
    ("bootstrap-dark", None),
    ("/npm/vega", None),
    ("popper", None),
    ("bootstrap.min.css", "bootstrap/css/bootstrap.min.css"),
    ("bootstrap.min.js", "bootstrap/js/bootstrap.bundle.min.js"),
    ("font-awesome", "font-awesome/css/all.min.css"),
    ("jquery", "jquery/jquery.min.js"),
)
_EXTERNAL = r"(?:https?:)?//"
_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*\"(?P<url>[^\"]*)\"[^>]*>\s*</script>", re.I)
_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*\"(?P<url>[^\"]*)\"[^>]*>", re.I)
_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*\"(?P<url>[^\"]*)\"[^>]*>", re.I | re.S)
_ANCHOR_HREF = re.compile(rf"(<a\b[^>]*?)\s+href\s*=\s*\"{_EXTERNAL}[^\"]*\"", re.I | re.S)
_CSS_URL = re.compile(rf"url\(\s*['\"]?{_EXTERNAL}[^)]*\)", re.I)
_FOOTER = re.compile(r"<footer\b.*?</footer>", re.I | re.S)
_ANY_EXTERNAL = re.compile(
    rf"\b(?:src|href)\s*=\s*['\"]?{_EXTERNAL}[^\s'\">]*|url\(\s*['\"]?{_EXTERNAL}[^)]*\)",
    re.I)


def vendor_assets(site: Path) -> None:
    """Copy the local scripts, styles and fonts from the installed XStatic packages."""
    for package, source, target in VENDORED:
        src = Path(import_module(package).BASE_DIR) / source
        dst = site / "static" / "vendor" / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, dst)


def _local(url: str) -> str | None:
    for marker, local in REPLACEMENTS:
        if marker in url:
            return local
    return None


def rewrite_page(html: str, prefix: str) -> str:
    """One page with its CDN scripts and styles swapped for local copies (`prefix` leads
    from the page to the site's root), the rest of the outside world removed."""
    def script(m: re.Match[str]) -> str:
        if not re.match(_EXTERNAL, m["url"]):
            return m[0]
        local = _local(m["url"])
        return f'<script src="{prefix}static/vendor/{local}"></script>' if local else ""

    def link(m: re.Match[str]) -> str:
        if not re.match(_EXTERNAL, m["url"]):
            return m[0]
        local = _local(m["url"])
        return f'<link rel="stylesheet" href="{prefix}static/vendor/{local}">' if local else ""

    def image(m: re.Match[str]) -> str:
        if not re.match(_EXTERNAL, m["url"]):
            return m[0]
        # GE's logo, fetched with the context's id in the address: the copy GE ships.
        return f'<img src="{prefix}static/images/logo-long.png" alt="Great Expectations" ' \
               'style="width: auto; height: 50px">'

    html = _SCRIPT.sub(script, html)
    html = _LINK.sub(link, html)
    html = _IMG.sub(image, html)
    html = _ANCHOR_HREF.sub(r"\1", html)
    html = _FOOTER.sub("", html)
    return _CSS_URL.sub("none", html)


def make_offline(site: Path) -> None:
    """Vendor the assets and rewrite every page and stylesheet of the site in place."""
    vendor_assets(site)
    for page in site.rglob("*.html"):
        depth = len(page.relative_to(site).parts) - 1
        page.write_text(rewrite_page(page.read_text(encoding="utf-8"), "../" * depth),
                        encoding="utf-8")
    for sheet in (site / "static" / "styles").rglob("*.css"):
        sheet.write_text(_CSS_URL.sub("none", sheet.read_text(encoding="utf-8")),
                         encoding="utf-8")
    left = external_references(site)
    if left:
        raise RuntimeError("Data Docs still point outside the site: " + "; ".join(left[:5]))


def external_references(site: Path) -> list[str]:
    """`file: reference` for every src, href or CSS url() of the site's pages and
    stylesheets that points to another host (empty: the site reads offline)."""
    found = []
    for path in sorted([*site.rglob("*.html"), *site.rglob("*.css")]):
        for m in _ANY_EXTERNAL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{path.relative_to(site)}: {m[0]}")
    return found
