"""``gradlab trace``: one forward and backward pass of a small MLP, printed matrix by matrix.

Usage::

    gradlab trace                                   # the article's 2-3-2-2 sigmoid network
    gradlab trace --output softmax --target 1       # softmax + cross entropy, class 1
    gradlab trace --layers 4 --activation tanh --input 1,-1,0.5 --seed 3 --precision 4

Without ``--seed`` the weights are the ones of *Deep Learning from Scratch* §3.4.3 (the network
article 003 retells), which exist only for 2 inputs, ``--layers 3,2`` and 2 outputs; with
``--seed N`` they are drawn at random (Glorot-uniform weights, biases in [-0.5, 0.5]). After the
tables, the pass is checked against gradlab's ``Sequential`` and central differences.
"""

from __future__ import annotations

import argparse
from typing import Any

from .common import UsageError, parse_widths, stdout_console

__all__ = ["add_parser", "cmd_trace"]


def add_parser(groups: Any) -> None:
    """Add ``trace`` to the ``gradlab`` sub-command group."""
    p = groups.add_parser(
        "trace",
        help="print one forward/backward pass of a small MLP step by step",
        description="Compute A = X·W + B and Z = h(A) layer by layer, then the backward pass "
        "(∂L/∂Z, ∂L/∂A, ∂L/∂W, ∂L/∂B), print them as tables with their shapes, and check "
        "them against gradlab's Sequential and central differences.",
    )
    p.add_argument("--layers", default="3,2", help="hidden widths, e.g. 3,2 (default: 3,2)")
    p.add_argument("--activation", default="sigmoid", help="hidden activation (default sigmoid)")
    p.add_argument(
        "--output", default="identity", choices=("identity", "softmax"), help="output activation"
    )
    p.add_argument(
        "--loss",
        choices=("mse", "cross_entropy"),
        help="default: mse for the identity output, cross_entropy for softmax",
    )
    p.add_argument("--outputs", type=int, default=2, help="output units (default 2)")
    p.add_argument("--input", help="one input row, e.g. 1.0,0.5 (default: the article's)")
    p.add_argument(
        "--target",
        help="target row, e.g. 0,1; with softmax also a class index, e.g. 1 "
        "(default: the last unit is 1, the others 0)",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--article", action="store_true", help="the article's weights (the default)"
    )
    source.add_argument("--seed", type=int, help="draw random weights with this seed")
    p.add_argument("--precision", type=int, default=6, help="significant digits (default 6)")
    p.add_argument("--no-check", action="store_true", help="skip the comparison with gradlab")
    p.set_defaults(handler=cmd_trace)


def _floats(spec: str, flag: str) -> list[float]:
    try:
        values = [float(s) for s in spec.replace(" ", "").split(",") if s]
    except ValueError:
        raise UsageError(f"{flag} must be comma-separated numbers, got {spec!r}") from None
    if not values or not all(abs(v) < float("inf") for v in values):
        raise UsageError(f"{flag} must be comma-separated finite numbers, got {spec!r}")
    return values


def _sizes(args: argparse.Namespace, n_inputs: int) -> list[int]:
    if args.outputs < 1:
        raise UsageError(f"--outputs must be a positive int, got {args.outputs}")
    return [n_inputs, *parse_widths(args.layers), args.outputs]


def _target(args: argparse.Namespace, n_out: int) -> Any:
    import numpy as np

    target = np.zeros(n_out)
    if args.target is None:
        target[-1] = 1.0
        return target
    values = _floats(args.target, "--target")
    if len(values) == 1 and n_out > 1 and args.output == "softmax":
        k = values[0]
        if k != int(k) or not 0 <= k < n_out:
            raise UsageError(f"--target as a class index must be one of 0..{n_out - 1}, got {k:g}")
        target[int(k)] = 1.0
        return target
    if len(values) != n_out:
        raise UsageError(f"--target needs {n_out} values (one per output), got {len(values)}")
    return np.array(values)


def cmd_trace(args: argparse.Namespace) -> int:
    """Print the forward and backward tables (and the checks) for the flags."""
    import numpy as np

    from ..lab import trace

    if not 1 <= args.precision <= 17:
        raise UsageError(f"--precision must be between 1 and 17, got {args.precision}")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    x = _floats(args.input, "--input") if args.input else list(trace.ARTICLE_INPUT)
    sizes = _sizes(args, len(x))
    if args.seed is None:
        weights, biases = trace.article_network()
        if sizes != [2, 3, 2, 2]:
            raise UsageError(
                "the article's weights exist only for 2 inputs, --layers 3,2 and 2 outputs; got "
                f"{' → '.join(map(str, sizes))}. Pass --seed N for random weights"
            )
        source = "the article's weights (Deep Learning from Scratch §3.4.3)"
    else:
        weights, biases = trace.random_network(sizes, args.seed)
        source = f"random weights, seed {args.seed}"
    try:
        tr = trace.run(
            np.array([x]),
            weights,
            biases,
            hidden=args.activation,
            output=args.output,
            loss=args.loss,
            target=_target(args, sizes[-1]),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _print(tr, source, args.precision, check=not args.no_check)
    return 0


def _print(tr: Any, source: str, precision: int, *, check: bool) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..lab import trace

    console = stdout_console()
    console.print(
        Text(
            f"{' → '.join(map(str, tr.sizes))} network, hidden {tr.hidden}, output "
            f"{tr.output}, loss {tr.loss}; {source}",
            style="bold",
        )
    )
    console.print(Text(f"target T = {trace.format_matrix(tr.target, precision)}"))
    for title, rows in (
        ("Forward: A = X·W + B, Z = h(A)", trace.forward_rows(tr, precision, "\n")),
        ("Backward: the chain rule, output layer first", trace.backward_rows(tr, precision, "\n")),
    ):
        table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD)
        for name in ("layer", "step", "shape"):
            table.add_column(name, no_wrap=True)
        table.add_column("value", justify="right")
        layer = None
        for row in rows:
            if layer is not None and row[0] != layer:
                table.add_section()
            layer = row[0]
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
        if title.startswith("Forward"):
            console.print(Text(f"loss L = {tr.loss_value:.{precision}g} ({tr.loss})"))
    if check:
        result = trace.check(tr)
        table = Table(title="Checks", header_style="bold", box=box.SIMPLE_HEAD)
        table.add_column("comparison")
        table.add_column("value", justify="right")
        labels = {
            "forward_max_abs_diff": "gradlab Sequential output vs Z, max |Δ|",
            "loss_abs_diff": "gradlab loss vs L, |Δ|",
            "backward_max_abs_diff": "gradlab gradients vs ∂L/∂W, ∂L/∂B, max |Δ|",
            "gradcheck_max_rel_error": "gradlab gradcheck (central differences), max rel. error",
            "numeric_max_rel_error": "central differences of this pass, max rel. error",
        }
        for key, label in labels.items():
            table.add_row(Text(label), f"{result[key]:.2e}")
        console.print(table)
