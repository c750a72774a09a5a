"""The playground server over Starlette's TestClient, and the ``gradlab playground`` command."""

from __future__ import annotations

import json
import warnings

import pytest
from starlette.websockets import WebSocketDisconnect

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gradlab.cli import main
from gradlab.cli import playground as cli_playground
from gradlab.playground.protocol import DEFAULT_CONFIG, LIMITS
from gradlab.playground.server import STATIC_DIR, WS_MAX_SIZE, BackgroundServer, create_app


@pytest.fixture
def client():
    with TestClient(create_app(max_sessions=4, idle_timeout=60.0)) as c:
        yield c


def opening(ws) -> tuple[dict, dict, dict]:
    """Read the three messages every connection starts with."""
    hello, data, state = ws.receive_json(), ws.receive_json(), ws.receive_json()
    assert (hello["type"], data["type"], state["type"]) == ("hello", "data", "state")
    return hello, data, state


def until(ws, predicate, limit: int = 200) -> tuple[dict, list[dict]]:
    """Receive until ``predicate(message)``; return it and everything before it."""
    seen = []
    for _ in range(limit):
        msg = ws.receive_json()
        if predicate(msg):
            return msg, seen
        seen.append(msg)
    raise AssertionError(f"no matching message in {limit}: {[m['type'] for m in seen]}")


def test_hello(client):
    with client.websocket_connect("/ws") as ws:
        hello, data, state = opening(ws)
    assert hello["version"] == 1 and isinstance(hello["session"], str)
    assert hello["config"] == DEFAULT_CONFIG
    assert hello["limits"]["idle_timeout_s"] == 60.0
    assert hello["limits"]["max_message_bytes"] == LIMITS["max_message_bytes"]
    assert {"activations", "optimizers", "initializers", "datasets", "features", "presets"} <= set(
        hello["options"]
    )
    assert data["task"] == "classification" and len(data["train"]) == 250
    assert state["epoch"] == 0 and state["running"] is False


def test_config_replies_config_data_state(client):
    with client.websocket_connect("/ws") as ws:
        opening(ws)
        ws.send_json({"type": "config", "id": 11, "config": {"noise": 10, "batch_size": 20}})
        cfg, data, state = ws.receive_json(), ws.receive_json(), ws.receive_json()
        assert [m["type"] for m in (cfg, data, state)] == ["config", "data", "state"]
        assert all(m["id"] == 11 for m in (cfg, data, state))
        assert cfg["config"]["noise"] == 10.0 and cfg["config"]["batch_size"] == 20
        # a model-only change sends no data
        ws.send_json({"type": "config", "id": 12, "config": {"learning_rate": 0.1}})
        cfg, state = ws.receive_json(), ws.receive_json()
        assert (cfg["type"], state["type"], state["id"]) == ("config", "state", 12)


def test_preset(client):
    with client.websocket_connect("/ws") as ws:
        opening(ws)
        ws.send_json({"type": "preset", "id": 3, "name": "xor_no_hidden"})
        cfg, data, state = ws.receive_json(), ws.receive_json(), ws.receive_json()
        assert cfg["config"]["dataset"] == "xor" and cfg["config"]["layers"] == []
        assert data["type"] == "data" and len(state["layers"]) == 1


def test_bad_messages_get_errors_and_the_socket_still_works(client):
    with client.websocket_connect("/ws") as ws:
        opening(ws)
        ws.send_text("{oops")
        err = ws.receive_json()
        assert err["type"] == "error" and "JSON" in err["message"] and err["id"] is None
        ws.send_json({"type": "config", "id": 5, "config": {"layers": [{"units": 9}]}})
        err = ws.receive_json()
        assert err["type"] == "error" and err["request"] == "config" and err["id"] == 5
        assert err["field"] == "config.layers[0].activation"
        ws.send_json({"type": "jump", "id": 6})
        err = ws.receive_json()
        assert (err["type"], err["field"], err["id"]) == ("error", "type", 6)
        ws.send_text("[1, 2]")
        assert ws.receive_json()["type"] == "error"
        ws.send_bytes(b"\x00\x01")
        assert "binary" in ws.receive_json()["message"]
        ws.send_text(json.dumps({"type": "ping", "pad": "x" * LIMITS["max_message_bytes"]}))
        err = ws.receive_json()
        assert err["type"] == "error" and "bytes" in err["message"]
        # the session kept its config and still answers
        ws.send_json({"type": "snapshot", "id": 7})
        state = ws.receive_json()
        assert state["type"] == "state" and state["id"] == 7
        assert [ly["units"] for ly in state["layers"]] == [4, 2, 1]


