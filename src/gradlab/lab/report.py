"""Render the lab's results as one self-contained HTML page.

The page needs no network: the styles are inline and every figure is embedded as a base64
PNG (the same PNGs are also in ``figures/`` beside it). At the top, a table of every claim
with its verdict; below, per claim, the statement, its sources, the verdict and the reason
computed from the numbers, the deciding numbers, the figures, any tables the experiment
produced, the background and the exact configuration that ran.
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import Any

from ..i18n import N_, _, use_language

__all__ = ["badge", "format_value", "numbers_table", "prose", "write_html"]

#: The verdicts' names, marked for translation (the badges translate them).
STATUS_WORDS = (N_("confirmed"), N_("refuted"), N_("nuanced"), N_("error"))
STATUSES_SHOWN = ("confirmed", "refuted", "nuanced")
#: Words a claim may store as a deciding number's value (translated when shown).
VALUE_WORDS = (N_("none"),)

COLORS = {
    "confirmed": "#2e7d32",
    "refuted": "#c62828",
    "nuanced": "#ef6c00",
    "error": "#6a1b9a",
}

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       max-width: 1100px; margin: 0 auto; padding: 1.5em 1.2em 4em; background: #fafafa; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin: 0; }
.meta { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.6em 0; background: white; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; color: white; border-radius: 0.8em; padding: 0.05em 0.7em;
         white-space: nowrap; font-size: 0.85em; font-weight: 600; letter-spacing: 0.02em; }
.claim { background: white; border: 1px solid #e3e3e3; border-left: 6px solid #999;
         border-radius: 6px; padding: 1em 1.2em; margin: 1.4em 0; }
.claim header { display: flex; gap: 0.8em; align-items: baseline; flex-wrap: wrap; }
.statement { font-size: 1.05em; margin: 0.5em 0; }
.reason { background: #f6f8fa; border-radius: 4px; padding: 0.5em 0.8em; }
.figures img { max-width: 100%; height: auto; border: 1px solid #eee; margin: 0.4em 0; }
.sources, .context { color: #444; font-size: 0.92em; }
details { margin-top: 0.6em; font-size: 0.9em; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
.summary td:first-child a { font-weight: 600; text-decoration: none; }
.counts span { margin-right: 1em; }
code.key { color: #777; font-size: 0.8em; }
"""


