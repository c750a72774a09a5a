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

from ..i18n import N_, _, pgettext
from .common import UsageError, add_lang_argument, apply_lang, parse_widths, stdout_console

__all__ = ["add_parser", "cmd_trace"]

#: What each number of :func:`gradlab.lab.trace.check` compares, as the table of checks says.
CHECK_LABELS = {
    "forward_max_abs_diff": N_("gradlab Sequential output vs Z, max |Δ|"),
    "loss_abs_diff": N_("gradlab loss vs L, |Δ|"),
    "backward_max_abs_diff": N_("gradlab gradients vs ∂L/∂W, ∂L/∂B, max |Δ|"),
    "gradcheck_max_rel_error": N_("gradlab gradcheck (central differences), max rel. error"),
    "numeric_max_rel_error": N_("central differences of this pass, max rel. error"),
}


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
    add_lang_argument(p)
    p.set_defaults(handler=cmd_trace)


def _floats(spec: str, flag: str) -> list[float]:
    try:
        values = [float(s) for s in spec.replace(" ", "").split(",") if s]
    except ValueError:
        raise UsageError(
            _("{flag} must be comma-separated numbers, got {spec}").format(
                flag=flag, spec=repr(spec)
            )
        ) from None
    if not values or not all(abs(v) < float("inf") for v in values):
        raise UsageError(
            _("{flag} must be comma-separated finite numbers, got {spec}").format(
                flag=flag, spec=repr(spec)
            )
        )
    return values


def _sizes(args: argparse.Namespace, n_inputs: int) -> list[int]:
    if args.outputs < 1:
        raise UsageError(
            _("--outputs must be a positive int, got {outputs}").format(outputs=args.outputs)
        )
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
            raise UsageError(
                _("--target as a class index must be one of 0..{last}, got {k:g}").format(
                    last=n_out - 1, k=k
                )
            )
        target[int(k)] = 1.0
        return target
    if len(values) != n_out:
        raise UsageError(
            _("--target needs {n} values (one per output), got {got}").format(
                n=n_out, got=len(values)
            )
        )
    return np.array(values)


def cmd_trace(args: argparse.Namespace) -> int:
    """Print the forward and backward tables (and the checks) for the flags."""
    import numpy as np

    from ..lab import trace

    apply_lang(args)
    if not 1 <= args.precision <= 17:
        raise UsageError(
            _("--precision must be between 1 and 17, got {precision}").format(
                precision=args.precision
            )
        )
    if args.seed is not None and args.seed < 0:
        raise UsageError(
            _("--seed must be a non-negative integer, got {seed}").format(seed=args.seed)
        )
    x = _floats(args.input, "--input") if args.input else list(trace.ARTICLE_INPUT)
    sizes = _sizes(args, len(x))
    if args.seed is None:
        weights, biases = trace.article_network()
        if sizes != [2, 3, 2, 2]:
            raise UsageError(
                _(
                    "the article's weights exist only for 2 inputs, --layers 3,2 and 2 outputs; "
                    "got {sizes}. Pass --seed N for random weights"
                ).format(sizes=" → ".join(map(str, sizes)))
            )
        source = _("the article's weights (Deep Learning from Scratch §3.4.3)")
    else:
        weights, biases = trace.random_network(sizes, args.seed)
        source = _("random weights, seed {seed}").format(seed=args.seed)
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
            _("{sizes} network, hidden {hidden}, output {output}, loss {loss}; {source}").format(
                sizes=" → ".join(map(str, tr.sizes)),
                hidden=tr.hidden,
                output=tr.output,
                loss=tr.loss,
                source=source,
            ),
            style="bold",
        )
    )
    console.print(
        Text(_("target T = {target}").format(target=trace.format_matrix(tr.target, precision)))
    )
    passes = (
        (_("Forward: A = X·W + B, Z = h(A)"), trace.forward_rows(tr, precision, "\n")),
        (
            _("Backward: the chain rule, output layer first"),
            trace.backward_rows(tr, precision, "\n"),
        ),
    )
    for forward, (title, rows) in zip((True, False), passes, strict=True):
        table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD)
        for name in (
            pgettext("trace table", "layer"),
            pgettext("trace table", "step"),
            pgettext("trace table", "shape"),
        ):
            table.add_column(name, no_wrap=True)
        table.add_column(pgettext("trace table", "value"), justify="right")
        layer = None
        for row in rows:
            if layer is not None and row[0] != layer:
                table.add_section()
            layer = row[0]
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
        if forward:
            console.print(
                Text(
                    _("loss L = {value:.{precision}g} ({loss})").format(
                        value=tr.loss_value, precision=precision, loss=tr.loss
                    )
                )
            )
    if check:
        result = trace.check(tr)
        table = Table(title=_("Checks"), header_style="bold", box=box.SIMPLE_HEAD)
        table.add_column(_("comparison"))
        table.add_column(_("value"), justify="right")
        for key, label in CHECK_LABELS.items():
            table.add_row(Text(_(label)), f"{result[key]:.2e}")
        console.print(table)