def test_ping_pong_ids(client):
    with client.websocket_connect("/ws") as ws:
        opening(ws)
        for i in (0, 1, 2**31 - 1):
            ws.send_json({"type": "ping", "id": i})
            pong = ws.receive_json()
            assert pong["type"] == "pong" and pong["id"] == i
            assert isinstance(pong["server_time"], float)
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["id"] is None


def test_step_reset_regenerate(client):
    with client.websocket_connect("/ws") as ws:
        _, data, _ = opening(ws)
        ws.send_json({"type": "step", "id": 1})
        state = ws.receive_json()
        assert (state["type"], state["id"], state["epoch"]) == ("state", 1, 1)
        assert state["steps"] == 25
        ws.send_json({"type": "reset", "id": 2})
        state = ws.receive_json()
        assert (state["type"], state["id"], state["epoch"]) == ("state", 2, 0)
        ws.send_json({"type": "regenerate", "id": 3})
        new_data, state = ws.receive_json(), ws.receive_json()
        assert new_data["type"] == "data" and new_data["id"] == 3
        assert new_data["train"] != data["train"]
        assert state["type"] == "state" and state["epoch"] == 0


def test_play_streams_states_and_pause_stops_them(client):
    with client.websocket_connect("/ws") as ws:
        opening(ws)
        ws.send_json({"type": "play"})
        epochs = []
        for _ in range(4):
            state, _ = until(ws, lambda m: m["type"] == "state")
            assert state["running"] is True
            epochs.append(state["epoch"])
        assert epochs == sorted(epochs) and epochs[0] >= 1 and epochs[-1] > epochs[0]
        ws.send_json({"type": "ping", "id": 40})  # answered while training
        until(ws, lambda m: m["type"] == "pong" and m["id"] == 40)
        ws.send_json({"type": "pause", "id": 41})
        paused, before = until(ws, lambda m: m.get("id") == 41)
        assert paused["type"] == "state" and paused["running"] is False
        assert all(m["type"] == "state" and m["running"] for m in before)
        # nothing streams after the pause's reply: the next message answers the next request
        ws.send_json({"type": "snapshot", "id": 42})
        state = ws.receive_json()
        assert state["id"] == 42 and state["epoch"] == paused["epoch"]


def test_divergence_sends_state_and_error(client):
    config = {
        "dataset": "plane",
        "layers": [{"units": 8, "activation": "exponential"}] * 3,
        "learning_rate": 10,
        "init_scale": 10,
    }
    with client.websocket_connect("/ws") as ws:
        opening(ws)
        ws.send_json({"type": "config", "id": 1, "config": config})
        until(ws, lambda m: m["type"] == "state" and m["id"] == 1)
        ws.send_json({"type": "step", "id": 2})
        state = ws.receive_json()
        assert state["type"] == "state" and state["diverged"] and state["running"] is False
        err = ws.receive_json()
        assert err["type"] == "error" and err["request"] == "step" and err["id"] == 2
        assert "diverged" in err["message"]
        ws.send_json({"type": "ping", "id": 3})
        assert ws.receive_json()["type"] == "pong"


