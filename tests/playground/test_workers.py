"""Sessions in worker processes (``gradlab.playground.workers``) behind the real app.

Each test starts its own small pool (1-2 workers, ``spawn``: about half a second each).
"""

from __future__ import annotations

import os
import signal
import time
import warnings
from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gradlab.i18n import use_language
from gradlab.playground import commands, messages
from gradlab.playground.server import SessionManager, create_app
from gradlab.playground.session import Session
from gradlab.playground.workers import InlineWorker, ProcessWorker, WorkerPool

ORIGIN = "http://127.0.0.1:8000"


def connect(client: TestClient, lang: str | None = None):
    url = "ws://127.0.0.1:8000/ws" + (f"?lang={lang}" if lang else "")
    return client.websocket_connect(url, headers={"origin": ORIGIN})


def opening(ws) -> dict:
    hello, data, state = ws.receive_json(), ws.receive_json(), ws.receive_json()
    assert (hello["type"], data["type"], state["type"]) == ("hello", "data", "state")
    return hello


def until(ws, predicate, limit: int = 500) -> dict:
    for _ in range(limit):
        msg = ws.receive_json()
        if predicate(msg):
            return msg
    raise AssertionError(f"no matching message in {limit}")


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def counts(client: TestClient) -> list[int]:
    """Sessions held in each worker, as the workers themselves count them."""
    pool = client.app.state.manager.pool
    return [client.portal.call(w.call, "count") for w in pool.slots]


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_sessions_spread_over_workers_and_stick_to_theirs():
    app = create_app(max_sessions=8, workers=2)
    with TestClient(app, base_url=ORIGIN) as client:
        manager = app.state.manager
        pool = manager.pool
        assert all(isinstance(w, ProcessWorker) for w in pool.slots)
        pids = pool.pids()
        assert len(set(pids)) == 2 and os.getpid() not in pids
        with connect(client) as a, connect(client) as b, connect(client) as c, connect(client) as d:
            sessions = {}
            for ws in (a, b, c, d):
                sessions[opening(ws)["session"]] = ws
            workers = {sid: manager.sessions[sid].worker for sid in sessions}
            # the fewest-sessions rule: two and two
            assert sorted(len(w.sessions) for w in pool.slots) == [2, 2]
            assert counts(client) == [2, 2]
            # each session keeps its worker and its state: the epochs go on
            for sid, ws in sessions.items():
                for step in (1, 2, 3):
                    ws.send_json({"type": "step", "id": step})
                    state = until(ws, lambda m: m.get("id") == step)  # noqa: B023
                    assert state["epoch"] == step
                assert manager.sessions[sid].worker is workers[sid]
            a.send_json({"type": "play"})
            first = until(a, lambda m: m["type"] == "state" and m["running"])
            later = until(a, lambda m: m["type"] == "state" and m["epoch"] > first["epoch"] + 1)
            assert later["running"] is True
            a.send_json({"type": "pause", "id": 9})
            paused = until(a, lambda m: m.get("id") == 9)
            assert paused["running"] is False
        wait_for(lambda: not manager.sessions)
        assert counts(client) == [0, 0]  # closing a page frees its session in the worker
    # the server stopped: its workers exited
    wait_for(lambda: not any(pid_alive(p) for p in pids), timeout=15)


