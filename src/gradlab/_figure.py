"""The figure class gradlab draws on: a matplotlib ``Figure`` that Jupyter shows inline.

gradlab builds figures without ``pyplot`` (no window, no global state, safe in worker
processes). A plain ``Figure`` made that way shows in a notebook only as
``<Figure size 840x320 with 2 Axes>`` unless ``%matplotlib inline`` registered matplotlib's
formatter; this subclass renders itself to PNG (through Agg) so the picture appears in a fresh
kernel with no magic. Where the inline backend's formatter is registered, it takes precedence
and the figure still appears once.
"""

from __future__ import annotations

from matplotlib.figure import Figure as _MplFigure

from ._display import png_bytes

__all__ = ["Figure"]


#: The resolution of a figure shown in a notebook (a saved figure keeps its own dpi).
NOTEBOOK_DPI = 100


class Figure(_MplFigure):
    """A :class:`matplotlib.figure.Figure` with a PNG display for Jupyter."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self, dpi=min(self.dpi, NOTEBOOK_DPI))
