"""How gradlab shows itself in Jupyter: notebook detection, inline figures, HTML tables and a
progress line that needs no widgets.

Jupyter shows an object through its ``_repr_html_``, ``_repr_markdown_`` or ``_repr_png_``
method. gradlab's objects (``History``, ``Sequential``, activations, claim results, diagnostics
snapshots, exercise reports) build those from the helpers here; nothing in this module imports
IPython or matplotlib until it is used, so ``import gradlab`` stays light.
"""

from __future__ import annotations

import base64
import html
import io
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "NotebookProgress",
    "display",
    "figure_img",
    "html_table",
    "in_notebook",
    "png_bytes",
]


def in_notebook() -> bool:
    """Return ``True`` inside a Jupyter kernel (JupyterLab, Notebook, VS Code, Colab).

    IPython in a terminal is not a notebook: it has a real terminal, and rich's live displays
    work there.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def display(obj: Any) -> None:
    """Display ``obj`` in the notebook (through its ``_repr_*_`` methods)."""
    from IPython.display import display as ipy_display

    ipy_display(obj)


def png_bytes(fig: Any, *, dpi: float | None = None) -> bytes:
    """Render a matplotlib figure to PNG bytes (Agg, so it works with no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, bbox_inches="tight")
    return buf.getvalue()


def figure_img(fig: Any, *, alt: str, dpi: float = 80, width: int | None = None) -> str:
    """Return an ``<img>`` tag holding ``fig`` as a base64 PNG (for ``_repr_html_``)."""
    data = base64.b64encode(png_bytes(fig, dpi=dpi)).decode("ascii")
    size = f' width="{width}"' if width else ""
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"{size}>'


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str = "",
    numeric: Sequence[int] = (),
) -> str:
    """Return a small HTML table; cells are escaped, ``numeric`` columns right-aligned."""
    th = "".join(f"<th style='text-align:left'>{html.escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            align = "right" if i in numeric else "left"
            cells.append(f"<td style='text-align:{align}'>{html.escape(str(cell))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption style='text-align:left'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Line:
    """What a :class:`NotebookProgress` displays: a bar in HTML, the same line as text."""

    def __init__(self, text: str, fraction: float | None) -> None:
        self.text, self.fraction = text, fraction

    def __repr__(self) -> str:
        if self.fraction is None:
            return self.text
        filled = round(24 * self.fraction)
        return f"[{'#' * filled}{'.' * (24 - filled)}] {self.text}"

    def _repr_html_(self) -> str:
        bar = ""
        if self.fraction is not None:
            bar = (
                f"<progress value='{self.fraction:.4f}' max='1' "
                "style='width:12em;vertical-align:middle;margin-right:0.6em'></progress>"
            )
        text = html.escape(self.text)
        return f"<div style='font-family:monospace;white-space:pre'>{bar}{text}</div>"


class NotebookProgress:
    """A progress line in a notebook, updated in place (no ipywidgets needed).

    It uses IPython's display handles: the line is displayed once and then replaced, so a
    finished cell keeps the last state, and a notebook run by ``nbclient`` records it too.
    Updates are throttled to ``interval`` seconds (the last one always shows).

    >>> bar = NotebookProgress("Epoch 1/5", total=40)  # doctest: +SKIP
    >>> bar.update(10, "loss 0.52")  # doctest: +SKIP
    >>> bar.close("loss 0.31")  # doctest: +SKIP
    """

    def __init__(self, label: str, total: int | None, *, interval: float = 0.2) -> None:
        from IPython.display import display as ipy_display

        self.label, self.total, self.interval = label, total, interval
        self._start = time.perf_counter()
        self._last = 0.0
        self._done = 0
        self._handle = ipy_display(self._line(0, ""), display_id=True)

    def _line(self, done: int, extra: str) -> _Line:
        took = time.perf_counter() - self._start
        count = f"{done}/{self.total}" if self.total else str(done)
        text = f"{self.label}  {count}  {took:.1f}s  {extra}".rstrip()
        fraction = done / self.total if self.total else None
        return _Line(text, fraction)

    def update(self, done: int, extra: str = "", *, force: bool = False) -> None:
        """Show ``done`` of ``total`` and an ``extra`` text (throttled unless ``force``)."""
        self._done = done
        now = time.perf_counter()
        if force or now - self._last >= self.interval:
            self._last = now
            if self._handle is not None:
                self._handle.update(self._line(done, extra))

    def close(self, extra: str = "") -> None:
        """Show the final state."""
        self.update(self.total if self.total else self._done, extra, force=True)
