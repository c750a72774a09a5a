"""MkDocs hooks of gradlab's site (``hooks:`` in mkdocs.yml).

The Korean pages' headings. mkdocs-jupyter makes each heading's id, and the table of contents'
links, from the heading's text reduced to ASCII, so a Korean heading of a notebook gets an
empty id or a bare number ("## 1. 역전파는 곱셈이다" -> ``1``), several headings share one,
and the table of contents points at ids (``_1``, ``1_1``) that no heading has. Markdown pages
are consistent but their Korean headings get ids such as ``_1``. On every page under ``ko/``,
each heading gets an id that keeps its Hangul, unique in the page (Python-Markdown's Unicode
slug, ``_1`` and so on for a repeat), its permalink follows, and the table of contents is
rebuilt from those headings. The English pages are left as they are.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from markdown.extensions.toc import slugify_unicode, unique
from mkdocs.structure.toc import get_toc

#: A heading with an id, as nbconvert writes it, ``<h2 id="1">text<a class="anchor-link"
#: href="#1">¶</a></h2>``, or Python-Markdown (``class="headerlink"``, ``toc: permalink``).
HEADING = re.compile(r'<h([1-6])\b([^>]*?)\bid="[^"]*"([^>]*)>(.*?)</h\1>', re.S)
ANCHOR = re.compile(r'<a class="(anchor-link|headerlink)" href="#[^"]*"([^>]*)>(.*?)</a>', re.S)
TAG = re.compile(r"<[^>]+>")


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if not page.file.src_uri.startswith("ko/"):
        return html
    ids: set[str] = set()
    tokens: list[dict[str, Any]] = []
    open_headings: list[dict[str, Any]] = []

    def renamed(match: re.Match[str]) -> str:
        level, before, after, inner = int(match[1]), match[2], match[3], match[4]
        text = html_lib.unescape(TAG.sub("", ANCHOR.sub("", inner))).strip()
        new = unique(slugify_unicode(text, "-") or "section", ids)
        inner = ANCHOR.sub(lambda a: f'<a class="{a[1]}" href="#{new}"{a[2]}>{a[3]}</a>', inner)
        token = {"level": level, "id": new, "name": html_lib.escape(text), "children": []}
        while open_headings and open_headings[-1]["level"] >= level:
            open_headings.pop()
        (open_headings[-1]["children"] if open_headings else tokens).append(token)
        open_headings.append(token)
        return f'<h{level}{before}id="{new}"{after}>{inner}</h{level}>'

    html = HEADING.sub(renamed, html)
    page.toc = get_toc(tokens)
    return html
