"""The playground server over Starlette's TestClient, and the ``gradlab playground`` command."""

from __future__ import annotations

import json
import socket
import time
import warnings

import pytest
from starlette.websockets import WebSocketDisconnect

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gradlab.cli import main
from gradlab.cli import playground as cli_playground
from gradlab.playground.config import DEFAULT_CONFIG, LIMITS
from gradlab.playground.server import (
    DEFAULT_MAX_SESSIONS,
    STATIC_DIR,
    WS_MAX_SIZE,
    BackgroundServer,
    create_app,
)

#: create_app's default address; the WebSocket tests open sessions as a page served from it.
ORIGIN = "http://127.0.0.1:8000"
WS_URL = "ws://127.0.0.1:8000/ws"


def connect(client: TestClient, origin: str | None = ORIGIN, **headers: str):
    """Open ``/ws`` as a page of ``origin`` (``None``: no Origin header, like a bare script)."""
    if origin is not None:
        headers["origin"] = origin
    return client.websocket_connect(WS_URL, headers=headers)


@pytest.fixture
def client():
    with TestClient(create_app(max_sessions=4, idle_timeout=60.0, workers=1), base_url=ORIGIN) as c:
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
    with connect(client) as ws:
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
    with connect(client) as ws:
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
    with connect(client) as ws:
        opening(ws)
        ws.send_json({"type": "preset", "id": 3, "name": "xor_no_hidden"})
        cfg, data, state = ws.receive_json(), ws.receive_json(), ws.receive_json()
        assert cfg["config"]["dataset"] == "xor" and cfg["config"]["layers"] == []
        assert data["type"] == "data" and len(state["layers"]) == 1


def test_bad_messages_get_errors_and_the_socket_still_works(client):
    with connect(client) as ws:
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
    with connect(client) as ws:
        opening(ws)
        for i in (0, 1, 2**31 - 1):
            ws.send_json({"type": "ping", "id": i})
            pong = ws.receive_json()
            assert pong["type"] == "pong" and pong["id"] == i
            assert isinstance(pong["server_time"], float)
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["id"] is None


def test_step_reset_regenerate(client):
    with connect(client) as ws:
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
    with connect(client) as ws:
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
    with connect(client) as ws:
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
    app = create_app(max_sessions=1, idle_timeout=60.0, workers=1)
    with TestClient(app, base_url=ORIGIN) as client:
        with connect(client) as first:
            opening(first)
            with connect(client) as second:
                err = second.receive_json()
                assert err["type"] == "error" and "maximum of 1" in err["message"]
                with pytest.raises(WebSocketDisconnect) as info:
                    second.receive_json()
                assert info.value.code == 1013
            first.send_json({"type": "ping", "id": 1})  # the first one is unaffected
            assert first.receive_json()["type"] == "pong"
        assert app.state.manager.sessions == {}
        with connect(client) as again:  # the slot is free again
            opening(again)


def test_idle_timeout_closes_with_1001():
    app = create_app(idle_timeout=0.3, workers=1)
    with TestClient(app, base_url=ORIGIN) as client, connect(client) as ws:
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
    with TestClient(create_app(static_dir=tmp_path, workers=0), base_url=ORIGIN) as c:
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

    calls, apps = [], []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: (apps.append(app), calls.append(kw)))
    assert main(["playground", "--port", "8765", "--max-sessions", "3", "--workers", "2"]) == 0
    out = capsys.readouterr()
    assert "http://127.0.0.1:8765/ " in out.out and "warning" not in out.err
    assert "token" not in out.out  # loopback: no token asked
    kw = calls[0]
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8765
    assert kw["ws_max_size"] == WS_MAX_SIZE and kw["log_level"] == "warning"
    assert kw["access_log"] is False  # a request line can carry ?token=
    assert WS_MAX_SIZE == 16 * LIMITS["max_message_bytes"]
    manager = apps[0].state.manager
    assert manager.max_sessions == 3 and manager.pool.size == 2
    assert apps[0].state.access.token is None
    assert main(["playground", "--host", "0.0.0.0"]) == 0
    assert "reachable from the network" in capsys.readouterr().err
    assert calls[1]["host"] == "0.0.0.0"
    assert apps[1].state.manager.max_sessions == DEFAULT_MAX_SESSIONS == 40
    assert main(["playground", "--workers", "0"]) == 0
    assert apps[2].state.manager.pool.size == 0


