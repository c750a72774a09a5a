"""What a session does with each message from its page: the replies, as plain dicts.

The server (:mod:`.server`) parses a message (:func:`.messages.parse_message`), answers the
ones about the connection itself (``ping``, ``language``, ``play``) and hands every other one
to :func:`handle`, in the process and thread that hold the session, in the page's language.
:func:`play_chunk` is one step of the play loop: train for a slice of time, then the state.

Everything here is synchronous and touches one session; one call at a time per session.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .config import ProtocolError
from .session import Session
from .upload import check_points, parse_csv

__all__ = ["HANDLERS", "dumps", "handle", "play_chunk"]

Reply = dict[str, Any]


def dumps(message: Reply) -> str:
    """Encode a server message (never NaN/Infinity: those are not JSON)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def _divergence(session: Session, request: str, mid: int | None) -> list[Reply]:
    """An ``error`` after a state that reports a divergence (else nothing)."""
    if not session.diverged:
        return []
    session.running = False
    return [ProtocolError(session.diverged, None, request=request, id=mid).to_message()]


def _config(session: Session, msg: Reply) -> list[Reply]:
    mid = msg["id"]
    if msg["type"] == "config":
        result = session.apply_config(msg["config"])
    else:
        result = session.apply_preset(msg["name"])
    replies = [session.config_message(mid)]
    if result["data_changed"]:
        replies.append(session.data_message(mid))
    replies.append(session.state(mid))
    return replies


def _pause(session: Session, msg: Reply) -> list[Reply]:
    session.running = False
    return [session.state(msg["id"])]


def _step(session: Session, msg: Reply) -> list[Reply]:
    session.step_epoch()
    return [session.state(msg["id"]), *_divergence(session, "step", msg["id"])]


def _reset(session: Session, msg: Reply) -> list[Reply]:
    session.reset()
    return [session.state(msg["id"])]


def _regenerate(session: Session, msg: Reply) -> list[Reply]:
    session.regenerate()
    return [session.data_message(msg["id"]), session.state(msg["id"])]


def _snapshot(session: Session, msg: Reply) -> list[Reply]:
    return [session.state(msg["id"])]


def _inspect(session: Session, msg: Reply) -> list[Reply]:
    session.inspect(msg["layer"], msg.get("unit"))
    return [session.state(msg["id"])]


def _weight(session: Session, msg: Reply) -> list[Reply]:
    session.set_weight(msg["layer"], msg["param"], msg["row"], msg["col"], msg["value"])
    return [session.state(msg["id"])]


def _custom_data(session: Session, msg: Reply) -> list[Reply]:
    session.set_custom_data(check_points(msg["task"], msg["points"]), "points")
    return _custom_replies(session, msg["id"])


def _upload(session: Session, msg: Reply) -> list[Reply]:
    # The file's text is parsed here and dropped; the name is not used (nor logged).
    session.set_custom_data(parse_csv(msg["csv"]), "csv")
    return _custom_replies(session, msg["id"])


def _custom_replies(session: Session, mid: int | None) -> list[Reply]:
    """The points as kept (rescaled), the config (data set ``custom``), the split, the state."""
    return [
        session.custom_data_message(mid),
        session.config_message(mid),
        session.data_message(mid),
        session.state(mid),
    ]


#: Per message type, what the session does; each returns the replies in sending order.
HANDLERS: dict[str, Callable[[Session, Reply], list[Reply]]] = {
    "config": _config,
    "preset": _config,
    "pause": _pause,
    "step": _step,
    "reset": _reset,
    "regenerate": _regenerate,
    "snapshot": _snapshot,
    "inspect": _inspect,
    "weight": _weight,
    "custom_data": _custom_data,
    "upload": _upload,
}


def handle(session: Session, msg: Reply) -> list[Reply]:
    """The replies of ``session`` to the parsed message ``msg``.

    A rejected message gives one ``error`` reply (carrying the message's type and ``id``);
    the session is then left as it was.
    """
    kind = msg["type"]
    try:
        return HANDLERS[kind](session, msg)
    except ProtocolError as exc:
        exc.request, exc.id = kind, msg["id"]
        return [exc.to_message()]


def play_chunk(session: Session, seconds: float) -> tuple[str, str | None]:
    """Train ``session`` for about ``seconds`` (at least one epoch) and return its encoded
    ``state`` and, when the training diverged, the ``error`` to send after it."""
    session.run_for(seconds)
    state = dumps(session.state())
    errors = _divergence(session, "play", None)
    return state, dumps(errors[0]) if errors else None
