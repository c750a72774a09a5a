"""Show gradlab's reST-flavoured docstrings as Markdown on the documentation site.

gradlab's docstrings are Google style ("Args:", "Returns:") but use a few reStructuredText
constructs that mkdocstrings would print raw:

* roles: ``:class:`~gradlab.lab.Claim```, ``:func:`check```, ``:mod:`...```, ``:meth:``,
  ``:attr:``, ``:data:``, ``:exc:``, ``:obj:`` become code that links to the object's API
  entry when the site documents it (an *optional* autoref: no link and no warning otherwise);
* ``:math:`x``` becomes inline math and a ``.. math::`` directive a display block (MathJax,
  through pymdownx.arithmatex);
* a paragraph ending in ``::`` loses one colon (Sphinx's literal-block marker; the indented
  block after it is already a Markdown code block);
* a doctest paragraph (``>>>`` lines) outside an "Examples:" section becomes a ``pycon`` code
  block instead of a nested block quote;
* Google-style sections griffe does not know as such: an ``Example:`` heading is read as
  ``Examples:`` (so its doctests are code, not block quotes), and an argument entry that names
  several arguments at once (``xmin, xmax: ...``) becomes one entry per argument.

The docstrings themselves are not changed: :class:`RstToMarkdown` is a griffe extension that
rewrites the text griffe hands to mkdocstrings (``mkdocs.yml``, ``extensions:``), and
``gen_pages.py`` runs the same :func:`to_markdown` on the claim texts it puts on the lab pages.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable

#: Python-domain roles and whether Sphinx writes "()" after the name.
ROLES = {
    "class": False,
    "func": True,
    "meth": True,
    "mod": False,
    "attr": False,
    "data": False,
    "exc": False,
    "obj": False,
    "const": False,
}
ROLE_RE = re.compile(r":(?:py:)?(?P<role>[a-z]+):`(?P<body>[^`]+)`")
MATH_RE = re.compile(r":math:`(?P<body>[^`]+)`")
SECTION_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<title>Args|Arguments|Parameters|Params|Keyword Args|"
    r"Keyword Arguments|Other Parameters|Attributes|Example|Examples):[ \t]*$"
)
MULTI_PARAM_RE = re.compile(
    r"^(?P<names>\*{0,2}[A-Za-z_]\w*(?:[ \t]*,[ \t]*\*{0,2}[A-Za-z_]\w*)+)"
    r"(?P<type>[ \t]*\([^()]*\))?:(?P<rest>(?:[ \t].*)?)$"
)
DIRECTIVE_RE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<rest>.*)$")
TITLED_RE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$")

#: How many of each construct were translated, over the whole build (for the build's log).
COUNTS: Counter[str] = Counter()

Resolver = Callable[[str], "str | None"]


def _role(match: re.Match[str], resolve: Resolver) -> str:
    role, body = match["role"], match["body"].strip()
    if role not in ROLES:
        return match[0]
    COUNTS[f":{role}:"] += 1
    titled = TITLED_RE.match(body)
    if titled:
        text, target = titled["title"], titled["target"]
    else:
        target = body.lstrip("!")
        text = target.lstrip("~.")
        if target.startswith("~"):
            text = text.rsplit(".", 1)[-1]
        if ROLES[role] and not text.endswith(")"):
            text += "()"
    target = target.lstrip("~!.").removesuffix("()")
    code = f"<code>{_escape(text)}</code>"
    if body.startswith("!"):
        return code
    identifier = resolve(target) or target
    return f'<autoref identifier="{_escape(identifier)}" optional>{code}</autoref>'


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _math(match: re.Match[str]) -> str:
    COUNTS[":math:"] += 1
    return rf"\({match['body']}\)"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _directives(lines: list[str]) -> list[str]:
    """``.. math::`` directives (with their indented continuation) to ``$$`` blocks."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        found = DIRECTIVE_RE.match(lines[i])
        if not found:
            out.append(lines[i])
            i += 1
            continue
        COUNTS[".. math::"] += 1
        pad, body = found["indent"], [found["rest"].strip()] if found["rest"].strip() else []
        base = len(pad)
        i += 1
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
            # a blank line ends the block unless an indented line follows it
            if not lines[i].strip():
                nxt = i + 1
                if nxt < len(lines) and lines[nxt].strip() and _indent(lines[nxt]) > base:
                    i += 1
                    continue
                break
            body.append(lines[i].strip())
            i += 1
        if out and out[-1].strip():
            out.append("")
        out.extend([f"{pad}$$", *(f"{pad}{b}" for b in body), f"{pad}$$", ""])
        while i < len(lines) and not lines[i].strip():
            i += 1
    return out


