"""Check the internal links of the built site: every href and src must resolve to a file.

Usage (after ``mkdocs build --strict``)::

    python docs/check_links.py [SITE_DIR]      # default: site
    python docs/check_links.py --self-test     # show that a broken link fails the check

For each ``site/**/*.html``, every ``href``/``src``/``srcset`` that stays on the site (no
scheme such as ``https:`` or ``mailto:``, not ``//host/...``) is resolved against the page's
folder (or the site root for ``/...``): a path to a folder needs its ``index.html``. A link
with a ``#fragment`` to an HTML page of the site also needs an element with that ``id`` (or an
``<a name=...>``) in the target page. Exit status 0 when every link resolves, 1 otherwise
(each broken link is listed as ``page: link (reason)``), 2 for a usage error.
"""

from __future__ import annotations

import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ATTRS = {"href", "src", "srcset", "poster", "data"}


class _Page(HTMLParser):
    """Collect a page's links and the ids it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id",) or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif tag == "base" and name == "href":
                self.base = value
            elif name == "srcset":
                self.links += [part.strip().split()[0] for part in value.split(",") if part.strip()]
            elif name in ATTRS and not (tag == "link" and name == "href" and _is_hint(attrs)):
                self.links.append(value)


def _is_hint(attrs: list[tuple[str, str | None]]) -> bool:
    """``<link rel="preconnect">`` and the like name hosts, not files."""
    rel = dict(attrs).get("rel") or ""
    return bool({"preconnect", "dns-prefetch"} & set(rel.split()))


def _parse(path: Path, cache: dict[Path, _Page]) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def check_site(site: Path) -> list[str]:
    """Return one line per broken internal link in the HTML pages under ``site``."""
    site = site.resolve()
    cache: dict[Path, _Page] = {}
    broken: list[str] = []
    pages = sorted(site.rglob("*.html"))
    for page_path in pages:
        page = _parse(page_path, cache)
        where = page_path.relative_to(site).as_posix()
        for link in page.links:
            reason = _check(link, page_path, site, cache)
            if reason:
                broken.append(f"{where}: {link} ({reason})")
    return broken


def _check(link: str, page_path: Path, site: Path, cache: dict[Path, _Page]) -> str | None:
    link = link.strip()
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("javascript:", "data:")):
        return None  # another site, an e-mail address, inline data: not ours to check
    base = site if parts.path.startswith("/") else page_path.parent
    path = unquote(parts.path)
    target = (base / path.lstrip("/")).resolve() if path else page_path
    if not target.is_relative_to(site):
        return "points outside the site"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html":
        if fragment not in _parse(target, cache).ids:
            return f"no id {fragment!r} in {target.relative_to(site).as_posix()}"
    return None


def self_test() -> int:
    """Build a two-page site with one good and two broken links; the check must find both."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "a").mkdir()
        (site / "a" / "index.html").write_text(
            '<h1 id="top">A</h1><a href="../b.html#part">good</a>'
            '<a href="../missing/">missing page</a><a href="../b.html#nowhere">no such anchor</a>',
            encoding="utf-8",
        )
        (site / "b.html").write_text('<h2 id="part">B</h2><a href="a/#top">back</a>', "utf-8")
        broken = check_site(site)
    expected = ["a/index.html: ../missing/", "a/index.html: ../b.html#nowhere (no id"]
    ok = len(broken) == 2 and all(b.startswith(e) for b, e in zip(broken, expected, strict=True))
    print("\n".join(broken))
    print("self-test:", "ok (both broken links found)" if ok else "FAILED")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    if argv == ["--self-test"]:
        return self_test()
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    site = Path(argv[0] if argv else "site")
    if not (site / "index.html").is_file():
        print(f"check_links: {site}/index.html not found; build the site first", file=sys.stderr)
        return 2
    broken = check_site(site)
    pages = len(list(site.rglob("*.html")))
    for line in broken:
        print(line)
    print(f"check_links: {pages} pages, {len(broken)} broken internal links")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
