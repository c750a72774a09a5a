"""``gradlab act``: look up, inspect and plot activation functions.

Usage::

    gradlab act list [--json]                      # every activation and its properties
    gradlab act show NAME [--param key=value ...]  # formulas, properties, values at key points
    gradlab act plot NAME... [--derivative] -o FILE.png [--xmin -5 --xmax 5]

Every command returns an exit status: 0 on success, 1 when ``plot`` cannot write its file, 2
for a usage error (unknown activation, bad ``--param``, a vector activation given to ``plot``,
an image format matplotlib cannot write), with a one-line message on stderr. ``plot`` checks
its output path and format before it draws anything.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich import box
from rich.table import Table
from rich.text import Text

from .. import activations
from ..activations import Activation, ActivationInfo
from ..activations.base import REGISTRY
from .common import FileError, UsageError, check_output_file, stdout_console

__all__ = ["add_parser", "key_points", "parse_params"]

#: Points where ``show`` tabulates f(x) and f'(x), besides every kink.
KEY_POINTS = (-3.0, -1.0, 0.0, 1.0, 3.0)
#: Example input of ``show`` for vector activations (glu needs an even length).
EXAMPLE_VECTOR = (1.0, 2.0, 3.0)
EXAMPLE_VECTOR_GLU = (1.0, 2.0, 3.0, 4.0)


def add_parser(groups: Any) -> None:
    """Add ``act list|show|plot`` to the ``gradlab`` sub-command group."""
    act = groups.add_parser("act", help="activation functions: list, show, plot")
    act.set_defaults(help_parser=act)
    commands = act.add_subparsers(title="subcommands", metavar="SUBCOMMAND")

    p = commands.add_parser("list", help="table of every activation and its properties")
    p.add_argument("--json", action="store_true", help="print the properties as JSON")
    p.set_defaults(handler=cmd_list)

    p = commands.add_parser("show", help="formulas, properties and values of one activation")
    p.add_argument("name", help="activation name or alias, e.g. relu, swish")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a parameter, e.g. --param negative_slope=0.2 (repeatable)",
    )
    p.set_defaults(handler=cmd_show)

    p = commands.add_parser("plot", help="plot f(x) (and f'(x)) of elementwise activations")
    p.add_argument("names", nargs="+", metavar="NAME", help="one or more activation names")
    p.add_argument("--derivative", action="store_true", help="add a panel with f'(x)")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        help="image file to write (.png, or .svg, .pdf, ...; its folder must exist)",
    )
    p.add_argument("--xmin", type=float, default=-5.0, help="left end of x (default -5)")
    p.add_argument("--xmax", type=float, default=5.0, help="right end of x (default 5)")
    p.set_defaults(handler=cmd_plot)


# ---- act list ---------------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    """Print every registered activation as a table, or as JSON with ``--json``."""
    acts = [activations.get(name) for name in activations.names()]
    if args.json:
        print(json.dumps([info_to_dict(a.info) for a in acts], indent=2))
        return 0
    console = stdout_console()
    wide = console.width >= 100  # room to say where |f'| peaks
    table = Table(
        title="gradlab activations", header_style="bold", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0)
    )
    table.add_column("name", min_width=14)
    table.add_column("range", no_wrap=True)
    table.add_column("mono-\ntonic")
    table.add_column("zero-\ncentred")
    table.add_column("smooth")
    table.add_column("max |f'|\n(where)" if wide else "max\n|f'|", max_width=26)
    table.add_column("kinks\n(f' there)", max_width=22, min_width=10)
    for act in acts:
        info = act.info
        name = Text(info.name)
        if info.aliases:
            name.append(f"\n{', '.join(info.aliases)}", style="dim")
        peak = Text(_num(info.max_abs_derivative, 4))
        if wide:
            peak.append(f" ({info.max_abs_derivative_at})", style="dim")
        table.add_row(
            name,
            Text(info.range_text),
            _yes_no(info.monotonic),
            _yes_no(info.zero_centered),
            _yes_no(info.smooth),
            peak,
            Text(_kinks_short(info)),
        )
    console.print(table)
    return 0


def info_to_dict(info: ActivationInfo) -> dict[str, Any]:
    """Return ``info`` as a JSON-ready dict (infinities become the strings ``"inf"``/``"-inf"``)."""
    data = {
        "name": info.name,
        "aliases": list(info.aliases),
        "elementwise": info.elementwise,
        "range": info.range_text,
        "output_range": list(info.output_range),
        "range_closed": list(info.range_closed),
        "monotonic": info.monotonic,
        "zero_centered": info.zero_centered,
        "smooth": info.smooth,
        "max_abs_derivative": info.max_abs_derivative,
        "max_abs_derivative_at": info.max_abs_derivative_at,
        "max_abs_derivative_x": info.max_abs_derivative_x,
        "kinks": [
            {"x": k.x, "derivative": k.derivative, "left": k.left, "right": k.right, "jump": k.jump}
            for k in info.kinks
        ],
        "formula": info.formula,
        "derivative_formula": info.derivative_formula,
        "notes": info.notes,
        "torch": info.torch,
        "config": dict(info.config),
    }
    return _jsonable(data)


def _jsonable(value: Any) -> Any:
    """Replace non-finite floats (invalid in JSON) by ``"inf"``, ``"-inf"`` or ``"nan"``."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | np.floating) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


