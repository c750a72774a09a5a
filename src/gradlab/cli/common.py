"""What every ``gradlab`` sub-command shares: its errors, exit statuses, output-path checks,
the parsing of ``--layers`` and the console it prints tables on.

Exit statuses: 0 success, 1 a file or folder cannot be read or written (or training
diverged), 2 a mistake in the command line, 130 interrupted with Ctrl-C (128 + SIGINT, as a
shell reports it). Every error is one line on stderr, ``gradlab: <what is wrong>``.

Commands that write files check the path before they do any work (:func:`check_output_file`,
:func:`check_output_folder`), so a typo in ``--save`` or ``--out`` costs nothing rather than a
finished training run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "FileError",
    "UsageError",
    "add_executor_arguments",
    "add_lang_argument",
    "apply_lang",
    "check_executor_args",
    "check_output_file",
    "check_output_folder",
    "executor_from_args",
    "parse_widths",
    "stdout_console",
]

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT (2)


class UsageError(Exception):
    """A mistake in the command line; reported on stderr with exit status 2."""


class FileError(Exception):
    """A file or folder that cannot be read or written; reported on stderr with exit status 1."""


def _probe(folder: Path, what: str) -> None:
    """Create and remove a file in ``folder``; raise :class:`FileError` if that fails.

    Permission bits alone do not answer the question (root ignores them; a read-only mount
    does not show in them), so the check is the operation itself.
    """
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".gradlab-write-check-")
    except OSError as exc:
        raise FileError(f"{what}: cannot create files in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(name)


def check_output_file(path: Path, flag: str) -> None:
    """Raise :class:`FileError` unless a file can be written at ``path``.

    The folder of ``path`` must exist (it is not created: a missing folder is more often a
    typo than a wish) and accept new files, and ``path`` itself must not be a folder.

    Args:
        path: The file a command will write.
        flag: The option that named it, e.g. ``"--save"``, for the message.
    """
    what = f"{flag} {path}"
    if path.is_dir():
        raise FileError(f"{what} is a folder; give the name of a file to write inside it")
    folder = path.parent
    if not folder.exists():
        raise FileError(
            f"{what}: the folder {folder} does not exist; create it first or choose another path"
        )
    if not folder.is_dir():
        raise FileError(f"{what}: {folder} is a file, not a folder")
    _probe(folder, what)


def check_output_folder(path: Path, flag: str) -> None:
    """Create the folder ``path`` if needed and raise :class:`FileError` unless files can be
    created in it.

    Args:
        path: The folder a command will write into (created with its parents if missing).
        flag: The option that named it, e.g. ``"--out"``, for the message.
    """
    what = f"{flag} {path}"
    if path.exists() and not path.is_dir():
        raise FileError(f"{what} is a file; give a folder (it is created if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"{what}: cannot create the folder: {exc.strerror or exc}") from None
    _probe(path, what)


def parse_widths(spec: str, flag: str = "--layers") -> list[int]:
    """Return the hidden widths of ``"64,64"`` (spaces ignored; ``""`` is no hidden layer).

    Raises:
        UsageError: unless every item is a positive int.
    """
    try:
        sizes = [int(s) for s in spec.replace(" ", "").split(",") if s]
    except ValueError:
        raise UsageError(f"{flag} must be comma-separated positive ints, got {spec!r}") from None
    if any(s < 1 for s in sizes):
        raise UsageError(f"{flag} must be comma-separated positive ints, got {spec!r}")
    return sizes


def stdout_console() -> Console:
    """Return a rich console on the current stdout; 120 columns wide when piped (unless
    ``$COLUMNS`` says otherwise)."""
    from rich.console import Console

    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120
    return Console(file=sys.stdout, highlight=False, width=width)


def add_executor_arguments(group: Any) -> None:
    """Add ``--resume``, ``--jobs``, ``--scheduler`` and ``--dask-local`` (reproduce, sweep)."""
    group.add_argument(
        "--resume",
        action="store_true",
        help="reuse the finished units in OUT/.units (after an interrupted run)",
    )
    group.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    group.add_argument(
        "--scheduler", help="run on the Dask cluster at this address, e.g. tcp://HOST:8786"
    )
    group.add_argument(
        "--dask-local",
        type=int,
        metavar="N",
        help="start a local Dask cluster of N worker processes and run on it",
    )


def check_executor_args(args: argparse.Namespace) -> None:
    """Refuse a command line that asks for two executors or a non-positive count."""
    chosen = [f for f in ("jobs", "dask_local", "scheduler") if getattr(args, f) is not None]
    if len(chosen) > 1:
        names = " and ".join("--" + f.replace("_", "-") for f in chosen)
        raise UsageError(f"{names} choose different executors; give one of them")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be a positive integer, got {args.jobs}")
    if args.dask_local is not None and args.dask_local < 1:
        raise UsageError(f"--dask-local must be a positive integer, got {args.dask_local}")


def executor_from_args(args: argparse.Namespace, units: int) -> Any:
    """The executor that ``--jobs``, ``--dask-local`` or ``--scheduler`` asks for; ``--jobs``
    defaults to the CPUs, at most one per unit."""
    import os

    from ..lab.executors import make_executor

    check_executor_args(args)
    jobs = args.jobs if args.jobs is not None else max(1, min(os.cpu_count() or 1, units))
    try:
        return make_executor(jobs=jobs, scheduler=args.scheduler, dask_local=args.dask_local)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:  # no scheduler at that address
        raise UsageError(f"cannot reach the Dask scheduler {args.scheduler}: {exc}") from None


def add_lang_argument(parser: Any) -> None:
    """Add ``--lang {en,ko}``: the language of what the command prints and writes."""
    from ..i18n import LANGUAGES

    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of the output: en (English) or ko (한국어); default: GRADLAB_LANG, "
        "else the locale, else en",
    )


def apply_lang(args: argparse.Namespace) -> str:
    """Make ``args.lang`` (else ``GRADLAB_LANG``, else the locale) the language in effect.

    Raises:
        UsageError: when ``GRADLAB_LANG`` names a language gradlab does not speak.
    """
    from ..i18n import resolve_language, set_language

    try:
        lang = resolve_language(getattr(args, "lang", None))
        set_language(lang)
        return lang
    except ValueError as exc:
        raise UsageError(f"GRADLAB_LANG: {exc}") from None
