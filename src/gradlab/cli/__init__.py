"""The ``gradlab`` command line.

Usage::

    gradlab act list [--json]                      # every activation and its properties
    gradlab act show NAME [--param key=value ...]  # formulas, properties, values at key points
    gradlab act plot NAME... [--derivative] -o FILE.png
    gradlab train --data digits --layers 64,64 --activation relu --optimizer adam ...
    gradlab reproduce [--quick] [--out DIR] [--only IDS] [--seed N] [--jobs N] [--data-dir DIR]
    gradlab claims list | gradlab claims show ID
    gradlab trace [--layers 3,2 --activation sigmoid --output identity|softmax --seed N]
    gradlab playground [--host 127.0.0.1] [--port 8000] [--open] [--max-sessions N]
    gradlab --version

Every command returns an exit status: 0 on success, 1 when a file cannot be written or
training diverges, 2 for a usage error (unknown name, bad value), with a one-line message on
stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from .. import __version__
from . import act, bench, lab, playground, trace, train
from .act import key_points, parse_params
from .common import UsageError

__all__ = ["UsageError", "build_parser", "key_points", "main", "parse_params"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``gradlab`` command line and return its exit status.

    Args:
        argv: The arguments without the program name; ``None`` reads ``sys.argv[1:]``.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse's own usage errors
        return exc.code if isinstance(exc.code, int) else 2
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:  # `gradlab` or `gradlab act` alone
        getattr(args, "help_parser", parser).print_help()
        return 2
    try:
        return handler(args)
    except UsageError as exc:
        print(f"gradlab: {exc}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``gradlab`` with all its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="gradlab", description="Learn, check and show how neural networks learn."
    )
    parser.add_argument("--version", action="version", version=f"gradlab {__version__}")
    groups = parser.add_subparsers(title="commands", metavar="COMMAND")
    act.add_parser(groups)
    train.add_parser(groups)
    trace.add_parser(groups)
    lab.add_parser(groups)
    bench.add_parser(groups)
    playground.add_parser(groups)
    return parser
