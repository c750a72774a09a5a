"""``gradlab playground``: serve the TensorFlow-Playground-style page, trained by gradlab.

Examples::

    gradlab playground                     # http://127.0.0.1:8000/
    gradlab playground --port 8765 --open  # and open it in the browser
    gradlab playground --host 0.0.0.0      # a class: prints http://<this machine's address>:
                                           # 8000/?token=... for the students
    gradlab playground --host 0.0.0.0 --token owl-42   # a token students can type
    gradlab playground --lang ko           # the page in Korean unless it chooses (?lang=en)

Only the page's own origin may open sessions; ``--allow-origin`` adds more (see
:mod:`gradlab.playground.access` for the rule). A server bound beyond loopback asks every
request for an access token, printed in the addresses at start. There is no option to turn
the token off: Host and Origin stop other web sites, not other machines, and without it
anyone on the network could run training here; ``--token`` makes it short enough to type.
"""

from __future__ import annotations

import argparse
import socket
import sys
import urllib.parse
from typing import Any

from ..i18n import _
from ..playground.access import (
    check_token,
    is_loopback,
    lan_address,
    needs_token,
    new_token,
    normalize_origin,
)
from .common import UsageError, add_lang_argument, apply_lang

__all__ = ["add_parser", "cmd_playground", "is_loopback"]

DEFAULT_HOST = "127.0.0.1"

#: ``--max-sessions`` by default (:data:`gradlab.playground.server.DEFAULT_MAX_SESSIONS`).
DEFAULT_MAX_SESSIONS = 40


def add_parser(groups: Any) -> None:
    """Add ``playground`` to the ``gradlab`` sub-command group."""
    p = groups.add_parser(
        "playground",
        help="serve the interactive playground page (a local web server)",
        description="Serve the playground: a TensorFlow-Playground-style page whose networks "
        "train on gradlab in worker processes on this machine, one session per browser tab. "
        "With --host 0.0.0.0 a class can use it: every page needs the access token printed "
        "in the address at start.",
    )
    p.add_argument("--host", default=None, help=f"address to bind ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=8000, help="port (8000)")
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    p.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        help=f"most sessions (tabs) at once ({DEFAULT_MAX_SESSIONS}: a class of 30 and spare)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes training the sessions (default: one per CPU core); 0 trains "
        "them in the server process (one core for all)",
    )
    p.add_argument(
        "--token",
        default=None,
        metavar="TEXT",
        help="the access token every page must carry (4-128 letters, digits, . _ ~ -); "
        "default: a random one when --host is not loopback, none on loopback",
    )
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
        help="also accept pages from ORIGIN (scheme://host[:port], e.g. "
        "http://teacher.example:8000), and requests for its host name; repeatable. By default "
        "only the page's own address (127.0.0.1, localhost and [::1] on loopback; any IP "
        "address too with --host 0.0.0.0) may open sessions",
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
    if args.workers is not None and args.workers < 0:
        raise UsageError(
            _("{flag} must be 0 or more, got {value}").format(flag="--workers", value=args.workers)
        )
    token = args.token
    if token is not None:
        try:
            check_token(token)
        except ValueError as exc:
            raise UsageError(f"--token: {exc}") from None
    elif needs_token(host):
        token = new_token()
    origins = []
    for origin in args.allow_origin:
        try:
            origins.append(normalize_origin(origin))
        except ValueError as exc:
            raise UsageError(f"--allow-origin: {exc}") from None
    wildcard = host in ("0.0.0.0", "::")
    lan = lan_address() if wildcard else None
    if wildcard and lan is None:
        # No network address found: the machine's name is the best guess, and a name has to
        # be allowed (an IP address needs nothing).
        name = socket.gethostname()
        origins.append(normalize_origin(f"http://{name}:{args.port}"))
    if not is_loopback(host):
        # Only reachable when --host was typed: the default is the loopback address.
        print(
            _(
                "gradlab: warning: --host {host} makes the playground reachable from the "
                "network; only pages opened with the access token (the address below) may "
                "use it"
            ).format(host=host),
            file=sys.stderr,
        )
    app = create_app(
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout,
        workers=args.workers,
        host=host,
        port=args.port,
        allow_origins=origins,
        token=token,
        lang=lang,
    )
    query = "" if token is None else "?" + urllib.parse.urlencode({"token": token})
    if wildcard:
        shown = lan if lan is not None else socket.gethostname()
        url = f"http://{shown}:{args.port}/{query}"
        local = f"http://127.0.0.1:{args.port}/{query}"
        print(_("gradlab playground: {url}  (Ctrl+C to stop)").format(url=url), flush=True)
        print(_("  on this machine: {url}").format(url=local), flush=True)
        print(
            _(
                "  other machines open the first address; a firewall on this machine must let "
                "them reach port {port}"
            ).format(port=args.port),
            flush=True,
        )
    else:
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{args.port}/{query}"
        local = url
        print(_("gradlab playground: {url}  (Ctrl+C to stop)").format(url=url), flush=True)
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(local,)).start()
    try:
        uvicorn.run(app, host=host, port=args.port, **uvicorn_options())
    except KeyboardInterrupt:  # pragma: no cover
        pass
    return 0
