"""The ``gradlab`` command line.

Usage::

    gradlab act list [--json]                      # every activation and its properties
    gradlab act show NAME [--param key=value ...]  # formulas, properties, values at key points
    gradlab act plot NAME... [--derivative] -o FILE.png
    gradlab train --data digits --layers 64,64 --activation relu --optimizer adam ...
    gradlab reproduce [--quick] [--out DIR] [--only IDS] [--seeds 0-2] [--resume]
                      [--jobs N | --dask-local N | --scheduler ADDR] [--data-dir DIR]
    gradlab sweep --activation relu,tanh --depth 2,4,8 --seeds 0-2 [--resume] [--dask-local N]
    gradlab claims list | gradlab claims show ID
    gradlab trace [--layers 3,2 --activation sigmoid --output identity|softmax --seed N]
    gradlab playground [--host 127.0.0.1] [--port 8000] [--open] [--max-sessions N]
    gradlab --version

Every command returns an exit status: 0 on success, 1 when a file cannot be written or
training diverges, 2 for a usage error (unknown name, bad value), 130 when interrupted with
Ctrl-C, with a one-line message on stderr (``gradlab: ...``), never a traceback. Commands that
write files check those paths before they start working.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from .. import __version__
from . import act, bench, lab, playground, sweep, trace, train
from .act import key_points, parse_params
from .common import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, FileError, UsageError

__all__ = ["UsageError", "build_parser", "key_points", "main", "parse_params"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``gradlab`` command line and return its exit status.

    Errors the user can act on end in one line on stderr and a non-zero status (see the
    module docstring); Ctrl-C ends any command with ``gradlab: interrupted`` and status 130.

    Args:
        argv: The arguments without the program name; ``None`` reads ``sys.argv[1:]``.
    """
    from .. import i18n

    chosen = i18n._chosen  # a command's --lang lasts for the command (main may be called again)
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version and argparse's own usage errors
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:  # `gradlab` or `gradlab act` alone
            getattr(args, "help_parser", parser).print_help()
            return EXIT_USAGE
        return handler(args)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except FileError as exc:
        _error(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `gradlab act list | head`: the reader left; nothing to report
        _silence_stdout()
        return EXIT_FAILURE
    finally:
        i18n.set_language(chosen)


def _error(message: str) -> None:
    try:
        print(f"gradlab: {message}", file=sys.stderr, flush=True)
    except OSError:  # stderr closed too: the status is all that is left
        pass


def _silence_stdout() -> None:
    """Point stdout at the null device so that the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``gradlab`` with all its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="gradlab",
        description="Learn, check and show how neural networks learn.",
        epilog="Exit status: 0 success, 1 a file cannot be written or training diverged, 2 a "
        "usage error, 130 interrupted (Ctrl-C); errors are one 'gradlab: ...' line on stderr. "
        "Output paths (--save, --out, -o) are checked before any work starts.",
    )
    parser.add_argument("--version", action="version", version=f"gradlab {__version__}")
    groups = parser.add_subparsers(title="commands", metavar="COMMAND")
    act.add_parser(groups)
    train.add_parser(groups)
    trace.add_parser(groups)
    lab.add_parser(groups)
    sweep.add_parser(groups)
    bench.add_parser(groups)
    playground.add_parser(groups)
    return parser