def prose(text: str) -> str:
    """``text`` escaped for HTML, with its `backticked` code names shown as ``<code>``.

    >>> print(prose("relu'(0) = 0 for `relu` & <b>"))
    relu&#x27;(0) = 0 for <code>relu</code> &amp; &lt;b&gt;
    """
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def format_value(value: Any) -> str:
    """Format a number (4 significant digits), a bool, a string or a short list for tables.

    >>> format_value(0.2499999999933), format_value(1234567), format_value([0.5, 1e-9])
    ('0.25', '1234567', '[0.5, 1e-09]')
    >>> format_value(0.9999996941), format_value(-0.9999999999998128)
    ('0.99999969', '-0.99999999999981282')
    """
    if isinstance(value, bool) or value is None:
        return {True: _("yes"), False: _("no"), None: "—"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        for digits in (4, 8, 12, 17):  # never let 0.9999997 print as the integer 1
            text = f"{value:.{digits}g}"
            if float(text) == value or float(text) != round(value):
                return text
        return text
    if isinstance(value, list | tuple):
        items = ", ".join(format_value(v) for v in value[:8])
        return f"[{items}{', …' if len(value) > 8 else ''}]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def badge(status: str) -> str:
    """The verdict ``status`` as a coloured badge, in the current language."""
    color = COLORS.get(status, "#555")
    style = f"background:{color};color:white;border-radius:0.8em;padding:0.05em 0.7em"
    return f'<span class="badge" style="{style}">{html.escape(_(status))}</span>'


def numbers_table(
    numbers: dict[str, Any],
    labels: dict[str, str] | None = None,
    spread: dict[str, list[float]] | None = None,
) -> str:
    """The deciding numbers: each in words with its unit, the code name as a tooltip and in
    small type (it is the key in ``results.json``); over several seeds the value is the median
    and a column gives the range."""
    labels = labels or {}
    spread = spread or {}
    rows = []
    for k, v in numbers.items():
        name = prose(labels.get(k, str(k)))
        if k in labels:
            name += f" <code class='key'>{html.escape(str(k))}</code>"
        cells = f"<td title='{html.escape(str(k))}'>{name}</td>"
        shown = _(v) if isinstance(v, str) else format_value(v)  # a word ("none") or a number
        cells += f"<td class='num'>{html.escape(shown)}</td>"
        if spread:
            lo_hi = spread.get(k)
            text = f"{format_value(lo_hi[0])} … {format_value(lo_hi[1])}" if lo_hi else ""
            cells += f"<td class='num'>{html.escape(text)}</td>"
        rows.append(f"<tr>{cells}</tr>")
    names = [_("deciding number")]
    names += [_("median over the seeds"), _("range")] if spread else [_("value")]
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _per_seed_table(c: dict[str, Any]) -> str:
    """Each seed's verdict and reason (only when the claim ran on several seeds)."""
    per_seed = c.get("per_seed") or []
    if len(per_seed) < 2:
        return ""
    rows = "".join(
        f"<tr><td class='num'>{r['seed']}</td><td>{badge(r['verdict'])}</td>"
        f"<td>{prose(r.get('reason') or '')}</td></tr>"
        for r in per_seed
    )
    summary = _("each seed's verdict ({n} seeds)").format(n=len(per_seed))
    head = "".join(f"<th>{html.escape(n)}</th>" for n in (_("seed"), _("verdict"), _("reason")))
    return f"<details><summary>{summary}</summary><table><tr>{head}</tr>{rows}</table></details>"


def _table(spec: dict[str, Any]) -> str:
    """An experiment's table; its title, column names and text cells are looked up in the
    catalogs (the claims mark them with ``N_()``), numbers are formatted."""

    def text(v: Any) -> str:
        return _(v) if isinstance(v, str) else format_value(v)

    head = "".join(f"<th>{prose(text(c))}</th>" for c in spec.get("columns", []))
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{html.escape(format_value(v))}</td>"
            if isinstance(v, int | float) and not isinstance(v, bool)
            else f"<td>{prose(text(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in spec.get("rows", [])
    )
    title = prose(text(spec.get("title", "")))
    return f"<p><b>{title}</b></p><table><tr>{head}</tr>{body}</table>"


def _figure(out: Path, name: str) -> str:
    path = out / name
    if not path.is_file():
        return f"<p>{html.escape(_('figure {name} is missing').format(name=name))}</p>"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = html.escape(Path(name).stem.replace("_", " "))
    return f'<img src="data:image/png;base64,{data}" alt="{alt}" title="{html.escape(name)}">'


def _claim_section(c: dict[str, Any], out: Path) -> str:
    import json

    status = c["verdict"]
    color = COLORS.get(status, "#555")
    # A citation (an article's title, a paper's reference) is shown as written, in <cite>.
    sources = "; ".join(f"<cite>{html.escape(s)}</cite>" for s in c.get("sources", []))
    sources_word, verdict_word = _("Sources:"), _("Verdict:")
    parts = [
        f'<section class="claim" id="{c["id"]}" style="border-left-color:{color}">',
        f"<header><h2>{c['id']} · {html.escape(c['title'])}</h2>{badge(status)}"
        f"<span class='meta'>{c.get('seconds', 0):.1f} s</span></header>",
        f"<p class='statement'>{prose(c['statement'])}</p>",
        f"<p class='sources'>{html.escape(sources_word)} {sources}</p>",
        f"<p class='reason'><b>{html.escape(verdict_word)}</b> {prose(c['reason'])}</p>",
    ]
    if c.get("numbers"):
        parts.append(numbers_table(c["numbers"], c.get("labels"), c.get("spread")))
    parts.append(_per_seed_table(c))
    if c.get("figures"):
        figs = "".join(_figure(out, f) for f in c["figures"])
        parts.append(f"<div class='figures'>{figs}</div>")
    results = c.get("results") or {}
    timing = results.get("timing") or {}
    for spec in [*results.get("tables", []), *timing.get("tables", [])]:
        parts.append(_table(spec))
    if c.get("context"):
        background = _("Background.")
        parts.append(f"<p class='context'><b>{background}</b> {prose(c['context'])}</p>")
    if c.get("error"):
        parts.append(f"<pre>{html.escape(c['error'])}</pre>")
    config = html.escape(json.dumps(c.get("config", {}), indent=1))
    summary = _("configuration (profile {profile}, {seeds}; the figures are from seed {seed})")
    summary = summary.format(
        profile=c.get("profile"), seeds=_seeds_text(c.get("seeds") or [c.get("seed")]),
        seed=c.get("seed"),
    )  # fmt: skip
    parts.append(f"<details><summary>{html.escape(summary)}</summary><pre>{config}</pre></details>")
    parts.append("</section>")
    return "\n".join(parts)


