"""End-to-end tests of the playground page: the real server, the page in the system Chromium.

The module is skipped when Playwright or /usr/bin/chromium is missing, unless
GRADLAB_REQUIRE_BROWSER=1 (as in CI): then that is a failure.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS

VIEWPORT = {"width": 1400, "height": 900}


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}"
    return None


_REASON = _missing()
if _REASON is not None:
    if os.environ.get("GRADLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GRADLAB_REQUIRE_BROWSER=1 but {_REASON}", pytrace=False)
    pytest.skip(f"end-to-end playground tests need a browser: {_REASON}", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from gradlab.playground.config import hidden_activations  # noqa: E402
from gradlab.playground.server import BackgroundServer  # noqa: E402

#: Generous limit for anything that waits on training (2 shared CPU cores in CI).
TRAIN_TIMEOUT_MS = 180_000
UI_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(max_sessions=8) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Console:
    """Console errors and uncaught exceptions of a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


@pytest.fixture
def page(browser: Any, server: BackgroundServer, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(UI_TIMEOUT_MS)
    pg.console = Console(pg)  # type: ignore[attr-defined]
    yield pg
    pg.screenshot(path=str(tmp_path / "final.png"), full_page=True)
    context.close()
    assert pg.console.errors == [], pg.console.errors  # type: ignore[attr-defined]


def open_page(page: Page, server: BackgroundServer, hash_config: dict | None = None) -> None:
    """Load the page (optionally with a config in the hash) and wait for the first state."""
    url = server.url
    if hash_config is not None:
        url += "#" + urllib.parse.quote(json.dumps(hash_config, separators=(",", ":")))
    page.goto(url)
    page.wait_for_function("() => window.__playground && window.__playground.state")


def pg_config(page: Page) -> dict:
    return page.evaluate("() => window.__playground.config")


def wait_config(page: Page, predicate_js: str) -> None:
    """Wait until the config in force (from the server) satisfies a JS expression of `c`."""
    js = f"() => {{ const c = window.__playground.config; return {predicate_js}; }}"
    page.wait_for_function(js)


def displayed_loss(page: Page, which: str) -> float:
    text = page.text_content(f"#{which}-loss") or ""
    try:
        return float(text)
    except ValueError:
        return float("inf")


# -- tests ----------------------------------------------------------------------------------------
def test_page_loads_with_every_option(page: Page, server: BackgroundServer, tmp_path: Path) -> None:
    open_page(page, server)
    page.screenshot(path=str(tmp_path / "loaded.png"))
    assert page.get_attribute("body", "data-connected") == "1"
    options = page.evaluate("() => window.__playground.options")

    # every element-wise gradlab activation, in every layer's select, none hard-coded
    expected = hidden_activations()
    assert {"relu", "tanh", "sigmoid", "gelu", "softplus", "elu"} <= set(expected)
    assert "softmax" not in expected
    selects = page.locator(".ncol.layer select.act")
    assert selects.count() == len(pg_config(page)["layers"]) == 2
    for i in range(selects.count()):
        values = selects.nth(i).locator("option").evaluate_all("os => os.map(o => o.value)")
        assert values == expected
    # the other lists come from the hello message too
    opt_values = page.locator("#optimizer option").evaluate_all("os => os.map(o => o.value)")
    assert opt_values == list(options["optimizers"])
    assert set(opt_values) >= {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
    inits = page.locator("#initializer option").evaluate_all("os => os.map(o => o.value)")
    assert inits == options["initializers"] and "glorot_uniform" in inits
    presets = page.locator("#preset option").evaluate_all("os => os.map(o => o.value)")
    assert presets[1:] == [p["name"] for p in options["presets"]]
    assert page.locator(".dataset").count() == len(options["datasets"])
    assert page.locator(".fnode").count() == len(options["features"]) == 7
    # the network shows units with heatmaps, links, and the decision surface
    assert page.locator(".ncol.layer .node").count() == 4 + 2
    assert page.locator("#links path.link").count() == 2 * 4 + 4 * 2 + 2 * 1
    assert page.text_content("#problem") == "Classification"
    assert re.fullmatch(r"\d\.\d{3}", page.text_content("#train-loss") or "")
    # every control explains itself
    untitled = page.evaluate(
        """() => [...document.querySelectorAll('button, select, input')]
              .filter(e => !e.title && !(e.closest('[title]')) && e.offsetParent !== null)
              .map(e => e.id || e.outerHTML.slice(0, 60))"""
    )
    assert untitled == []


def test_xor_trains_to_low_loss(page: Page, server: BackgroundServer, tmp_path: Path) -> None:
    open_page(page, server)
    page.select_option("#preset", "xor_hidden")
    wait_config(page, "c.dataset === 'xor' && c.layers.length === 1")
    assert page.locator(".ncol.layer .node").count() == 8
    page.click("#play")
    page.wait_for_function(
        "() => { const t = parseFloat(document.getElementById('train-loss').textContent);"
        " return t < 0.1; }",
        timeout=TRAIN_TIMEOUT_MS,
        polling=250,
    )
    page.click("#play")  # pause
    page.wait_for_function("() => window.__playground.state.running === false")
    page.screenshot(path=str(tmp_path / "xor.png"))
    # a last update may come after the one that went under 0.1; it is still far below 0.69
    assert displayed_loss(page, "train") < 0.25
    assert int(page.get_attribute("body", "data-epoch") or 0) > 0
    # the loss history was charted, the decision surface drawn
    assert page.evaluate("() => window.__playground.counts.lossPoints") > 1


def test_activation_optimizer_and_features_through_the_ui(
    page: Page, server: BackgroundServer
) -> None:
    open_page(page, server)
    # a layer's activation
    page.locator('.ncol.layer[data-layer="1"] select.act').select_option("relu")
    wait_config(page, "c.layers[1].activation === 'relu'")
    assert pg_config(page)["layers"][0]["activation"] == "tanh"
    assert "relu" in urllib.parse.unquote(page.evaluate("() => location.hash"))
    assert page.evaluate("() => window.__playground.state.layers[1].activation") == "relu"
    # the optimizer, then one of its hyperparameters
    page.select_option("#optimizer", "adam")
    wait_config(page, "c.optimizer.name === 'adam'")
    assert page.input_value("#opt-beta1") == "0.9"
    page.fill("#opt-beta1", "0.8")
    page.press("#opt-beta1", "Enter")
    wait_config(page, "c.optimizer.beta1 === 0.8")
    assert pg_config(page)["optimizer"]["name"] == "adam"
    # a feature, a layer, a unit
    page.click('.fnode[data-feature="x1sq"]')
    wait_config(page, "c.features.includes('x1sq')")
    page.click("#add-layer")
    wait_config(page, "c.layers.length === 3")
    page.locator('.ncol.layer[data-layer="0"] button.pm').first.click()  # + unit
    wait_config(page, "c.layers[0].units === 5")
    page.wait_for_function("() => document.querySelectorAll('.ncol.layer .node').length === 5+2+2")
    # links: 3 inputs x 5, 5 x 2, 2 x 2, 2 x 1
    assert page.locator("#links path.link").count() == 15 + 10 + 4 + 2
    # the engine's knobs
    page.check("#batchnorm")
    wait_config(page, "c.batchnorm === true")
    page.check("#clip_on")
    wait_config(page, "c.clip_norm === 1")
    page.select_option("#regularization", "l2")
    wait_config(page, "c.regularization === 'l2'")
    assert page.is_enabled("#reg_rate")


def test_gradient_flow_chart_gets_points(page: Page, server: BackgroundServer) -> None:
    open_page(page, server)
    chart = page.locator("#grad-chart")
    n0 = int(chart.get_attribute("data-points") or 0)
    n_layers = len(pg_config(page)["layers"]) + 1  # hidden layers and the output layer
    for i in range(3):
        page.click("#step")
        page.wait_for_function(f"() => window.__playground.state.epoch === {i + 1}")
    page.wait_for_function(
        f"() => Number(document.getElementById('grad-chart').dataset.points) >= {n0 + 3 * n_layers}"
    )
    hist = page.evaluate("() => window.__playground.history.grads")
    assert len(hist) == n_layers
    assert all(len(series) >= 3 for series in hist)
    assert all(v > 0 for series in hist for v in series)
    # one legend entry per layer
    assert page.locator("#grad-legend span").count() == n_layers
    # playing adds more points
    page.click("#play")
    more = (3 + 5) * n_layers
    page.wait_for_function(
        f"() => Number(document.getElementById('grad-chart').dataset.points) > {more}",
        timeout=TRAIN_TIMEOUT_MS,
    )
    page.click("#play")


def test_url_hash_round_trip(page: Page, server: BackgroundServer, browser: Any) -> None:
    shared = {
        "dataset": "spiral",
        "classes": 3,
        "learning_rate": 0.1,
        "layers": [{"units": 3, "activation": "relu"}, {"units": 5, "activation": "elu"}],
        "optimizer": {"name": "rmsprop", "alpha": 0.95},
        "features": ["x1", "x2", "sinx1"],
        "regularization": "l1",
        "reg_rate": 0.001,
        "noise": 10,
        "batchnorm": True,
    }
    open_page(page, server, shared)
    wait_config(page, "c.dataset === 'spiral' && c.layers.length === 2")
    # the controls show the shared setup
    assert page.input_value("#learning_rate") == "0.1"
    assert page.locator('.ncol.layer[data-layer="0"] select.act').input_value() == "relu"
    assert page.locator('.ncol.layer[data-layer="1"] select.act').input_value() == "elu"
    assert page.locator('.ncol.layer[data-layer="1"] .node').count() == 5
    assert page.input_value("#optimizer") == "rmsprop"
    assert page.input_value("#opt-alpha") == "0.95"
    assert page.input_value("#regularization") == "l1"
    assert page.input_value("#reg_rate") == "0.001"
    assert page.input_value("#noise") == "10"
    assert page.is_checked("#batchnorm")
    assert page.get_attribute('.dataset[data-dataset="spiral"]', "class") == "dataset selected"
    assert page.locator("#classes .segbtn.selected").text_content() == "3"
    active = page.locator(".fnode:not(.off)")
    assert active.evaluate_all("ns => ns.map(n => n.dataset.feature)") == ["x1", "x2", "sinx1"]
    assert page.locator(".onode").count() == 3  # softmax over 3 classes
    # the server's config is the shared one, and the page's address still describes it
    cfg = pg_config(page)
    for key, value in shared.items():
        if key == "optimizer":
            assert cfg[key]["name"] == "rmsprop" and cfg[key]["alpha"] == 0.95
        else:
            assert cfg[key] == value, key
    hash_now = json.loads(urllib.parse.unquote(page.evaluate("() => location.hash")[1:]))
    assert hash_now["layers"] == shared["layers"]
    # a changed control updates the address; a new tab with that address reproduces it
    page.fill("#learning_rate", "0.3")
    page.press("#learning_rate", "Enter")
    wait_config(page, "c.learning_rate === 0.3")
    url = page.url
    assert "learning_rate" in urllib.parse.unquote(url)
    other = page.context.new_page()
    other.goto(url)
    other.wait_for_function(
        "() => window.__playground && window.__playground.config"
        " && window.__playground.config.learning_rate === 0.3"
        " && window.__playground.config.dataset === 'spiral'"
    )
    assert other.input_value("#learning_rate") == "0.3"
    other.close()


def test_bad_value_shows_the_server_error(
    page: Page, server: BackgroundServer, tmp_path: Path
) -> None:
    open_page(page, server)
    page.fill("#learning_rate", "99")
    page.press("#learning_rate", "Enter")
    toast = page.locator(".toast.error").last
    toast.wait_for()
    text = toast.text_content() or ""
    assert "learning_rate" in text and "99" in text
    page.screenshot(path=str(tmp_path / "error.png"))
    errors = page.evaluate("() => window.__playground.errors")
    assert errors[-1]["field"] == "config.learning_rate"
    # the control shows the value in force again, and is marked
    assert page.input_value("#learning_rate") == "0.03"
    assert "invalid" in (page.get_attribute("#learning_rate", "class") or "")
    assert pg_config(page)["learning_rate"] == 0.03
    # the page keeps working: a step trains, a good value is accepted
    page.click("#step")
    page.wait_for_function("() => window.__playground.state.epoch === 1")
    page.click("#regenerate-top")  # new data, epoch 0
    page.wait_for_function("() => window.__playground.state.epoch === 0")
    page.fill("#n_samples", "50")
    page.press("#n_samples", "Enter")
    page.wait_for_function("() => window.__playground.errors.length === 2")
    assert page.evaluate("() => window.__playground.errors[1].field") == "config.n_samples"
    page.fill("#learning_rate", "0.1")
    page.press("#learning_rate", "Enter")
    wait_config(page, "c.learning_rate === 0.1")
    assert page.get_attribute("#status", "data-state") == "ok"


def test_connection_status_and_reconnect(browser: Any, tmp_path: Path) -> None:
    """The status shows a lost connection; the page reconnects and restores its config."""
    first = BackgroundServer(max_sessions=8).start()
    port = first.port
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    try:
        open_page(page, first)
        page.fill("#learning_rate", "0.1")
        page.press("#learning_rate", "Enter")
        wait_config(page, "c.learning_rate === 0.1")
        first.stop()
        page.wait_for_function("() => document.body.dataset.connected === '0'")
        assert page.get_attribute("#status", "data-state") == "closed"
        assert "disconnected" in (page.text_content("#status-text") or "")
        page.screenshot(path=str(tmp_path / "disconnected.png"))
        with BackgroundServer(port, max_sessions=8):
            # a new session, given the config kept in the address
            page.wait_for_function(
                "() => document.body.dataset.connected === '1'"
                " && window.__playground.config.learning_rate === 0.1",
                timeout=60_000,
            )
            assert page.input_value("#learning_rate") == "0.1"
            assert page.get_attribute("#status", "data-state") == "ok"
    finally:
        context.close()


def test_shared_address_cannot_inject_markup(page: Page, server: BackgroundServer) -> None:
    """A crafted address: the server rejects the value and the page shows the error as text,
    so markup echoed in the message is never parsed (no script runs)."""
    payload = '<img src=x onerror="window.__injected=1">'
    open_page(page, server, {"dataset": payload, "learning_rate": 0.3})
    page.wait_for_function("() => window.__playground.errors.length >= 1")
    error = page.evaluate("() => window.__playground.errors[0]")
    assert error["field"] == "config.dataset" and "<img" in error["message"]
    page.wait_for_selector("#toasts .toast")
    toast_text = page.text_content("#toasts") or ""
    assert "<img" in toast_text  # shown literally
    assert page.evaluate("() => document.querySelectorAll('#toasts img').length") == 0
    assert page.evaluate("() => window.__injected") is None
    assert pg_config(page)["dataset"] == "circle"  # the session kept a valid config


# -- access and idle rules ------------------------------------------------------------------------
FOREIGN_PAGE = """<!doctype html><html><body><script>
window.__result = null;
window.__messages = [];
const ws = new WebSocket('ws://127.0.0.1:%(port)d/ws');
ws.onopen = () => { window.__opened = true; };
ws.onmessage = (ev) => window.__messages.push(JSON.parse(ev.data).type);
ws.onclose = (ev) => { window.__result = { code: ev.code, reason: ev.reason }; };
</script></body></html>"""


class _ForeignSite:
    """Another web site on this machine (another port, so another origin)."""

    def __init__(self, html: str) -> None:
        body = html.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _ForeignSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_page_of_another_origin_is_refused_and_the_own_page_works(
    page: Page, server: BackgroundServer, browser: Any
) -> None:
    """A page of another site opens ws://127.0.0.1:PORT/ws: it sees close 1008 with the reason
    and never gets a session; the playground's own page connects, gets hello and trains."""
    manager = server.app.state.manager
    before = set(manager.sessions)  # (sessions of earlier tests may still be closing)
    with _ForeignSite(FOREIGN_PAGE % {"port": server.port}) as site:
        context = browser.new_context()
        try:
            foreign = context.new_page()
            foreign.goto(site.url)
            foreign.wait_for_function("() => window.__result !== null", timeout=UI_TIMEOUT_MS)
            result = foreign.evaluate("() => window.__result")
            messages = foreign.evaluate("() => window.__messages")
        finally:
            context.close()
    assert result["code"] == 1008, result
    origin = site.url.rstrip("/")
    assert f"origin {origin} is not allowed" in result["reason"]
    assert f"--allow-origin {origin}" in result["reason"]
    assert messages == []  # no hello, no data, no state
    assert set(manager.sessions) <= before  # no session was created for it
    # the playground's own page, from the server's origin
    open_page(page, server)
    session = page.evaluate("() => window.__playground.session")
    assert session in manager.sessions and session not in before
    page.click("#step")
    page.wait_for_function("() => window.__playground.state.epoch === 1")
    # a refusal, as the page shows it: a status and the server's reason, and no retry loop
    page.evaluate(
        "() => window.__playground.ws.onclose("
        "new CloseEvent('close', {code: 1008, reason: 'origin http://x is not allowed'}))"
    )
    assert page.text_content("#status-text") == "refused by the server"
    assert "origin http://x is not allowed" in (page.text_content("#toasts") or "")
    assert page.is_visible("#reconnect")


def test_a_watched_session_stays_and_a_hidden_one_idles_out(browser: Any) -> None:
    """Idle means nobody has the page in view: a visible page pings every keepalive_s, so a
    student watching a playing session keeps it; a hidden page stops, and idles out."""
    idle = 2.0
    with BackgroundServer(max_sessions=2, idle_timeout=idle) as srv:
        manager = srv.app.state.manager
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            open_page(page, srv)
            assert page.evaluate("() => window.__playground.limits.keepalive_s") == idle / 3
            page.click("#play")
            page.wait_for_function("() => window.__playground.state.epoch > 0")
            time.sleep(3.5 * idle)  # watching, not touching anything
            assert page.get_attribute("body", "data-connected") == "1"
            assert page.evaluate("() => window.__playground.running") is True
            assert page.evaluate("() => window.__playground.counts.keepalives") >= 3
            assert len(manager.sessions) == 1
            # the tab goes to the background: the keepalive stops, the session idles out
            page.evaluate(
                "() => { Object.defineProperty(document, 'visibilityState', "
                "{configurable: true, get: () => 'hidden'});"
                " document.dispatchEvent(new Event('visibilitychange')); }"
            )
            hidden_at = time.monotonic()
            page.wait_for_function(
                "() => document.getElementById('status-text').textContent"
                " === 'session closed (idle)'",
                timeout=60_000,
            )
            assert idle * 0.5 < time.monotonic() - hidden_at < idle + 15
            deadline = time.monotonic() + 10
            while manager.sessions and time.monotonic() < deadline:
                time.sleep(0.05)
            assert manager.sessions == {}
        finally:
            context.close()


# -- languages ------------------------------------------------------------------------------------
#: English words a Korean page may show besides the server's code names (activations,
#: initializers, optimizers: added per page): names, units, the math of formulas, the keys
#: (Enter, Esc, Shift) and the CSV format.
KOREAN_PAGE_ENGLISH = {
    "gradlab", "English", "Python", "NumPy", "Glorot", "He", "XOR", "ReLU", "SGD", "Adam",
    "ms", "NaN", "rate", "sin", "max", "min", "log", "exp", "sign", "tanh", "erf", "if",
    "CSV", "Enter", "Esc", "Shift",
}  # fmt: skip


def english_words(page: Page) -> set[str]:
    """English words in the page's visible text and tooltips (not the <option>s' formulas)
    beyond code names, proper names, units and math."""
    options = page.evaluate("() => window.__playground.options")
    allowed = set(KOREAN_PAGE_ENGLISH)
    names = [a["name"] for a in options["activations"]] + options["initializers"]
    names += [a["label"] for a in options["activations"]]
    names += [v["label"] for k, v in options["optimizers"].items() if k != "momentum"]
    for name in names:
        allowed |= set(re.findall(r"[A-Za-z]+", name))
    text = page.evaluate(
        """() => document.body.innerText + '\\n' + [...document.querySelectorAll('[title]')]
              .filter(e => e.tagName !== 'OPTION').map(e => e.title).join('\\n')"""
    )
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in allowed}


def switch_language(page: Page, lang: str) -> None:
    page.click(f"#lang-{lang}")
    page.wait_for_function(
        f"() => document.documentElement.lang === '{lang}'"
        f" && window.__playground.lang === '{lang}'"
        " && document.getElementById('lang-" + lang + "').classList.contains('selected')"
    )


def test_switch_to_korean_keeps_the_training_session(
    page: Page, server: BackgroundServer, tmp_path: Path
) -> None:
    """The 한국어 button relabels the whole page at once, while the session goes on training:
    no reload (a variable set before survives), the same session, its step counter growing."""
    open_page(page, server)
    page.select_option("#preset", "dying_relu")
    wait_config(page, "c.learning_rate === 3")
    page.evaluate("() => { window.__marker = 42; }")
    session = page.evaluate("() => window.__playground.session")
    page.click("#play")
    page.wait_for_function("() => window.__playground.state.epoch >= 3", timeout=TRAIN_TIMEOUT_MS)
    before = page.evaluate("() => window.__playground.state.steps")

    switch_language(page, "ko")
    page.screenshot(path=str(tmp_path / "switched-ko.png"))
    # controls, a preset and its explanation, a note, the status, the network, the legends
    assert page.title() == "gradlab 플레이그라운드"
    assert page.text_content('label[for="learning_rate"]') == "학습률"
    assert page.text_content('label[for="optimizer"]') == "옵티마이저"
    assert page.text_content('#regularization option[value="none"]') == "없음"
    assert page.text_content("#problem") == "분류"
    assert page.text_content("#regenerate") == "새 데이터"
    assert "재생" in (page.get_attribute("#play", "title") or "")
    assert page.text_content('#preset option[value=""]') == "프리셋 선택…"
    assert page.text_content('#preset option[value="dying_relu"]') == "죽은 ReLU"
    assert (page.text_content("#preset-desc") or "").startswith("죽은 ReLU: 학습률 3으로 학습하는")
    assert page.text_content(".explain summary") == "무엇을 보고 있나요?"
    assert "기울기 소실" in (page.text_content(".explain p") or "")
    assert page.evaluate("() => document.querySelectorAll('.explain p b').length") == 6
    assert page.text_content("#status-text") == "연결됨"
    assert page.text_content("#layers-title") == "은닉층 3개"
    assert page.text_content('.dataset[data-dataset="circle"] span') == "원"
    assert page.text_content(".ncol.features .col-title") == "입력"
    assert page.text_content('.ncol.layer[data-layer="0"] .units-label') == "뉴런 8개"
    assert "은닉층 1 (relu)" in (page.text_content("#grad-legend") or "")
    assert "테스트 손실" in (page.text_content(".losses") or "")
    page.locator(".ncol.layer .node").first.hover()
    assert (page.text_content("#tooltip") or "").startswith("은닉층 1, 뉴런 1 (relu)")
    page.mouse.move(5, 700)
    assert english_words(page) == set()

    # the same page and session, still training
    assert page.evaluate("() => window.__marker") == 42
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    assert page.evaluate("() => window.__playground.session") == session
    assert page.get_attribute("body", "data-connected") == "1"
    page.wait_for_function(
        f"() => window.__playground.state.steps > {before} + 50", timeout=TRAIN_TIMEOUT_MS
    )
    assert page.evaluate("() => window.__playground.running") is True
    # the address keeps the choice next to the config
    query = urllib.parse.urlsplit(page.url)
    assert urllib.parse.parse_qs(query.query) == {"lang": ["ko"]}
    assert json.loads(urllib.parse.unquote(query.fragment))["learning_rate"] == 3
    # the server now answers this page in Korean
    page.fill("#learning_rate", "99")
    page.press("#learning_rate", "Enter")
    page.wait_for_function(
        "() => window.__playground.errors.some(e => e.field === 'config.learning_rate')"
    )
    message = page.evaluate(
        "() => window.__playground.errors.find(e => e.field === 'config.learning_rate').message"
    )
    assert "config.learning_rate" in message and "받은 값: 99" in message
    assert "받은 값: 99" in (page.text_content("#toasts") or "")

    # and back to English, still the same session
    switch_language(page, "en")
    assert page.text_content('label[for="learning_rate"]') == "Learning rate"
    assert page.text_content("#layers-title") == "3 hidden layers"
    assert page.text_content(".explain summary") == "What am I looking at?"
    assert (page.text_content("#preset-desc") or "").startswith("Dying ReLU: ReLU units")
    assert page.evaluate("() => window.__marker") == 42
    assert page.evaluate("() => window.__playground.session") == session
    assert "lang=en" in page.url
    page.click("#play")  # pause
    page.wait_for_function("() => window.__playground.state.running === false")


def test_the_address_opens_korean_directly(
    page: Page, server: BackgroundServer, browser: Any, tmp_path: Path
) -> None:
    """?lang=ko (with a config in the hash) opens the page in Korean; a server started with
    --lang ko opens Korean pages unless the address asks for English."""
    config = {"learning_rate": 0.1, "dataset": "xor"}
    page.goto(server.url + "?lang=ko#" + urllib.parse.quote(json.dumps(config)))
    page.wait_for_function("() => window.__playground && window.__playground.state")
    wait_config(page, "c.learning_rate === 0.1 && c.dataset === 'xor'")
    page.screenshot(path=str(tmp_path / "address-ko.png"))
    assert page.get_attribute("html", "lang") == "ko"
    assert "i18n-loading" not in (page.get_attribute("html", "class") or "")
    assert page.text_content('label[for="learning_rate"]') == "학습률"
    assert page.text_content("#status-text") == "연결됨"
    assert page.get_attribute("#lang-ko", "aria-pressed") == "true"
    assert english_words(page) == set()
    with BackgroundServer(max_sessions=2, lang="ko") as korean:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            other = context.new_page()
            other.set_default_timeout(UI_TIMEOUT_MS)
            open_page(other, korean)
            assert other.get_attribute("html", "lang") == "ko"
            assert other.text_content("#problem") == "분류"
            other.goto(korean.url + "?lang=en")
            other.wait_for_function("() => window.__playground && window.__playground.state")
            assert other.get_attribute("html", "lang") == "en"
            assert other.text_content("#problem") == "Classification"
        finally:
            context.close()


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("width", [1280, 1024])
def test_header_fits(
    browser: Any, server: BackgroundServer, tmp_path: Path, lang: str, width: int
) -> None:
    """The header's controls, the status and the language switch inside the bar (at 1024 px
    it wraps to a second row), the status text whole."""
    context = browser.new_context(viewport={"width": width, "height": 720})
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(f"{server.url}?lang={lang}")
        page.wait_for_function("() => window.__playground && window.__playground.state")
        page.screenshot(path=str(tmp_path / f"header-{lang}-{width}.png"))
        fit = page.evaluate(
            """() => {
              const bar = document.getElementById('topbar');
              const text = document.getElementById('status-text');
              return {
                overflow: bar.scrollWidth - bar.clientWidth,
                right: Math.max(...[...bar.children].map(c => c.getBoundingClientRect().right)),
                cut: text.scrollWidth - text.clientWidth,
                status: text.textContent,
              };
            }"""
        )
        assert fit["overflow"] <= 0 and fit["right"] <= width, fit
        assert fit["cut"] <= 0, fit  # "connected" / "연결됨" is shown whole
        assert fit["status"] == {"ko": "연결됨", "en": "connected"}[lang]
    finally:
        context.close()
