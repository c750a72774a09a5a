"""The text of ``Sequential.summary()``: one row per layer, parameters and cached bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import _

if TYPE_CHECKING:
    from .sequential import Sequential

__all__ = ["ModelSummary", "render_summary", "render_summary_html"]


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _parts(
    model: Sequential, rows: list[dict[str, Any]], batch_size: int
) -> tuple[str, tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """Return ``(title, header, body rows, footer lines)`` of the summary."""
    header = (
        "#",
        _("Layer"),
        _("Output shape"),
        _("Params"),
        _("Cached for backward (batch {batch_size})").format(batch_size=batch_size),
    )
    body = [
        (
            str(i),
            r["layer"],
            str(r["output_shape"]),
            f"{r['params']:,}",
            _fmt_bytes(r["cached_bytes"]),
        )
        for i, r in enumerate(rows)
    ]
    params = model.count_params()
    cached = sum(r["new_cached_bytes"] for r in rows)  # shared arrays counted once
    weights = sum(w.nbytes for layer in model.layers for w in layer.weights)
    live = max((r["input_bytes"] + r["output_bytes"] for r in rows), default=0)
    title = (
        f"Sequential {model.name or ''}".rstrip() + f" (input_dim={model.input_dim}, {model.dtype})"
    )
    footer = [
        _("Trainable params: {params:,} ({size} with buffers)").format(
            params=params, size=_fmt_bytes(weights)
        ),
        _(
            "Cached for backward per batch of {batch_size}: {cached} (inference holds at most "
            "one layer's input and output, {live})"
        ).format(batch_size=batch_size, cached=_fmt_bytes(cached), live=_fmt_bytes(live)),
    ]
    return title, header, body, footer


def render_summary(model: Sequential, rows: list[dict[str, Any]], batch_size: int) -> str:
    """Return the model summary as a plain-text table."""
    title, header, body, footer = _parts(model, rows, batch_size)
    widths = [max(len(row[c]) for row in (header, *body)) for c in range(len(header))]
    line = "  ".join("-" * w for w in widths)

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(w) if c in (0, 3, 4) else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    return "\n".join([title, line, fmt(header), line, *map(fmt, body), line, *footer])


def render_summary_html(model: Sequential, rows: list[dict[str, Any]], batch_size: int) -> str:
    """Return the model summary as an HTML table (what a notebook shows)."""
    import html

    from .._display import html_table

    title, header, body, footer = _parts(model, rows, batch_size)
    table = html_table(header, body, caption=title, numeric=(0, 3, 4))
    notes = "".join(f"<div>{html.escape(line)}</div>" for line in footer)
    return f"<div>{table}{notes}</div>"


class ModelSummary:
    """The summary of a model, shown as an HTML table in a notebook and as text elsewhere."""

    def __init__(self, text: str, html: str) -> None:
        self.text, self.html = text, html

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html