def test_session_cap_closes_with_1013():
    app = create_app(max_sessions=1, idle_timeout=60.0)
    with TestClient(app) as client:
        with client.websocket_connect("/ws") as first:
            opening(first)
            with client.websocket_connect("/ws") as second:
                err = second.receive_json()
                assert err["type"] == "error" and "maximum of 1" in err["message"]
                with pytest.raises(WebSocketDisconnect) as info:
                    second.receive_json()
                assert info.value.code == 1013
            first.send_json({"type": "ping", "id": 1})  # the first one is unaffected
            assert first.receive_json()["type"] == "pong"
        assert app.state.manager.sessions == {}
        with client.websocket_connect("/ws") as again:  # the slot is free again
            opening(again)


def test_idle_timeout_closes_with_1001():
    app = create_app(idle_timeout=0.3)
    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        hello, _, _ = opening(ws)
        assert hello["limits"]["idle_timeout_s"] == 0.3
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
        assert info.value.code == 1001


def test_static_page(client):
    if not (STATIC_DIR / "index.html").is_file():
        pytest.skip("the page (src/gradlab/playground/static/index.html) is not committed yet")
    response = client.get("/")
    assert response.status_code == 200 and "<html" in response.text.lower()
    assert client.get("/static/index.html").status_code == 200


def test_missing_page_is_a_404(tmp_path):
    with TestClient(create_app(static_dir=tmp_path)) as c:
        response = c.get("/")
    assert response.status_code == 404 and "index.html" in response.text


# -- the command ----------------------------------------------------------------------------------
def test_cli_registered(capsys):
    assert main(["playground", "--help"]) == 0
    assert "--max-sessions" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("192.168.1.4", False), ("example.org", False)],
)  # fmt: skip
def test_is_loopback(host, loopback):
    assert cli_playground.is_loopback(host) is loopback


def test_cli_runs_uvicorn(monkeypatch, capsys):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    assert main(["playground", "--port", "8765", "--max-sessions", "3"]) == 0
    out = capsys.readouterr()
    assert "http://127.0.0.1:8765/" in out.out and "warning" not in out.err
    kw = calls[0]
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8765
    assert kw["ws_max_size"] == WS_MAX_SIZE and kw["log_level"] == "warning"
    assert WS_MAX_SIZE == 16 * LIMITS["max_message_bytes"]
    assert main(["playground", "--host", "0.0.0.0"]) == 0
    assert "reachable from the network" in capsys.readouterr().err
    assert calls[1]["host"] == "0.0.0.0"


def test_cli_usage_errors(monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    assert main(["playground", "--port", "0"]) == 2
    assert main(["playground", "--max-sessions", "0"]) == 2
    assert main(["playground", "--idle-timeout", "-1"]) == 2


def test_real_server_answers_oversized_frames_and_refuses_huge_ones():
    """Under uvicorn (as ``gradlab playground`` runs it): a frame over the message limit gets an
    ``error`` and the session goes on; a frame over ``WS_MAX_SIZE`` closes only that socket."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    def receive(ws, kind):  # skip the data/state messages that follow hello
        while (msg := json.loads(ws.recv(timeout=30)))["type"] != kind:
            pass
        return msg

    with BackgroundServer(max_sessions=2) as server:
        ws_url = f"ws://127.0.0.1:{server.port}/ws"
        with connect(ws_url, max_size=None) as ws:
            assert json.loads(ws.recv(timeout=30))["type"] == "hello"
            pad = "x" * (2 * LIMITS["max_message_bytes"])
            ws.send(json.dumps({"type": "ping", "id": 1, "pad": pad}))
            assert "at most" in receive(ws, "error")["message"]
            ws.send(json.dumps({"type": "ping", "id": 2}))
            assert receive(ws, "pong")["id"] == 2
        with connect(ws_url, max_size=None) as ws:
            ws.recv(timeout=30)
            ws.send("x" * (WS_MAX_SIZE + 1))
            with pytest.raises(ConnectionClosed) as closed:
                for _ in range(100):  # the data and state that followed hello, then the close
                    ws.recv(timeout=30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        with connect(ws_url, max_size=None) as ws:  # the server still serves new pages
            assert json.loads(ws.recv(timeout=30))["type"] == "hello"