def test_cli_usage_errors(monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    assert main(["playground", "--port", "0"]) == 2
    assert main(["playground", "--max-sessions", "0"]) == 2
    assert main(["playground", "--idle-timeout", "-1"]) == 2
    assert main(["playground", "--workers", "-1"]) == 2


def test_real_server_answers_oversized_frames_and_refuses_huge_ones():
    """Under uvicorn (as ``gradlab playground`` runs it): a frame over the message limit gets an
    ``error`` and the session goes on; a frame over ``WS_MAX_SIZE`` closes only that socket."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    def receive(ws, kind):  # skip the data/state messages that follow hello
        while (msg := json.loads(ws.recv(timeout=30)))["type"] != kind:
            pass
        return msg

    with BackgroundServer(max_sessions=2, workers=1) as server:
        ws_url = f"ws://127.0.0.1:{server.port}/ws"
        with connect(ws_url, origin=server.origin, max_size=None) as ws:
            assert json.loads(ws.recv(timeout=30))["type"] == "hello"
            pad = "x" * (2 * LIMITS["max_message_bytes"])
            ws.send(json.dumps({"type": "ping", "id": 1, "pad": pad}))
            assert "at most" in receive(ws, "error")["message"]
            ws.send(json.dumps({"type": "ping", "id": 2}))
            assert receive(ws, "pong")["id"] == 2
        with connect(ws_url, origin=server.origin, max_size=None) as ws:
            ws.recv(timeout=30)
            ws.send("x" * (WS_MAX_SIZE + 1))
            with pytest.raises(ConnectionClosed) as closed:
                for _ in range(100):  # the data and state that followed hello, then the close
                    ws.recv(timeout=30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        # the server still serves new pages
        with connect(ws_url, origin=server.origin, max_size=None) as ws:
            assert json.loads(ws.recv(timeout=30))["type"] == "hello"


# -- access: Host on every request, Origin on the WebSocket ---------------------------------------
def refused(ws_context) -> WebSocketDisconnect:
    """Open a WebSocket the server should refuse by origin; return the close it got."""
    with pytest.raises(WebSocketDisconnect) as info, ws_context as ws:
        ws.receive_json()
    return info.value


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"])
def test_loopback_names_are_served(client, host):
    assert client.get("/static/playground.css", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:8000", "10.0.0.5:8000", "127.0.0.1:99999", "a b"]
)
def test_foreign_host_gets_a_short_400(client, host):
    """DNS rebinding: a page whose name now points at 127.0.0.1 sends its own name as Host."""
    response = client.get("/", headers={"host": host})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert host.split(":")[0] in text and len(text) < 300
    assert "Traceback" not in text and str(STATIC_DIR) not in text and "gradlab/" not in text
    if host.startswith("attacker"):
        assert "--allow-origin http://attacker.example" in text


def test_websocket_handshake_with_foreign_host_is_not_upgraded(client):
    from starlette.testclient import WebSocketDenialResponse

    with (
        pytest.raises(WebSocketDenialResponse) as info,
        connect(client, origin="http://attacker.example", host="attacker.example"),
    ):
        pass
    assert info.value.status_code == 400 and b"attacker.example" in info.value.content
    assert client.app.state.manager.sessions == {}


HANDSHAKE = (
    "GET /ws HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n"
)


def test_real_server_refuses_foreign_hosts_and_origins():
    """Under uvicorn: a rebound name's handshake gets 400 (not 101), a foreign page's socket
    is closed with 1008 and a reason, the page's own origin gets its session."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect as ws_connect

    with BackgroundServer(max_sessions=1, workers=1) as server:
        manager = server.app.state.manager
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(
                HANDSHAKE.format(host="attacker.example", origin="http://attacker.example").encode()
            )
            data, _ = _read_until_closed(sock, 10.0)
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400") and b"attacker.example" in body
        assert b"Traceback" not in data and b"/ws" not in body
        url = f"ws://127.0.0.1:{server.port}/ws"
        reasons = []
        for origin in ("http://evil.example", None):
            with pytest.raises(ConnectionClosed) as closed, ws_connect(url, origin=origin) as ws:
                ws.recv(timeout=30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
            reasons.append(closed.value.rcvd.reason)
        assert "--allow-origin http://evil.example" in reasons[0]
        assert "no Origin header" in reasons[1]
        assert manager.sessions == {}
        with ws_connect(url, origin=server.origin) as ws:
            assert json.loads(ws.recv(timeout=30))["type"] == "hello"
            assert len(manager.sessions) == 1


@pytest.mark.parametrize(
    ("origin", "shown"),
    [
        ("http://evil.example", "--allow-origin http://evil.example"),
        ("http://127.0.0.1:9999", "--allow-origin http://127.0.0.1:9999"),  # another local page
        ("https://127.0.0.1:8000", "--allow-origin https://127.0.0.1:8000"),
        ("null", "origin null is not allowed"),  # a sandboxed frame, a file: page
        (None, "no Origin header; send the page's origin (http://127.0.0.1:8000)"),
    ],
)
def test_foreign_null_and_missing_origins_are_refused_with_1008(client, caplog, origin, shown):
    close = refused(connect(client, origin=origin))
    assert close.code == 1008 and shown in close.reason
    assert len(close.reason.encode()) <= 123  # fits a close frame
    assert client.app.state.manager.sessions == {}
    assert [r.levelname for r in caplog.records] == ["WARNING"]  # one line, no traceback


def test_long_origin_reason_still_fits_a_close_frame(client):
    close = refused(connect(client, origin="http://" + "a" * 3000 + ".example"))
    assert close.code == 1008 and "not allowed" in close.reason
    assert len(close.reason.encode()) <= 123


@pytest.mark.parametrize(
    "origin", [ORIGIN, "http://localhost:8000", "http://[::1]:8000", "HTTP://LocalHost:8000"]
)
def test_own_origin_and_its_loopback_aliases_connect(client, origin):
    with connect(client, origin=origin) as ws:
        hello, _, _ = opening(ws)
        assert hello["type"] == "hello"


def test_own_origin_through_a_port_forward():
    """``ssh -L 9000:localhost:8000``: the page is http://localhost:9000, and so is its socket."""
    with TestClient(create_app(workers=1), base_url="http://localhost:9000") as c:
        with connect(c, origin="http://localhost:9000", host="localhost:9000") as ws:
            opening(ws)
        close = refused(connect(c, origin="http://localhost:9001", host="localhost:9000"))
        assert close.code == 1008


def test_foreign_pages_cannot_take_the_session_slots(caplog):
    """The red-team case: a foreign page opened more sockets than there are slots."""
    app = create_app(max_sessions=2, idle_timeout=60.0, workers=1)
    with TestClient(app, base_url=ORIGIN) as c:
        for _ in range(5):
            assert refused(connect(c, origin="http://evil.example")).code == 1008
        assert app.state.manager.sessions == {}
        with connect(c) as first, connect(c) as second:
            opening(first)
            opening(second)
            assert len(app.state.manager.sessions) == 2
    assert len(caplog.records) == 1  # the log names a refused origin once


def test_allow_origin_adds_the_origin_and_its_host():
    app = create_app(
        host="0.0.0.0",
        allow_origins=["http://10.0.0.5:8000", "https://lab.example"],
        token="class-token",
        workers=1,
    )
    cookie = {"cookie": "gradlab_token=class-token"}
    with TestClient(app, base_url="http://10.0.0.5:8000") as c:
        assert c.get("/static/playground.css", headers=cookie).status_code == 200
        assert c.get("/", headers={"host": "lab.example", **cookie}).status_code in (200, 404)
        with connect(c, origin="http://10.0.0.5:8000", host="10.0.0.5:8000", **cookie) as ws:
            opening(ws)
        with connect(c, origin="https://lab.example", host="127.0.0.1:8000", **cookie) as ws:
            opening(ws)
        assert refused(connect(c, origin="http://10.0.0.6:8000", **cookie)).code == 1008
        # bound to every interface, any IP address is a host (no DNS name, no rebinding)...
        assert c.get("/", headers={"host": "10.0.0.6:8000", **cookie}).status_code in (200, 404)
        # ... but another name must be named
        response = c.get("/", headers={"host": "lab2.example:8000", **cookie})
        assert response.status_code == 400
        assert "--allow-origin http://lab2.example:8000" in response.text


def test_bound_address_decides_the_names():
    from gradlab.playground.access import AccessPolicy

    wildcard = AccessPolicy("0.0.0.0", 8000)
    assert wildcard.hosts == {"127.0.0.1", "localhost", "::1"}
    assert wildcard.host_error("10.0.0.5:8000") is None  # an address: what students type
    assert wildcard.host_error("[fe80::1]:8000") is None
    assert wildcard.host_error("teacher.example:8000") is not None  # a name: rebinding
    one = AccessPolicy("10.0.0.5", 8000)
    assert one.hosts == {"10.0.0.5"} and one.origins == {"http://10.0.0.5:8000"}
    assert one.host_error("127.0.0.1:8000") is not None
    v6 = AccessPolicy("::1", 80)
    assert "http://[::1]" in v6.origins and "http://localhost" in v6.origins
    assert v6.origin_error("http://[::1]", "[::1]") is None
    assert "no Host header" in (v6.host_error(None) or "")


@pytest.mark.parametrize(
    ("origin", "normal"),
    [("http://10.0.0.5:8000", "http://10.0.0.5:8000"), ("HTTP://Lab.Example:80/", "http://lab.example"),
     ("https://lab.example:443", "https://lab.example"), ("http://[::1]:8000", "http://[::1]:8000")],
)  # fmt: skip
def test_normalize_origin(origin, normal):
    from gradlab.playground.access import normalize_origin

    assert normalize_origin(origin) == normal


@pytest.mark.parametrize(
    "origin", ["null", "10.0.0.5:8000", "ftp://x", "http://x/path", "http://u@x", "http://x:99999"]
)
def test_bad_allowed_origins_are_refused_clearly(origin, capsys):
    from gradlab.playground.access import normalize_origin

    with pytest.raises(ValueError, match="origin") as info:
        normalize_origin(origin)
    assert "received" in str(info.value)
    with pytest.raises(ValueError):
        create_app(allow_origins=[origin])
    assert main(["playground", "--allow-origin", origin]) == 2
    assert "--allow-origin" in capsys.readouterr().err


def test_cli_allow_origin(monkeypatch, capsys):
    import uvicorn

    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    argv = ["playground", "--port", "8001", "--allow-origin", "http://10.0.0.5:8001"]
    assert main([*argv, "--allow-origin", "https://lab.example"]) == 0
    policy = apps[0].state.access
    expected = {"http://10.0.0.5:8001", "https://lab.example", "http://127.0.0.1:8001"}
    assert expected <= policy.origins
    assert policy.port == 8001 and "10.0.0.5" in policy.hosts
    assert main(["playground", "--host", "0.0.0.0", "--allow-origin", "http://lab.example"]) == 0
    assert "lab.example" in apps[1].state.access.hosts


# -- parser bounds over the socket ----------------------------------------------------------------
def test_deeply_nested_message_gets_an_error_and_keeps_the_session(client, caplog):
    with connect(client) as ws:
        opening(ws)
        ws.send_json({"type": "config", "id": 1, "config": {"learning_rate": 0.1}})
        until(ws, lambda m: m["type"] == "state" and m["id"] == 1)
        deep = '{"type": "config", "id": 2, "config": ' + "[" * 20000 + "]" * 20000 + "}"
        assert len(deep.encode()) < LIMITS["max_message_bytes"]
        ws.send_text(deep)
        err = ws.receive_json()
        assert err["type"] == "error" and "16 levels" in err["message"]
        ws.send_json({"type": "snapshot", "id": 3})
        state = ws.receive_json()
        assert (state["type"], state["id"]) == ("state", 3)
    assert caplog.records == []
    with connect(client) as ws:  # and the server's config of the earlier session was its own
        hello, _, _ = opening(ws)
        assert hello["config"]["learning_rate"] == DEFAULT_CONFIG["learning_rate"]


# -- idle rule ------------------------------------------------------------------------------------
def test_limits_tell_the_page_how_often_to_ping():
    with (
        TestClient(create_app(idle_timeout=30.0, workers=1), base_url=ORIGIN) as c,
        connect(c) as ws,
    ):
        hello, _, _ = opening(ws)
    assert hello["limits"]["keepalive_s"] == 10.0
    with TestClient(create_app(workers=1), base_url=ORIGIN) as c, connect(c) as ws:
        hello, _, _ = opening(ws)
    assert hello["limits"]["keepalive_s"] == 60.0  # 900 s idle: a ping a minute


def test_a_pinging_page_keeps_a_playing_session_past_the_idle_timeout():
    idle = 1.0
    app = create_app(idle_timeout=idle, workers=1)
    with TestClient(app, base_url=ORIGIN) as c, connect(c) as ws:
        hello, _, _ = opening(ws)
        ws.send_json({"type": "play"})
        keepalive, pongs, states = hello["limits"]["keepalive_s"], 0, 0
        deadline = time.monotonic() + 3 * idle
        next_ping = time.monotonic()
        while time.monotonic() < deadline:
            if time.monotonic() >= next_ping:
                ws.send_json({"type": "ping"})
                next_ping += keepalive
            msg = ws.receive_json()
            pongs += msg["type"] == "pong"
            states += msg["type"] == "state"
        assert pongs >= 3 and states >= 1
        ws.send_json({"type": "pause", "id": 9})
        until(ws, lambda m: m.get("id") == 9)


# -- transport: request-head deadline, WebSocket pings --------------------------------------------
def _read_until_closed(sock: socket.socket, limit_s: float) -> tuple[bytes, float]:
    """Read until the server closes ``sock``; return what came and how long it took."""
    start, data = time.monotonic(), b""
    sock.settimeout(limit_s)
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data, time.monotonic() - start
        data += chunk


def test_unfinished_request_head_is_closed_within_the_deadline():
    """Slowloris: a client that never finishes its headers is answered 408 and dropped."""
    with BackgroundServer(head_timeout=0.5, workers=0) as server:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            data, waited = _read_until_closed(sock, 10.0)
        assert data.startswith(b"HTTP/1.1 408") and b"not complete within 0.5 s" in data
        assert 0.3 < waited < 5.0
        with socket.create_connection(("127.0.0.1", server.port)) as sock:  # silent client
            data, waited = _read_until_closed(sock, 10.0)
        assert data == b"" and waited < 5.0
        with socket.create_connection(("127.0.0.1", server.port)) as sock:  # keep-alive, then slow
            sock.sendall(b"GET /static/colors.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET / HT")
            data, waited = _read_until_closed(sock, 10.0)
        assert data.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in data and waited < 5.0


def test_websocket_outlives_the_head_deadline():
    from websockets.sync.client import connect as ws_connect

    with BackgroundServer(head_timeout=0.3, workers=1) as server:
        with ws_connect(f"ws://127.0.0.1:{server.port}/ws", origin=server.origin) as ws:
            for _ in range(3):
                ws.recv(timeout=30)
            time.sleep(1.0)
            ws.send(json.dumps({"type": "ping", "id": 5}))
            assert json.loads(ws.recv(timeout=30)) == {
                "type": "pong",
                "id": 5,
                "server_time": pytest.approx(time.time(), abs=30),
            }


def test_uvicorn_options():
    from gradlab.playground.server import HEAD_TIMEOUT_S, HeadTimeoutH11Protocol, uvicorn_options

    opts = uvicorn_options()
    assert opts["http"] is HeadTimeoutH11Protocol and HeadTimeoutH11Protocol.head_timeout == 10
    assert opts["ws_ping_interval"] == opts["ws_ping_timeout"] == 20.0
    assert uvicorn_options(2.5)["http"].head_timeout == 2.5 and HEAD_TIMEOUT_S == 10.0
    with pytest.raises(ValueError, match="head_timeout"):
        uvicorn_options(0)