# ---- act show ---------------------------------------------------------------------------------
def cmd_show(args: argparse.Namespace) -> int:
    """Print the formulas, every property, the notes and example values of one activation."""
    act = resolve(args.name, parse_params(args.param))
    info = act.info
    examples = [_value_table(act)] if info.elementwise else _vector_example(act)  # may fail
    console = stdout_console()
    title = Text(info.name, style="bold")
    if info.aliases:
        title.append(f"  (aliases: {', '.join(info.aliases)})", style="dim")
    console.print(title)
    console.print(Text(f"  f  : {info.formula}"))
    label = "f'" if info.elementwise else "∂f"  # a vector activation has a Jacobian
    console.print(Text(f"  {label} : {info.derivative_formula}"))
    console.print()

    props = Table(show_header=False, box=None, padding=(0, 2, 0, 2))
    props.add_column(style="bold", no_wrap=True)
    props.add_column()
    for key, value in _properties(info):
        props.add_row(Text(key), Text(value))
    console.print(props)
    console.print()
    console.print(Text("Notes: ", style="bold") + Text(info.notes))
    console.print()
    for part in examples:
        console.print(part)
    return 0


def _properties(info: ActivationInfo) -> list[tuple[str, str]]:
    """Return (label, text) rows describing every property of ``info``."""
    config = ", ".join(f"{k}={v!r}" for k, v in info.config.items()) or "none (no parameters)"
    peak = f"{_num(info.max_abs_derivative)}  ({info.max_abs_derivative_at}"
    x_text = "" if info.max_abs_derivative_x is None else f"x = {_num(info.max_abs_derivative_x)}"
    if x_text and x_text not in info.max_abs_derivative_at:
        peak += f"; attained e.g. at {x_text}"
    kinks = "; ".join(
        f"x = {_num(k.x)}: f' = {_num(k.derivative)} used, limits {_num(k.left)} (left) / "
        f"{_num(k.right)} (right)" + (", f itself jumps" if k.jump else "")
        for k in info.kinks
    )
    return [
        ("elementwise", _yes_no(info.elementwise)),
        ("output range", info.range_text),
        ("monotonic", _yes_no(info.monotonic)),
        ("zero-centred", _yes_no(info.zero_centered)),
        ("smooth (C¹)", _yes_no(info.smooth)),
        ("max |f'|", peak + ")"),
        ("kinks", kinks or "none"),
        ("parameters", config),
        ("PyTorch", info.torch or "none in PyTorch"),
    ]


def key_points(info: ActivationInfo) -> list[float]:
    """Return :data:`KEY_POINTS` merged with every kink, sorted and without duplicates."""
    return sorted({*KEY_POINTS, *(k.x for k in info.kinks)})


def _value_table(act: Activation) -> Table:
    """Tabulate f(x) and f'(x) at the key points, with the one-sided limits at kinks."""
    info = act.info
    kinks = {k.x: k for k in info.kinks}
    x = np.array(key_points(info))
    y, d = act(x), act.derivative(x)
    table = Table(title="values at key points", header_style="bold")
    table.add_column("x", justify="right")
    table.add_column("f(x)", justify="right")
    table.add_column("f'(x)", justify="right")
    table.add_column("at a kink")
    for xi, yi, di in zip(x, y, d, strict=True):
        k = kinks.get(float(xi))
        note = ""
        if k is not None:
            note = f"f'({_num(k.x)}-) = {_num(k.left)}, f'({_num(k.x)}+) = {_num(k.right)}"
            note += "; f jumps here" if k.jump else ""
        table.add_row(_num(xi), _num(yi), _num(di), Text(note))
    return table


