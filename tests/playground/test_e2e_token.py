"""End-to-end: a playground bound to every interface, as a class uses it, in headless Chromium.

The server binds 0.0.0.0 (so it asks for its access token) and the browser reaches it at
127.0.0.1, and at this machine's network address when it has one. Without the token the page
is refused (403, no session); with ``/?token=...`` it connects and trains; then a reload
without the query still works, the cookie carrying the token.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gradlab.playground.access import lan_address
from gradlab.playground.server import BackgroundServer

from .test_e2e import TRAIN_TIMEOUT_MS, UI_TIMEOUT_MS, VIEWPORT, Console, browser  # noqa: F401

#: Where the screenshots also go, to look at them after a run (besides pytest's tmp_path).
SHOTS = Path("/tmp/gradlab-e2e-token")


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(host="0.0.0.0", max_sessions=4, workers=1) as srv:
        yield srv


def shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def wait_trained(page: Any) -> None:
    """Play until a state with a trained epoch arrives, then pause."""
    page.wait_for_function("() => window.__playground && window.__playground.state")
    page.click("#play")
    page.wait_for_function(
        "() => window.__playground.state.epoch > 0 && window.__playground.state.running",
        timeout=TRAIN_TIMEOUT_MS,
    )
    page.click("#play")  # pause
    page.wait_for_function("() => window.__playground.state.running === false")


def test_token_refused_then_accepted_then_remembered(
    browser: Any,  # noqa: F811
    server: BackgroundServer,
    tmp_path: Path,
) -> None:
    manager = server.app.state.manager
    token = server.token
    assert token and server.url == f"{server.origin}/?token={token}"
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        console = Console(page)
        # 1. without the token: refused, no session
        response = page.goto(f"{server.origin}/")
        assert response is not None and response.status == 403
        assert "access token is required" in (page.text_content("body") or "")
        shot(page, tmp_path, "refused.png")
        assert manager.sessions == {}
        # 2. the printed address, with the token: the page connects and trains
        response = page.goto(server.url)
        assert response is not None and response.status == 200
        wait_trained(page)
        assert page.get_attribute("body", "data-connected") == "1"
        assert len(manager.sessions) == 1
        assert f"token={token}" in page.evaluate("() => location.search")  # kept by the page
        shot(page, tmp_path, "with-token.png")
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["gradlab_token"]["httpOnly"] is True
        assert cookies["gradlab_token"]["sameSite"] == "Strict"
        assert page.evaluate("() => document.cookie") == ""  # HttpOnly: no script reads it
        # 3. a reload of the bare address: the cookie carries the token
        response = page.goto(f"{server.origin}/")
        assert response is not None and response.status == 200
        wait_trained(page)
        shot(page, tmp_path, "cookie-only.png")
        # the page's console saw no error but the first refusal
        assert all("403" in e for e in console.errors), console.errors
    finally:
        context.close()
    # another browser (no cookie) is refused again
    context = browser.new_context()
    try:
        response = context.new_page().goto(f"{server.origin}/static/playground.js")
        assert response is not None and response.status == 403
    finally:
        context.close()


def test_a_student_reaches_the_teachers_address(
    browser: Any,  # noqa: F811
    server: BackgroundServer,
    tmp_path: Path,
) -> None:
    """What students type: http://<the machine's address>:PORT/?token=... (an IP address is
    served without --allow-origin when bound to every interface)."""
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no network address")
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        response = page.goto(f"http://{address}:{server.port}/?token={server.token}")
        assert response is not None and response.status == 200
        wait_trained(page)
        shot(page, tmp_path, "student.png")
    finally:
        context.close()
