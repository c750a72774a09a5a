"""``gradlab playground``: serve the TensorFlow-Playground-style page, trained by gradlab.

Examples::

    gradlab playground                     # http://127.0.0.1:8000/
    gradlab playground --port 8765 --open  # and open it in the browser
    gradlab playground --host 0.0.0.0 --allow-origin http://10.0.0.5:8000
                                           # reachable from the network as http://10.0.0.5:8000/
    gradlab playground --lang ko           # the page in Korean unless it chooses (?lang=en)

Only the page's own origin may open sessions; ``--allow-origin`` adds more (see
:mod:`gradlab.playground.access` for the rule).
"""

from __future__ import annotations

import argparse
import socket
import sys
from typing import Any

from ..i18n import _
from ..playground.access import is_loopback, normalize_origin
from .common import UsageError, add_lang_argument, apply_lang

__all__ = ["add_parser", "cmd_playground", "is_loopback"]

DEFAULT_HOST = "127.0.0.1"


def add_parser(groups: Any) -> None:
    """Add ``playground`` to the ``gradlab`` sub-command group."""
    p = groups.add_parser(
        "playground",
        help="serve the interactive playground page (a local web server)",
        description="Serve the playground: a TensorFlow-Playground-style page whose networks "
        "train on gradlab in this process, one session per browser tab.",
    )
    p.add_argument("--host", default=None, help=f"address to bind ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=8000, help="port (8000)")
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    p.add_argument("--max-sessions", type=int, default=16, help="most sessions (tabs) at once (16)")
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=900.0,
        help="seconds the page may be out of view (closed, hidden, asleep) before its session "
        "is closed (900)",
    )
    p.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="also accept pages from ORIGIN (scheme://host[:port], e.g. http://10.0.0.5:8000), "
        "and requests for its host name; repeatable. By default only the page's own address "
        "(127.0.0.1, localhost and [::1] on loopback) may open sessions",
    )
    add_lang_argument(p)
    p.set_defaults(handler=cmd_playground)


def cmd_playground(args: argparse.Namespace) -> int:
    """Run the playground server until interrupted."""
    import uvicorn

    from ..playground.server import create_app, uvicorn_options

    lang = apply_lang(args)
    host = args.host or DEFAULT_HOST
    if not 0 < args.port < 65536:
        raise UsageError(
            _("{flag} must be from {low} to {high}, got {value}").format(
                flag="--port", low=1, high=65535, value=args.port
            )
        )
    if args.max_sessions < 1:
        raise UsageError(
            _("{flag} must be at least 1, got {value}").format(
                flag="--max-sessions", value=args.max_sessions
            )
        )
    if not args.idle_timeout > 0:
        raise UsageError(
            _("{flag} must be positive seconds, got {value}").format(
                flag="--idle-timeout", value=args.idle_timeout
            )
        )
    origins = []
    for origin in args.allow_origin:
        try:
            origins.append(normalize_origin(origin))
        except ValueError as exc:
            raise UsageError(f"--allow-origin: {exc}") from None
    if not is_loopback(host):
        # Only reachable when --host was typed: the default is the loopback address.
        print(
            _(
                "gradlab: warning: --host {host} makes the playground reachable from the "
                "network; anyone who can reach it can run training on this machine"
            ).format(host=host),
            file=sys.stderr,
        )
        if host in ("0.0.0.0", "::") and not origins:
            print(
                _(
                    "gradlab: note: bound to every interface, the page answers only to "
                    "127.0.0.1/localhost until you name the address others use, e.g. "
                    "--allow-origin {origin}"
                ).format(origin=f"http://{socket.gethostname()}:{args.port}"),
                file=sys.stderr,
            )
    app = create_app(
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout,
        host=host,
        port=args.port,
        allow_origins=origins,
        lang=lang,
    )
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{args.port}/"
    print(_("gradlab playground: {url}  (Ctrl+C to stop)").format(url=url), flush=True)
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(app, host=host, port=args.port, **uvicorn_options())
    except KeyboardInterrupt:  # pragma: no cover
        pass
    return 0
