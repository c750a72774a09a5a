"""gradlab in English and Korean: the language switch and the translated messages.

Messages are marked in the source with ``_("...")`` (translated where they are used) or
``N_("...")`` (only marked: module-level texts such as a claim's title, translated with
``_()`` when shown), and ``ngettext(singular, plural, n)`` for counts. A message with
numbers is a template filled by ``str.format`` — ``_("peaks at {peak:.4f}").format(peak=p)`` —
so both languages print the same numbers from the same code.

The translations are gettext catalogs (``locale/<lang>/LC_MESSAGES/<domain>.po``, compiled to
``.mo`` beside them and shipped in the package), managed with Babel: ``tools/i18n.py``
extracts the marked messages, updates the catalogs and compiles them (see CONTRIBUTING.md).
Each area of the package has its own domain (``core``, ``claims_*``, ``playground``); all the
compiled domains of a language are searched, so a message needs a translation in any one.

The language is chosen, first match wins, by: :func:`set_language` (the command line's
``--lang``), the ``GRADLAB_LANG`` environment variable, the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``: ``ko_KR.UTF-8`` gives Korean), and English otherwise.

>>> from gradlab import i18n
>>> with i18n.use_language("ko"):
...     i18n._("confirmed")
'확인됨'
>>> i18n._("confirmed")  # English outside
'confirmed'
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import os
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "N_",
    "_",
    "catalog",
    "get_language",
    "gettext",
    "language_from_environment",
    "ngettext",
    "resolve_language",
    "set_language",
    "use_language",
]

#: The languages gradlab speaks, English first (the default).
LANGUAGES = ("en", "ko")

#: Where the catalogs are: ``LOCALE_DIR / <lang> / "LC_MESSAGES" / <domain>.mo``.
LOCALE_DIR = Path(__file__).parent / "locale"

_state = threading.local()
_chosen: str | None = None  # set_language's choice for every thread


def _check(lang: str) -> str:
    value = str(lang).strip().lower().replace("-", "_")
    short = value.split("_")[0].split(".")[0]
    if short not in LANGUAGES:
        raise ValueError(
            f"unknown language {lang!r}: gradlab speaks {', '.join(LANGUAGES)} "
            "(en: English, ko: 한국어)"
        )
    return short


def language_from_environment() -> str | None:
    """The language ``GRADLAB_LANG`` or the locale asks for, or ``None``.

    ``GRADLAB_LANG`` must name a known language (else ``ValueError``); a locale in another
    language (``de_DE.UTF-8``, ``C``) asks for nothing.
    """
    env = os.environ.get("GRADLAB_LANG", "").strip()
    if env:
        return _check(env)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").strip()
        if value:
            short = value.split("_")[0].split(".")[0].lower()
            return short if short in LANGUAGES else None
    return None


def resolve_language(lang: str | None = None) -> str:
    """Return ``lang`` checked, or else the environment's language, or else ``"en"``."""
    if lang:
        return _check(lang)
    return language_from_environment() or "en"


def set_language(lang: str | None) -> str | None:
    """Choose the language of every message from now on; ``None`` goes back to the
    environment's choice. Returns the language chosen (``None`` for none)."""
    global _chosen
    _chosen = None if lang is None else _check(lang)
    return _chosen


def get_language() -> str:
    """The language in effect: :func:`use_language`'s, else :func:`set_language`'s, else the
    environment's, else ``"en"``."""
    here = getattr(_state, "lang", None)
    if here:
        return here
    return _chosen or resolve_language()


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside the block (in this thread); ``None`` keeps the current one."""
    previous = getattr(_state, "lang", None)
    _state.lang = get_language() if lang is None else _check(lang)
    try:
        yield _state.lang
    finally:
        _state.lang = previous


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    """Every compiled domain of ``lang``, chained (a message is looked up in each in turn)."""
    chain: _gettext.NullTranslations = _gettext.NullTranslations()
    if lang == "en":
        return chain
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    first: _gettext.NullTranslations | None = None
    for mo in sorted(folder.glob("*.mo")):
        with mo.open("rb") as fh:
            t = _gettext.GNUTranslations(fh)
        if first is None:
            first = t
        else:
            first.add_fallback(t)
    return first or chain


def gettext(message: str) -> str:
    """Return ``message`` in the current language (itself when it has no translation)."""
    if not message:
        return message
    return _translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the form of ``singular``/``plural`` for ``n`` in the current language."""
    return _translations(get_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Return ``message`` in the current language, disambiguated by ``context``."""
    return _translations(get_language()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (translate it with ``_()``
    where it is shown)."""
    return message


def catalog(lang: str, domain: str | None = None) -> dict[str, str]:
    """Every translated message of ``lang`` as ``{msgid: msgstr}``, sorted by msgid: of one
    ``domain`` (the playground's page asks for its own), else of every domain, the first
    domain's translation winning as in :func:`gettext`. English has none."""
    lang = _check(lang)
    if lang == "en":
        return {}
    if domain is None:
        chain: _gettext.NullTranslations | None = _translations(lang)
    else:
        mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.mo"
        if not mo.is_file():
            return {}
        with mo.open("rb") as fh:
            chain = _gettext.GNUTranslations(fh)
    out: dict[str, str] = {}
    while chain is not None:
        for key, value in getattr(chain, "_catalog", {}).items():
            if isinstance(key, str) and key and value:
                out.setdefault(key, value)
        chain = getattr(chain, "_fallback", None)
    return dict(sorted(out.items()))
