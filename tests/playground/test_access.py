"""The access token of a playground reachable from the network (``--host 0.0.0.0``).

Without it: ``403`` and a plain-text reason (HTTP), 1008 and the reason (WebSocket). With
``?token=``: served, and the cookie set, so that the page's own requests need nothing more.
Loopback servers ask for none unless given one. The token never shows in a log or an error.
"""

from __future__ import annotations

import logging
import re
import warnings

import pytest
from starlette.websockets import WebSocketDisconnect

with warnings.catch_warnings():  # starlette 1.x prefers httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from gradlab.cli import main
from gradlab.playground import access
from gradlab.playground.access import (
    TOKEN_COOKIE,
    AccessPolicy,
    check_token,
    lan_address,
    needs_token,
    new_token,
)
from gradlab.playground.server import create_app

ORIGIN = "http://127.0.0.1:8000"
WS_URL = "ws://127.0.0.1:8000/ws"
TOKEN = "s3cret-Token_value~1.x"
CSS = "/static/playground.css"


@pytest.fixture
def client():
    app = create_app(host="0.0.0.0", token=TOKEN, max_sessions=2, workers=0)
    with TestClient(app, base_url=ORIGIN) as c:
        yield c


def ws_refused(client: TestClient, url: str = WS_URL, **headers: str) -> WebSocketDisconnect:
    """Open a WebSocket the server should refuse; return the close it got."""
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect(url, headers={"origin": ORIGIN, **headers}) as ws,
    ):
        ws.receive_json()
    return info.value


def test_new_tokens_are_random_and_url_safe():
    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", t) for t in tokens)
    assert all(check_token(t) == t for t in tokens)


@pytest.mark.parametrize("bad", ["abc", "a b cd", "tok/en", "x" * 129, "토큰토큰", ""])
def test_bad_tokens_are_refused_without_being_repeated(bad):
    with pytest.raises(ValueError, match="4 to 128 characters") as info:
        check_token(bad)
    assert bad not in str(info.value) or bad == ""
    with pytest.raises(ValueError):
        create_app(token=bad)


@pytest.mark.parametrize(
    ("host", "needed"),
    [("127.0.0.1", False), ("::1", False), ("localhost", False), ("0.0.0.0", True),
     ("::", True), ("10.0.0.5", True), ("teacher.example", True)],
)  # fmt: skip
def test_which_servers_need_a_token(host, needed):
    assert needs_token(host) is needed
    assert (create_app(host=host).state.access.token is not None) is needed


def test_without_the_token_http_gets_403_with_a_reason(client):
    response = client.get("/")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/plain")
    assert "access token is required" in response.text
    assert "gradlab playground" in response.text
    assert "set-cookie" not in response.headers
    for path in (CSS, "/i18n/ko.json", "/static/index.html"):
        assert client.get(path).status_code == 403
    wrong = client.get("/?token=not-the-token")
    assert wrong.status_code == 403 and "not the server's access token" in wrong.text
    assert "not-the-token" not in wrong.text
    assert client.get(CSS, headers={"cookie": f"{TOKEN_COOKIE}=nope"}).status_code == 403


def test_the_token_in_the_address_sets_the_cookie_then_the_cookie_is_enough(client):
    response = client.get(f"/?token={TOKEN}")
    assert response.status_code in (200, 404)  # 404: the page is not installed
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}={TOKEN};")
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= {p.strip() for p in cookie.split(";")}
    # the page's own requests: the browser sends the cookie, not the query
    assert client.cookies.get(TOKEN_COOKIE) == TOKEN
    assert client.get(CSS).status_code == 200
    assert "set-cookie" not in client.get(CSS).headers  # already set: not again
    client.cookies.clear()
    assert client.get(CSS).status_code == 403
    # another app's malformed cookie beside ours (cookies ignore ports) does not hide it
    assert (
        client.get(CSS, headers={"cookie": f'a="b; {TOKEN_COOKIE}={TOKEN}; c'}).status_code == 200
    )


def test_websocket_needs_the_token_too(client):
    closed = ws_refused(client)
    assert closed.code == 1008 and "access token is required" in closed.reason
    assert len(closed.reason.encode()) <= 123
    closed = ws_refused(client, WS_URL + "?token=wrong-one")
    assert closed.code == 1008 and "wrong-one" not in closed.reason
    assert client.app.state.manager.sessions == {}  # no session was made
    for url, headers in (
        (f"{WS_URL}?token={TOKEN}", {}),
        (WS_URL, {"cookie": f"{TOKEN_COOKIE}={TOKEN}"}),
    ):
        with client.websocket_connect(url, headers={"origin": ORIGIN, **headers}) as ws:
            assert ws.receive_json()["type"] == "hello"


def test_refusals_speak_the_pages_language(client):
    from gradlab.i18n import _, use_language

    with use_language("ko"):
        korean = _("an access token is required: open the address printed by `gradlab playground`")
    assert client.get("/?lang=ko").text.strip() == korean


