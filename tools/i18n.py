"""Extract, update, compile and check gradlab's translations, with Babel.

    python tools/i18n.py update  [--domain D ...]   # extract the marked messages, update ko.po
    python tools/i18n.py compile [--domain D ...]   # .po -> .mo (what gradlab reads at run time)
    python tools/i18n.py check                      # every message translated, every .mo fresh

Messages are marked with ``_()``, ``N_()``, ``ngettext()`` and ``pgettext()`` in the Python
sources and with ``_()`` in the playground's JavaScript. Each domain is one area of the package
(``DOMAINS``): its catalog ``src/gradlab/locale/<lang>/LC_MESSAGES/<domain>.po`` holds the
messages of its files. ``update`` keeps every existing translation, adds the new messages with
an empty translation and drops the ones no longer in the source. Needs ``babel`` (in the
``test`` extra); gradlab itself reads the compiled ``.mo`` files with the standard library.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "gradlab"
LOCALE = PACKAGE / "locale"
TRANSLATED = ("ko",)

#: Domain -> the folders and files (relative to src/gradlab) it holds. ``core`` holds every
#: Python file no other domain claims.
DOMAINS: dict[str, tuple[str, ...]] = {
    "claims_activations": ("lab/claims/activations",),
    "claims_gradients": ("lab/claims/gradients",),
    "claims_networks": ("lab/claims/networks",),
    "claims_training": (
        "lab/claims/initialization",
        "lab/claims/normalization",
        "lab/claims/training",
    ),
    "claims_papers": ("lab/claims/papers",),
    "tools": ("lab/trace.py", "lab/sweep.py", "lab/grid.py", "cli/trace.py", "cli/sweep.py"),
    "exercises": ("exercises",),
    "playground": ("playground", "cli/playground.py"),
    "core": ("",),
}

KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}


def domain_of(path: Path) -> str:
    """The domain a source file belongs to."""
    rel = path.relative_to(PACKAGE).as_posix()
    for domain, folders in DOMAINS.items():
        if domain != "core" and any(rel == f or rel.startswith(f + "/") for f in folders):
            return domain
    return "core"


def sources(domain: str) -> list[Path]:
    """The files of ``domain``: Python everywhere, JavaScript in the playground's static."""
    files = sorted(PACKAGE.rglob("*.py")) + sorted((PACKAGE / "playground").rglob("*.js"))
    return [p for p in files if "locale" not in p.parts and domain_of(p) == domain]


def extract(domain: str) -> Catalog:
    """The template of ``domain``: every marked message of its files, with their places."""
    template = Catalog(project="gradlab", charset="utf-8")
    for path in sources(domain):
        method = "javascript" if path.suffix == ".js" else "python"
        # JavaScript: also the `_('...')` calls inside `${...}` of template literals, which
        # Babel's extractor skips unless asked.
        options = {"parse_template_string": True} if method == "javascript" else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, comment_tags=("i18n:",), options=options
        ):
            rel = path.relative_to(ROOT).as_posix()
            template.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return template


def po_path(lang: str, domain: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, project="gradlab", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def update(domains: Iterable[str]) -> None:
    for domain in domains:
        template = extract(domain)
        for lang in TRANSLATED:
            path = po_path(lang, domain)
            catalog = read_catalog(path, lang)
            catalog.update(template, no_fuzzy_matching=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, width=100, ignore_obsolete=True, sort_by_file=True)
            missing = sum(1 for m in catalog if m.id and not m.string)
            print(f"{path.relative_to(ROOT)}: {len(template)} messages, {missing} untranslated")


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_(domains: Iterable[str]) -> None:
    for domain in domains:
        for lang in TRANSLATED:
            path = po_path(lang, domain)
            if path.exists():
                path.with_suffix(".mo").write_bytes(compiled(read_catalog(path, lang)))


def problems() -> list[str]:
    """Every untranslated or fuzzy message, and every stale ``.mo``, as one line each."""
    found = []
    for lang in TRANSLATED:
        known: dict[tuple[str, str | None], str] = {}
        for domain in DOMAINS:
            path = po_path(lang, domain)
            catalog = read_catalog(path, lang)
            for m in catalog:
                if m.id and m.string and not m.fuzzy:
                    known[(m.id if isinstance(m.id, str) else m.id[0], m.context)] = domain
            mo = path.with_suffix(".mo")
            if path.exists() and (not mo.exists() or mo.read_bytes() != compiled(catalog)):
                found.append(f"{mo.relative_to(ROOT)}: stale or missing (run compile)")
        for domain in DOMAINS:
            for m in extract(domain):
                if not m.id:
                    continue
                key = (m.id if isinstance(m.id, str) else m.id[0], m.context)
                if key not in known:
                    where = ", ".join(f"{f}:{n}" for f, n in m.locations[:2])
                    found.append(f"{lang}: no translation of {key[0]!r} ({where})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "compile", "check"))
    parser.add_argument("--domain", action="append", choices=list(DOMAINS))
    args = parser.parse_args(argv)
    domains = args.domain or list(DOMAINS)
    if args.command == "update":
        update(domains)
    elif args.command == "compile":
        compile_(domains)
    else:
        found = problems()
        print("\n".join(found) or "every message is translated and compiled")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