def _seeds_text(seeds: list[Any]) -> str:
    """``seed 0`` or ``seeds 0, 1, 2``."""
    if len(seeds) == 1:
        return _("seed {seed}").format(seed=seeds[0])
    return _("seeds {seeds}").format(seeds=", ".join(str(s) for s in seeds))


def _summary(claims: list[dict[str, Any]]) -> str:
    rows = []
    for c in claims:
        numbers = c.get("numbers") or {}
        keys = [k for k in c.get("headline") or [] if k in numbers] or list(numbers)[:1]
        labels = c.get("labels") or {}
        deciding = "; ".join(f"{labels.get(k, k)} = {format_value(numbers[k])}" for k in keys)
        tally = c.get("tally") or {}
        if len(tally) > 1:
            counts = "; ".join(
                _("{status} on {n}").format(status=_(s), n=len(v)) for s, v in tally.items()
            )
            deciding += " " + _("({counts} seeds)").format(counts=counts)
        rows.append(
            f"<tr><td><a href='#{c['id']}'>{c['id']}</a></td><td>{html.escape(c['title'])}</td>"
            f"<td>{badge(c['verdict'])}</td><td>{prose(deciding)}</td></tr>"
        )
    head = "".join(
        f"<th>{html.escape(h)}</th>"
        for h in (_("claim"), _("what is claimed"), _("verdict"), _("deciding numbers"))
    )
    head = f"<tr>{head}</tr>"
    return f"<table class='summary'>{head}{''.join(rows)}</table>"


def write_html(payload: dict[str, Any], out: str | Path) -> str:
    """Return the report page for ``payload`` (the ``results.json`` content), in the
    payload's language (``payload["lang"]``, English when absent).

    ``out`` is the report folder, where the figures named in the payload are read from.
    """
    with use_language(payload.get("lang") or "en") as lang:
        return _page(payload, Path(out), lang)


def _page(payload: dict[str, Any], out: Path, lang: str) -> str:
    claims = payload["claims"]
    counts = {s: sum(c["verdict"] == s for c in claims) for s in COLORS}
    count_html = "".join(
        f"<span>{badge(s)} {n}</span>" for s, n in counts.items() if n or s != "error"
    )
    versions = ", ".join(f"{k} {v}" for k, v in payload.get("versions", {}).items())
    where = payload.get("executor") or _("{n} job(s)").format(n=payload.get("jobs", 1))
    meta = _(
        "{n} claims · profile {profile} · {seeds} · data: {data} · {seconds:.0f} s on "
        "{where} · {created}"
    ).format(
        n=len(claims),
        profile=payload["profile"],
        seeds=_seeds_text(payload.get("seeds") or [payload["seed"]]),
        data=payload.get("data", ""),
        seconds=payload["seconds"],
        where=where,
        created=payload.get("created", ""),
    )
    meta = f"{html.escape(meta)}<br><code>{html.escape(versions)}</code>"
    intro = html.escape(
        _(
            "Each claim below comes from the seed articles (or a paper they rely on). It was "
            "run as a seeded experiment; the verdict is computed from the measured numbers by "
            "a rule stated with the claim, never written by hand. {confirmed}: the numbers "
            "agree; {refuted}: they contradict the claim; {nuanced}: it holds only in part or "
            "under conditions the reason names. Over several seeds, a claim keeps its verdict "
            "when every seed gives the same one (the numbers are then medians, with their "
            "range); when the seeds disagree it is {nuanced}, with the tally of each seed's "
            "verdict."
        )
    ).format(
        **{status: f"<b>{html.escape(_(status))}</b>" for status in STATUSES_SHOWN},
    )
    sections = "\n".join(_claim_section(c, out) for c in claims)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(payload.get("title") or _("gradlab report"))}</title>
<style>{CSS}</style></head>
<body>
<h1>{html.escape(payload.get("title") or _("gradlab report"))}</h1>
<p class="meta">{meta}</p>
<p>{intro}</p>
<p class="counts">{count_html}</p>
{_summary(claims)}
{sections}
</body></html>
"""