def test_a_killed_worker_closes_only_its_sessions_and_is_restarted(caplog):
    app = create_app(max_sessions=8, workers=2)
    with TestClient(app, base_url=ORIGIN) as client:
        manager = app.state.manager
        with connect(client) as a, connect(client) as b:
            sid_a, sid_b = opening(a)["session"], opening(b)["session"]
            victim = manager.sessions[sid_a].worker
            survivor = manager.sessions[sid_b].worker
            assert victim is not survivor
            b.send_json({"type": "play"})
            until(b, lambda m: m["type"] == "state" and m["running"])
            os.kill(victim.pid, signal.SIGKILL)
            error = a.receive_json()
            assert error["type"] == "error" and "reload the page" in error["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                a.receive_json()
            assert closed.value.code == 1011
            # the other worker's session goes on playing, and answers
            b.send_json({"type": "ping", "id": 5})
            until(b, lambda m: m["type"] == "pong" and m["id"] == 5)
            before = until(b, lambda m: m["type"] == "state")["epoch"]
            assert until(b, lambda m: m["type"] == "state")["epoch"] > before
            wait_for(lambda: sid_a not in manager.sessions)
            # a new session goes to a new process in the dead one's slot
            with connect(client) as c:
                sid_c = opening(c)["session"]
                worker = manager.sessions[sid_c].worker
                assert worker is not victim and worker.alive and worker.pid != victim.pid
                assert manager.pool.restarts == 1 and len(manager.pool.pids()) == 2
                c.send_json({"type": "step", "id": 1})
                assert until(c, lambda m: m.get("id") == 1)["epoch"] == 1
            b.send_json({"type": "pause", "id": 6})
            until(b, lambda m: m.get("id") == 6)
        assert not pid_alive(victim.pid)
    assert any("died" in r.getMessage() for r in caplog.records)


def test_session_cap_with_workers():
    app = create_app(max_sessions=2, workers=2)
    with TestClient(app, base_url=ORIGIN) as client:
        with connect(client) as a, connect(client) as b:
            opening(a)
            opening(b)
            with connect(client) as third:
                err = third.receive_json()
                assert err["type"] == "error" and "maximum of 2" in err["message"]
                with pytest.raises(WebSocketDisconnect) as closed:
                    third.receive_json()
                assert closed.value.code == 1013
            assert counts(client) == [1, 1]  # the refused page made no session


def error_message(config: dict, lang: str) -> str:
    """The ``error`` message text a session answers ``config`` with, in ``lang``."""
    with use_language(lang):
        session = Session()
        reply = commands.handle(session, {"type": "config", "id": 1, "config": config})[0]
    assert reply["type"] == "error"
    return reply["message"]


def test_errors_from_a_worker_are_in_the_pages_language():
    bad = {"learning_rate": 99}
    expected_ko = error_message(bad, "ko")
    expected_en = error_message(bad, "en")
    assert expected_ko != expected_en  # the message is translated
    app = create_app(max_sessions=2, workers=1)
    with TestClient(app, base_url=ORIGIN) as client, connect(client, lang="ko") as ws:
        assert opening(ws)["lang"] == "ko"
        ws.send_json({"type": "config", "id": 1, "config": bad})
        err = ws.receive_json()
        assert err["type"] == "error" and err["message"] == expected_ko
        ws.send_json({"type": "language", "id": 2, "lang": "en"})
        assert ws.receive_json() == {"type": "language", "id": 2, "lang": "en"}
        ws.send_json({"type": "config", "id": 3, "config": bad})
        assert ws.receive_json()["message"] == expected_en


def test_play_slice_shrinks_with_the_sessions_playing_on_that_worker():
    manager = SessionManager(max_sessions=8, workers=0, train_slice=0.03)

    class Fake:
        def __init__(self, worker, playing):
            self.worker, self.playing = worker, playing

    w1, w2 = object(), object()
    manager.sessions = {
        "a": Fake(w1, True),
        "b": Fake(w1, True),
        "c": Fake(w1, False),
        "d": Fake(w2, True),
    }
    assert manager.play_slice(w1) == pytest.approx(0.015)
    assert manager.play_slice(w2) == pytest.approx(0.03)
    manager.sessions.update({f"x{i}": Fake(w2, True) for i in range(100)})
    assert manager.play_slice(w2) == 0.002  # the floor: the session trains an epoch anyway


def test_inline_workers_dispatch_any_message_type_and_report_failures(monkeypatch):
    """``workers=0``: sessions in the server process. A message type added to
    ``MESSAGE_FIELDS`` and ``commands.HANDLERS`` needs no change in the server; a handler that
    fails (a bug) gets the page an ``error`` and the close code 1011."""
    monkeypatch.setitem(messages.MESSAGE_FIELDS, "echo", {"text": True})
    monkeypatch.setitem(
        commands.HANDLERS,
        "echo",
        lambda session, msg: [{"type": "echo", "id": msg["id"], "text": msg["text"]}],
    )

    def broken(session, msg):
        raise ZeroDivisionError("a bug")

    monkeypatch.setitem(commands.HANDLERS, "snapshot", broken)
    app = create_app(max_sessions=2, workers=0)
    with TestClient(app, base_url=ORIGIN) as client, connect(client) as ws:
        assert isinstance(app.state.manager.pool.slots[0], InlineWorker)
        opening(ws)
        ws.send_json({"type": "echo", "id": 4, "text": "hi"})
        assert ws.receive_json() == {"type": "echo", "id": 4, "text": "hi"}
        ws.send_json({"type": "snapshot", "id": 5})
        err = ws.receive_json()
        assert err["type"] == "error" and "internal error" in err["message"]
        assert "ZeroDivisionError" not in err["message"]  # the details go to the log
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1011


def test_pool_arguments():
    with pytest.raises(ValueError, match="workers"):
        WorkerPool(-1)
    with pytest.raises(ValueError, match="workers"):
        create_app(workers=-2)
    assert create_app(max_sessions=1).state.manager.pool.size == 1  # no more than sessions
