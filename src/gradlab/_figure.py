"""The figure class gradlab draws on: a matplotlib ``Figure`` that Jupyter shows inline.

gradlab builds figures without ``pyplot`` (no window, no global state, safe in worker
processes). A plain ``Figure`` made that way shows in a notebook only as
``<Figure size 840x320 with 2 Axes>`` unless ``%matplotlib inline`` registered matplotlib's
formatter; this subclass renders itself to PNG (through Agg) so the picture appears in a fresh
kernel with no magic. Where the inline backend's formatter is registered, it takes precedence
and the figure still appears once.
"""

from __future__ import annotations

import contextlib
import importlib.util
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from matplotlib.figure import Figure as _MplFigure

from ._display import png_bytes

__all__ = ["Figure", "hangul_font", "language_fonts"]

#: Fonts with Hangul looked for on the system when ``koreanize-matplotlib`` (the ``ko`` extra,
#: which ships NanumGothic) is not installed, best first.
HANGUL_FAMILIES = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR",
                   "Malgun Gothic", "AppleGothic", "UnDotum")  # fmt: skip


#: The resolution of a figure shown in a notebook (a saved figure keeps its own dpi).
NOTEBOOK_DPI = 100


class Figure(_MplFigure):
    """A :class:`matplotlib.figure.Figure` with a PNG display for Jupyter."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self, dpi=min(self.dpi, NOTEBOOK_DPI))


@cache
def hangul_font() -> str | None:
    """The family name of a font with Hangul, registered with matplotlib; ``None`` if none.

    First NanumGothic from the ``koreanize-matplotlib`` package (found without importing it:
    its import would change matplotlib's settings for the whole process), else a system font
    of :data:`HANGUL_FAMILIES`.
    """
    from matplotlib import font_manager

    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            path = Path(folder) / "fonts" / "NanumGothic.ttf"
            if path.exists():
                font_manager.fontManager.addfont(str(path))
                return font_manager.FontProperties(fname=str(path)).get_name()
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in HANGUL_FAMILIES if name in available), None)


@contextlib.contextmanager
def language_fonts() -> Iterator[None]:
    """Inside the block, figures made (and saved) in Korean use a font with Hangul.

    Text takes its font when it is created, so both the drawing and the saving belong in the
    block. In English, or with no Hangul font (a warning says how to install one), nothing
    changes. DejaVu Sans stays first in line: the Hangul font lacks the minus sign (U+2212),
    and mathtext (the ticks of a log axis, ``10^{-5}``) takes its glyphs from the first
    family only; text falls back to the Hangul font for Hangul.
    """
    from matplotlib import rc_context

    from .i18n import get_language

    if get_language() != "ko":
        yield
        return
    family = hangul_font()
    if family is None:
        warnings.warn(
            "Korean figures need a font with Hangul: pip install 'gradlab[ko]' (NanumGothic) "
            "or install one on the system (Debian: apt-get install fonts-nanum); the labels "
            "show as empty boxes without it.",
            UserWarning,
            stacklevel=3,
        )
        yield
        return
    with rc_context({"font.family": ["DejaVu Sans", family], "mathtext.fontset": "dejavusans"}):
        yield