def _vector_example(act: Activation) -> list[Text | Table]:
    """Return f applied to an example vector and its Jacobian matrix, ready to print."""
    x = np.array(EXAMPLE_VECTOR_GLU if act.name == "glu" else EXAMPLE_VECTOR)
    x_text = f"[{', '.join(_num(v) for v in x)}]"
    try:
        y, jac = act(x), act.jacobian(x)
    except ValueError as exc:  # e.g. --param axis=1 on a 1-D example
        raise UsageError(f"cannot apply {act!r} to the example vector {x_text}: {exc}") from exc
    table = Table(title=Text("Jacobian J[i, j] = ∂f_i/∂x_j"), header_style="bold")
    table.add_column("", style="bold")
    for j in range(jac.shape[1]):
        table.add_column(f"∂x_{j}", justify="right")
    for i, row in enumerate(jac):
        table.add_row(f"∂f_{i}", *(_num(v) for v in row))
    return [
        Text(f"{act.name} is not elementwise: it maps a whole vector to a vector."),
        Text(f"x    = {x_text}"),
        Text(f"f(x) = [{', '.join(_num(v) for v in y)}]"),
        table,
    ]


# ---- act plot ---------------------------------------------------------------------------------
def cmd_plot(args: argparse.Namespace) -> int:
    """Draw f(x) (and f'(x)) of the named activations and save the figure to ``--output``."""
    acts = [resolve(name) for name in args.names]
    for act in acts:
        if not act.info.elementwise:
            raise UsageError(
                f"{act.name} is not elementwise (each output depends on the whole vector), so it "
                f"has no curve f(x) to plot; use 'gradlab act show {act.name}' to see its Jacobian"
            )
    if not (math.isfinite(args.xmin) and math.isfinite(args.xmax) and args.xmin < args.xmax):
        raise UsageError(f"need finite --xmin < --xmax, got {args.xmin} and {args.xmax}")
    _check_image_format(args.output)
    check_output_file(args.output, "--output")
    from ..plots import activation_figure  # matplotlib is slow to import; only plot needs it

    fig = activation_figure(acts, derivative=args.derivative, xmin=args.xmin, xmax=args.xmax)
    try:
        fig.savefig(args.output)
    except (OSError, ValueError) as exc:  # the folder changed since the check, disk full
        raise FileError(f"cannot write {args.output}: {exc}") from None
    print(f"wrote {args.output}")
    return 0


def _check_image_format(path: Path) -> None:
    """Raise :class:`UsageError` if matplotlib cannot write the format ``path``'s suffix names.

    A path without a suffix gets matplotlib's default format (PNG).
    """
    suffix = path.suffix[1:].lower()
    if not suffix:
        return
    from matplotlib.figure import Figure

    formats = Figure().canvas.get_supported_filetypes()
    if suffix not in formats:
        raise UsageError(
            f"--output {path}: cannot write images of type .{suffix}; use one of "
            f"{', '.join('.' + f for f in sorted(formats))}"
        )


# ---- shared helpers ---------------------------------------------------------------------------
def resolve(name: str, params: dict[str, Any] | None = None) -> Activation:
    """Return the activation ``name`` with ``params``, or raise :class:`UsageError`."""
    if name not in REGISTRY:
        close = REGISTRY.suggestions(name)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(
            f"unknown activation {name!r}{hint} (run 'gradlab act list' to see all "
            f"{len(REGISTRY)}: {', '.join(REGISTRY.names())})"
        )
    canonical = REGISTRY.canonical(name)
    try:
        return activations.get({"name": canonical, "config": params or {}})
    except (TypeError, ValueError) as exc:
        raise UsageError(f"bad --param for {canonical}: {exc}") from exc


def parse_params(items: Sequence[str]) -> dict[str, Any]:
    """Parse ``["key=value", ...]``; values become int, float, bool, None or str.

    ``"3"`` -> 3, ``"0.2"``/``"1e-3"`` -> float, ``"true"``/``"false"`` -> bool,
    ``"none"``/``"null"`` -> None, anything else stays a string (quotes are stripped).
    """
    params: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise UsageError(
                f"--param needs the form key=value (e.g. negative_slope=0.2), got {item!r}"
            )
        if key in params:
            raise UsageError(f"--param {key} given twice")
        params[key] = _parse_value(raw.strip())
    return params


def _parse_value(raw: str) -> Any:
    lowered = raw.lower()
    if lowered in {"none", "null"}:
        return None
    if lowered in {"true", "false"}:
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def _num(value: float, digits: int = 6) -> str:
    """Format a number compactly with ``digits`` significant digits: 0.25, 1.7581, inf; no -0."""
    value = float(value)
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value + 0.0:.{digits}g}"


def _yes_no(flag: bool | None) -> str:
    return "n/a" if flag is None else ("yes" if flag else "no")


def _kinks_short(info: ActivationInfo) -> str:
    """Return e.g. ``"0 (f'=0)"`` or ``"0 (jump, f'=0)"``; ``"-"`` when there are none."""
    if not info.kinks:
        return "-"
    return ", ".join(
        f"{_num(k.x, 4)} ({'jump, ' if k.jump else ''}f'={_num(k.derivative, 4)})"
        for k in info.kinks
    )