def _literal_markers(lines: list[str]) -> list[str]:
    """``text::`` before an indented block to ``text:``; a lone ``::`` line goes."""
    out = []
    for line in lines:
        stripped = line.rstrip()
        if stripped.endswith("::") and not DIRECTIVE_RE.match(line):
            COUNTS["::"] += 1
            if stripped.strip() == "::":
                continue
            line = stripped[:-1]
        out.append(line)
    return out


def _doctests(lines: list[str]) -> list[str]:
    """Top-level ``>>>`` paragraphs to fenced ``pycon`` blocks (griffe parses indented ones)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">>>") and (not out or not out[-1].strip()):
            COUNTS[">>>"] += 1
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out.extend(["```pycon", *block, "```"])
            continue
        out.append(line)
        i += 1
    return out


def _sections(lines: list[str]) -> list[str]:
    """``Example:`` to ``Examples:``; ``a, b: text`` argument entries to one entry per name."""
    out: list[str] = []
    section: tuple[int, str] | None = None  # (indent of the heading, its title)
    item_indent: int | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = SECTION_RE.match(line)
        if heading and i + 1 < len(lines) and _indent(lines[i + 1]) > len(heading["indent"]):
            title = heading["title"]
            if title == "Example":
                COUNTS["Example:"] += 1
                line = f"{heading['indent']}Examples:"
            section, item_indent = (len(heading["indent"]), title), None
            out.append(line)
            i += 1
            continue
        if section and line.strip() and _indent(line) <= section[0]:
            section = None
        if section and section[1] not in ("Example", "Examples") and line.strip():
            if item_indent is None:
                item_indent = _indent(line)
            multi = MULTI_PARAM_RE.match(line.strip()) if _indent(line) == item_indent else None
            if multi:
                COUNTS["a, b:"] += 1
                body = [multi["rest"].strip()]
                i += 1
                while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > item_indent):
                    body.append(lines[i])
                    i += 1
                while body and not body[-1].strip():
                    body.pop()
                pad, kind = " " * item_indent, multi["type"] or ""
                for name in (n.strip() for n in multi["names"].split(",")):
                    out.append(f"{pad}{name}{kind}: {body[0]}".rstrip())
                    out.extend(body[1:])
                continue
        out.append(line)
        i += 1
    return out


def to_markdown(text: str, resolve: Resolver = lambda name: None) -> str:
    """Return ``text`` (a docstring) with its reST constructs written as Markdown.

    Args:
        text: The docstring, dedented.
        resolve: Maps a role's target as written (``"check"``, ``"gradlab.lab.Claim"``) to the
            full dotted path of the object it names, or ``None`` when it cannot tell.
    """
    if ".. math::" in text or "::" in text or ">>>" in text or ":" in text:
        lines = _doctests(_literal_markers(_directives(_sections(text.split("\n")))))
        text = "\n".join(lines)
    text = MATH_RE.sub(_math, text)
    return ROLE_RE.sub(lambda m: _role(m, resolve), text)


# --- the griffe extension ----------------------------------------------------------------------
try:
    import griffe
except ImportError:  # gen_pages.py imports this module for to_markdown alone
    griffe = None

if griffe is not None:

    class RstToMarkdown(griffe.Extension):
        """Rewrite every docstring of the loaded package with :func:`to_markdown`."""

        def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:
            before = COUNTS.copy()
            for obj in _walk(pkg):
                if obj.docstring is not None:
                    obj.docstring.value = to_markdown(
                        obj.docstring.value, lambda name, o=obj: _resolve(o, name, pkg)
                    )
            done = COUNTS - before
            logging.getLogger("mkdocs.plugins.rst_markdown").info(
                "rst_markdown: in the docstrings of %s: %s",
                pkg.name,
                ", ".join(f"{n} {k}" for k, n in sorted(done.items())) or "nothing to translate",
            )

    def _walk(obj: griffe.Object) -> list[griffe.Object]:
        found, stack = [], [obj]
        while stack:
            current = stack.pop()
            found.append(current)
            for member in current.members.values():
                if not member.is_alias:
                    stack.append(member)
        return found

    def _resolve(obj: griffe.Object, name: str, pkg: griffe.Module) -> str | None:
        """The path ``name`` refers to from ``obj``'s scope (itself, its parents, the package)."""
        scopes: list[griffe.Object] = []
        scope: griffe.Object | None = obj
        while scope is not None:
            scopes.append(scope)
            scope = scope.parent
        root = pkg.name
        if name == root or name.startswith(f"{root}."):
            try:
                return pkg[name.removeprefix(root).lstrip(".")].path if name != root else root
            except Exception:  # an unknown name stays as written
                return name
        for scope in scopes:
            try:
                return scope[name].path
            except Exception:  # not in this scope: try the next one up
                continue
        return None