def test_bound_to_every_interface_ip_addresses_are_hosts_names_are_not(client):
    cookie = {"cookie": f"{TOKEN_COOKIE}={TOKEN}"}
    for host in ("192.168.1.20:8000", "10.0.0.5", "[fe80::1]:8000"):
        assert client.get(CSS, headers={"host": host, **cookie}).status_code == 200
    response = client.get(CSS, headers={"host": "rebound.example:8000", **cookie})
    assert response.status_code == 400  # DNS rebinding needs a name
    # a page loaded from the teacher's address opens its socket from that origin
    headers = {"host": "192.168.1.20:8000", "origin": "http://192.168.1.20:8000", **cookie}
    with client.websocket_connect(WS_URL, headers=headers) as ws:
        assert ws.receive_json()["type"] == "hello"
    # another address's page is still another origin
    other = {"host": "192.168.1.20:8000", "origin": "http://192.168.1.21:8000", **cookie}
    assert ws_refused(client, **other).code == 1008


def test_loopback_needs_no_token_unless_given_one():
    with TestClient(create_app(workers=0), base_url=ORIGIN) as c:
        assert c.app.state.access.token is None
        assert c.get(CSS).status_code == 200
    app = create_app(token="owl-42", workers=0)
    with TestClient(app, base_url=ORIGIN) as c:
        assert c.get(CSS).status_code == 403
        assert c.get(CSS + "?token=owl-42").status_code == 200


def test_tokens_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = access.hmac.compare_digest

    def spy(a, b):
        calls.append((type(a), type(b)))
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    policy = AccessPolicy("0.0.0.0", 8000, token=TOKEN)
    assert policy.token_error(TOKEN, None) is None
    assert policy.token_error("x" * 22, None) is not None
    assert policy.token_error(None, "\udcff bad") is not None  # any text, no exception
    assert calls and all(t == (bytes, bytes) for t in calls)


def test_the_token_never_reaches_the_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/?token=almost-" + TOKEN)
    client.get("/", headers={"cookie": f"{TOKEN_COOKIE}={TOKEN[:-1]}"})
    ws_refused(client, WS_URL + "?token=" + TOKEN[::-1])
    client.get(f"/?token={TOKEN}")
    with client.websocket_connect(f"{WS_URL}?token={TOKEN}", headers={"origin": ORIGIN}) as ws:
        ws.receive_json()
    server = [r for r in caplog.records if r.name.startswith(("gradlab", "uvicorn"))]
    text = "\n".join(r.getMessage() for r in server)  # (the test's own client logs its URLs)
    assert "refused a request from" in text  # the refusals were logged...
    assert TOKEN[5:-5] not in text and TOKEN[::-1][5:-5] not in text  # ...without tokens


def test_lan_address_is_a_network_address_or_none():
    address = lan_address()
    if address is not None:
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address)
        assert not address.startswith("127.")


# -- the command ----------------------------------------------------------------------------------
def test_cli_prints_the_addresses_with_the_token(monkeypatch, capsys):
    import uvicorn

    apps, calls = [], []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: (apps.append(app), calls.append(kw)))
    monkeypatch.setattr("gradlab.cli.playground.lan_address", lambda: "192.168.1.20")
    assert main(["playground", "--host", "0.0.0.0", "--port", "8123"]) == 0
    out, err = capsys.readouterr()
    token = apps[0].state.access.token
    assert token and re.fullmatch(r"[A-Za-z0-9_-]{22}", token)
    assert f"http://192.168.1.20:8123/?token={token}" in out
    assert f"http://127.0.0.1:8123/?token={token}" in out
    assert "firewall" in out and "8123" in out
    assert "reachable from the network" in err and token not in err
    assert calls[0]["access_log"] is False
    # a chosen token; and a second start gets a new random one
    assert main(["playground", "--host", "0.0.0.0", "--token", "owl-42"]) == 0
    assert "?token=owl-42" in capsys.readouterr().out
    assert apps[1].state.access.token == "owl-42"
    assert main(["playground", "--host", "0.0.0.0"]) == 0
    capsys.readouterr()
    assert apps[2].state.access.token not in (token, "owl-42")


def test_cli_without_a_network_address_names_the_host(monkeypatch, capsys):
    import socket

    import uvicorn

    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    monkeypatch.setattr("gradlab.cli.playground.lan_address", lambda: None)
    monkeypatch.setattr(socket, "gethostname", lambda: "teacher-laptop")
    assert main(["playground", "--host", "0.0.0.0", "--port", "8124"]) == 0
    assert "http://teacher-laptop:8124/?token=" in capsys.readouterr().out
    assert "teacher-laptop" in apps[0].state.access.hosts  # the name printed is served


def test_cli_token_on_loopback_and_bad_tokens(monkeypatch, capsys):
    import uvicorn

    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    assert main(["playground", "--port", "8125", "--token", "owl-42"]) == 0
    assert "http://127.0.0.1:8125/?token=owl-42" in capsys.readouterr().out
    assert apps[0].state.access.token == "owl-42"
    assert main(["playground", "--token", "no way!"]) == 2
    err = capsys.readouterr().err
    assert "--token" in err and "no way!" not in err
