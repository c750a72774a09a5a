"""The playground: a TensorFlow-Playground-style page whose networks train on gradlab.

``gradlab playground`` serves the page (``static/``) and one WebSocket per tab; each tab gets a
:class:`~gradlab.playground.session.Session` that trains in a thread pool of the server. The
wire protocol is ``docs/playground-protocol.md``: :mod:`~gradlab.playground.config` checks the
configs, :mod:`~gradlab.playground.messages` the messages; :mod:`~gradlab.playground.data`
draws the data sets; the app factory is :func:`gradlab.playground.server.create_app`.
"""

from __future__ import annotations

from .config import ProtocolError
from .messages import VERSION
from .session import Session

__all__ = ["VERSION", "ProtocolError", "Session"]
