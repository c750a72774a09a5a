"""End-to-end tests of the page's classroom tools: inspecting a unit in the output plot, editing
a weight or a bias, the gradient note that names a blocking layer, skip connections, and the
layouts (laptop screens without horizontal scrolling, a read-only phone view).

The real server and the page in the system Chromium, as in test_e2e.py (whose fixtures these
tests share; the module is skipped with it when there is no browser). The messages are the
protocol's ``inspect`` and ``weight`` and the state's ``inspect``, ``health``, ``inactive``,
``blocked_by`` and ``residual`` (docs/playground-protocol.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from . import test_e2e
from .test_e2e import (
    TRAIN_TIMEOUT_MS,
    UI_TIMEOUT_MS,
    BackgroundServer,
    Page,
    open_page,
    pg_config,
    wait_config,
)

# test_e2e.py's fixtures: one server and one browser for this module, a fresh page per test
server = test_e2e.server
browser = test_e2e.browser
page = test_e2e.page

#: A ReLU net whose third layer is made dead by the test (large negative biases).
RELU_3x4 = {"layers": [{"units": 4, "activation": "relu"}] * 3}


# -- helpers --------------------------------------------------------------------------------------
def surface_pixels(page: Page) -> list[int]:
    """The output plot's pixels (its G×G canvas), as a flat list of RGBA bytes."""
    return page.evaluate(
        """() => { const c = document.getElementById('surface');
              return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }"""
    )


def hatched_pixels(page: Page) -> int:
    """How many pixels of the hatching overlay are drawn (not transparent)."""
    return page.evaluate(
        """() => { const c = document.getElementById('inspect-flat');
              if (!c.width) return 0;
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }"""
    )


def wait_inspect(page: Page, layer: int | None, unit: int | None = None) -> None:
    """Wait until a state carries the inspected unit (layer None: none)."""
    if layer is None:
        js = "() => window.__playground.state.inspect === null"
    else:
        js = (
            "() => { const q = window.__playground.state.inspect;"
            f" return q !== null && q !== undefined && q.layer === {layer} && q.unit === {unit}; }}"
        )
    page.wait_for_function(js)


def watch_inspect_messages(page: Page) -> None:
    """Count the `inspect` messages the page sends (window.__inspects)."""
    page.evaluate(
        """() => {
          window.__inspects = [];
          const ws = window.__playground.ws;
          const send = ws.send.bind(ws);
          ws.send = (text) => {
            const m = JSON.parse(text);
            if (m.type === 'inspect') window.__inspects.push(m);
            send(text);
          };
        }"""
    )


def link_midpoint(page: Page, layer: int, row: int, col: int) -> tuple[float, float]:
    """Screen coordinates of the middle of the link for W[row][col] of `layer`."""
    hit = page.locator(
        f'#links path.link-hit[data-layer="{layer}"][data-row="{row}"][data-col="{col}"]'
    )
    return tuple(
        hit.evaluate(
            """p => { const q = p.getPointAtLength(p.getTotalLength() * 0.5);
                  const m = p.getScreenCTM(); return [q.x * m.a + m.e, q.y * m.d + m.f]; }"""
        )
    )


def overflow_report(page: Page) -> dict[str, Any]:
    """What sticks out of the window: page width, cut header children, a cut status, clipped
    selects, and visible elements of the main area past the right edge."""
    return page.evaluate(
        """() => {
          const iw = window.innerWidth;
          const visible = (e) => e.offsetParent !== null && e.getBoundingClientRect().width > 0;
          const out = (e) => {
            const r = e.getBoundingClientRect();
            return r.right > iw + 0.5 || r.left < -0.5;
          };
          const name = (e) => e.id || e.className || e.tagName;
          // a select shows its chosen option's text whole (measured in its own font)
          const ctx = document.createElement('canvas').getContext('2d');
          const textFits = (s) => {
            const cs = getComputedStyle(s);
            ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
            const text = s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : '';
            const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
            return ctx.measureText(text).width <= room + 0.5;
          };
          const bar = document.getElementById('topbar');
          const text = document.getElementById('status-text');
          return {
            scroll: document.documentElement.scrollWidth - iw,
            header: [...bar.children].filter(visible).filter(out).map(name),
            barOverflow: bar.scrollWidth - bar.clientWidth,
            statusCut: text.scrollWidth - text.clientWidth,
            selects: [...document.querySelectorAll('select')].filter(visible)
              .filter(s => out(s) || s.scrollWidth > s.clientWidth + 1 || !textFits(s)).map(name),
            main: [...document.querySelectorAll('#enginebar > *, #main .col, #main .col > *')]
              .filter(visible).filter(out).map(name),
          };
        }"""
    )


def new_page(browser: Any, server: BackgroundServer, width: int, height: int) -> tuple[Any, Page]:
    """A page of the given window size, loaded and showing its first state."""
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.set_default_timeout(UI_TIMEOUT_MS)
    pg.console = test_e2e.Console(pg)  # type: ignore[attr-defined]
    open_page(pg, server)
    return context, pg


# -- inspecting a unit ----------------------------------------------------------------------------
def test_hovering_a_unit_shows_it_in_the_output_plot(page: Page, server: BackgroundServer) -> None:
    """Hover: the caption names the unit, the state carries its grids, the plot changes; leaving
    the unit shows the network's output again; a click pins it (Esc unpins); a sweep of the
    mouse over every unit sends a few messages, not one per unit."""
    open_page(page, server)
    page.wait_for_function("() => document.body.dataset.epoch !== undefined")  # drawn
    before = surface_pixels(page)
    node = page.locator('.ncol.layer[data-layer="1"] .node').nth(1)
    node.hover()
    wait_inspect(page, 1, 1)
    page.wait_for_function("() => document.getElementById('plot-caption').dataset.shown === '1:1'")
    assert (page.text_content("#plot-title") or "").startswith("layer 2, unit 2: output")
    q = page.evaluate("() => window.__playground.state.inspect")
    assert q["health"] == "saturated"  # tanh: bounded
    assert {"pre", "out", "flat", "flat_fraction"} <= set(q)
    assert surface_pixels(page) != before
    assert not page.is_visible("#out-legend") and page.is_visible("#inspect-legend")
    # leaving it (not pinned): the network's output again
    page.mouse.move(5, 5)
    wait_inspect(page, None)
    page.wait_for_function("() => document.getElementById('plot-caption').dataset.shown === ''")
    assert surface_pixels(page) == before
    assert page.is_visible("#out-legend")
    # a click pins it: leaving does not unpin; Esc does
    node.click()
    wait_inspect(page, 1, 1)
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)
    assert page.evaluate("() => window.__playground.state.inspect.unit") == 1
    assert "pinned" in (node.get_attribute("class") or "")
    page.locator("#inspect-tools").wait_for()
    page.keyboard.press("Escape")
    wait_inspect(page, None)
    assert "pinned" not in (node.get_attribute("class") or "")
    # the output layer's unit can be inspected too (its index follows the hidden layers)
    page.locator(".onode").first.hover()
    wait_inspect(page, 2, 0)
    page.wait_for_function(
        "() => document.getElementById('plot-title').textContent"
        ".startsWith('output layer, unit 1: output')"
    )
    page.mouse.move(5, 5)
    wait_inspect(page, None)
    # a sweep over all six hidden units within a few milliseconds (events dispatched at once,
    # so that a slow machine cannot stretch it past the debounce): one message, the last unit
    watch_inspect_messages(page)
    page.evaluate(
        """() => {
          const nodes = [...document.querySelectorAll('.ncol.layer .node')];
          nodes.forEach((n, i) => {
            n.dispatchEvent(new MouseEvent('mouseenter'));
            if (i < nodes.length - 1) n.dispatchEvent(new MouseEvent('mouseleave'));
          });
        }"""
    )
    wait_inspect(page, 1, 1)
    page.wait_for_timeout(300)
    sent = page.evaluate("() => window.__inspects")
    assert [(m["layer"], m.get("unit")) for m in sent] == [(1, 1)], sent


@pytest.mark.parametrize(
    ("preset", "health"), [("dying_relu", "inactive"), ("vanishing_sigmoid", "saturated")]
)
def test_pre_activation_names_the_flat_side(
    page: Page, server: BackgroundServer, preset: str, health: str
) -> None:
    """The pre-activation switch: a rectifier's flat side is 'inactive', a sigmoid's
    'saturated'; the hatching is drawn exactly when some of the plane is flat."""
    open_page(page, server)
    page.select_option("#preset", preset)
    wait_config(page, "c.layers.length >= 3")
    page.locator('.ncol.layer[data-layer="0"] .node').nth(0).click()
    wait_inspect(page, 0, 0)
    page.click("#inspect-pre")
    page.wait_for_function(
        "() => document.getElementById('inspect-legend').dataset.health !== undefined"
        " && document.getElementById('plot-caption').dataset.mode === 'pre'"
    )
    assert (page.text_content("#plot-title") or "").startswith("layer 1, unit 1: pre-activation")
    q = page.evaluate("() => window.__playground.state.inspect")
    assert q["health"] == health
    legend = page.text_content("#inspect-legend") or ""
    assert f"hatched: {health}" in legend
    percent = round(q["flat_fraction"] * 100)
    assert f"{percent}% of the plane" in legend
    assert (hatched_pixels(page) > 0) == (q["flat_fraction"] > 0)
    # back to the output: no hatching
    page.click("#inspect-out")
    page.wait_for_function("() => document.getElementById('plot-caption').dataset.mode === 'out'")
    page.wait_for_timeout(100)
    assert hatched_pixels(page) == 0
    assert "hatched" not in (page.text_content("#inspect-legend") or "")


# -- editing weights ------------------------------------------------------------------------------
def test_click_a_link_or_a_bias_to_edit_it(page: Page, server: BackgroundServer) -> None:
    open_page(page, server)
    page.mouse.click(*link_midpoint(page, 1, 2, 1))
    editor = page.locator("#weight-editor")
    editor.wait_for()
    # whichever of the crossing links the click reached, the editor says which it edits
    layer, row, col = (int(editor.get_attribute(f"data-{k}") or -1) for k in ("layer", "row", "col"))  # fmt: skip  # noqa: E501
    assert editor.get_attribute("data-param") == "W"
    title = page.text_content("#we-title") or ""
    assert title.startswith("weight from ") and " to " in title
    shown = float(page.input_value("#we-value"))
    actual = page.evaluate(f"() => window.__playground.state.layers[{layer}].W[{row}][{col}]")
    assert shown == pytest.approx(actual, rel=1e-4, abs=1e-6)
    page.fill("#we-value", "1.234")
    page.press("#we-value", "Enter")
    # (the model keeps float32 weights: 1.234 comes back as 1.2339999675...)
    page.wait_for_function(
        f"() => Math.abs(window.__playground.state.layers[{layer}].W[{row}][{col}] - 1.234) < 1e-6"
    )
    assert editor.is_hidden()
    # a bias: the small square at the unit's corner
    page.locator('.ncol.layer[data-layer="0"] .node').nth(2).locator(".bias").click()
    editor.wait_for()
    assert page.text_content("#we-title") == "bias of layer 1 unit 3"
    page.fill("#we-value", "-0.5")
    page.click("#we-ok")
    page.wait_for_function("() => window.__playground.state.layers[0].b[2] === -0.5")
    # Esc closes without sending; a value out of range is the server's error, as a toast
    page.locator('.ncol.layer[data-layer="0"] .node').nth(2).locator(".bias").click()
    editor.wait_for()
    page.keyboard.press("Escape")
    assert editor.is_hidden()
    page.locator('.ncol.layer[data-layer="0"] .node').nth(2).locator(".bias").click()
    page.fill("#we-value", "500")
    page.press("#we-value", "Enter")
    page.wait_for_function("() => window.__playground.errors.length === 1")
    error = page.evaluate("() => window.__playground.errors[0]")
    assert error["field"] == "value" and "500" in error["message"]
    assert "500" in (page.locator(".toast.error").last.text_content() or "")
    assert page.evaluate("() => window.__playground.state.layers[0].b[2]") == -0.5


# -- the gradient note ----------------------------------------------------------------------------
def test_gradient_note_names_the_layer_without_a_live_unit(
    page: Page, server: BackgroundServer
) -> None:
    """Biases of -100 kill every unit of layer 3 of a ReLU net: the layers before it get no
    gradient, the note under the chart says why, the drawing marks layer 3."""
    open_page(page, server, RELU_3x4)
    wait_config(page, "c.layers.length === 3 && c.layers[2].activation === 'relu'")
    assert page.is_hidden("#grad-note")
    for unit in range(4):
        page.evaluate(
            "u => window.__playground.send("
            "{type: 'weight', layer: 2, param: 'b', row: 0, col: u, value: -100})",
            unit,
        )
    page.wait_for_function("() => window.__playground.state.layers[2].b.every(b => b === -100)")
    page.click("#step")
    page.wait_for_function("() => window.__playground.state.epoch === 1")
    layers = page.evaluate("() => window.__playground.state.layers")
    assert all(layers[2]["dead"])
    assert [layer["blocked_by"] for layer in layers] == [2, 2, None, None]
    assert layers[0]["grad_norm"] == layers[1]["grad_norm"] == 0
    note = page.locator("#grad-note")
    note.wait_for()
    assert note.text_content() == "no gradient reaches layers 1, 2: layer 3 has no live unit"
    blocking = page.locator('.ncol.layer[data-layer="2"]')
    assert "blocking" in (blocking.get_attribute("class") or "")
    assert blocking.locator(".badge.block").text_content() == "blocks the gradient"
    assert page.locator(".ncol.layer.blocking").count() == 1
    # the ReLU layers speak of inactive units, never of saturated ones
    assert "4 dead" in (blocking.locator(".badges").text_content() or "")
    assert "saturated" not in (page.text_content("#netarea") or "")


# -- skip connections -----------------------------------------------------------------------------
def train_until(page: Page, epoch: int) -> list[float]:
    """Play until the state's epoch reaches `epoch`, pause; the layers' gradient norms."""
    page.click("#play")
    page.wait_for_function(
        f"() => window.__playground.state.epoch >= {epoch}", timeout=TRAIN_TIMEOUT_MS
    )
    page.click("#play")
    page.wait_for_function("() => window.__playground.state.running === false")
    return page.evaluate("() => window.__playground.state.layers.map(l => l.grad_norm)")


def test_skip_connections_carry_the_gradient_to_the_first_layer(
    page: Page, server: BackgroundServer, tmp_path: Any
) -> None:
    """The residual_sigmoid preset (listed after vanishing_sigmoid) draws an arc per
    shortcut and trains its first layer; the toggle off (same net otherwise) starves it."""
    open_page(page, server)
    names = [p["name"] for p in page.evaluate("() => window.__playground.options.presets")]
    assert names[names.index("vanishing_sigmoid") + 1] == "residual_sigmoid"
    assert "residual_sigmoid" in page.locator("#preset option").evaluate_all(
        "os => os.map(o => o.value)"
    )
    page.select_option("#preset", "residual_sigmoid")
    wait_config(page, "c.residual === true && c.layers.length === 6")
    assert page.is_checked("#residual")
    page.wait_for_function("() => window.__playground.state.layers[1].residual === true")
    shortcuts = page.evaluate("() => window.__playground.state.layers.map(l => l.residual)")
    # (the drawing follows the state at the next animation frame)
    page.wait_for_function(
        "n => [...document.querySelectorAll('#links path.shortcut')]"
        ".filter(a => a.style.display !== 'none').length === n",
        arg=sum(shortcuts),
    )
    arcs = page.locator("#links path.shortcut:visible")
    assert arcs.count() == sum(shortcuts) == 5  # 2 inputs into 8 units: no shortcut there
    drawn = arcs.evaluate_all("as => as.map(a => Number(a.dataset.layer))")
    assert drawn == [i for i, s in enumerate(shortcuts) if s]
    with_skip = train_until(page, 10)
    page.screenshot(path=str(tmp_path / "residual-on.png"))
    # the toggle: the same net without shortcuts, from the same initial weights
    page.uncheck("#residual")
    wait_config(page, "c.residual === false")
    page.wait_for_function(
        "() => window.__playground.state.epoch === 0"
        " && window.__playground.state.layers.every(l => !l.residual)"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('#links path.shortcut')]"
        ".every(a => a.style.display === 'none')"
    )
    assert page.evaluate("() => window.__playground.config.layers.length") == 6
    without = train_until(page, 10)
    page.screenshot(path=str(tmp_path / "residual-off.png"))
    # measured: ~0.08 with shortcuts, ~4e-5 without (last hidden / first: ~2 vs ~1000)
    assert with_skip[0] > 100 * without[0], (with_skip, without)
    assert without[5] / without[0] > 20 * (with_skip[5] / with_skip[0]), (with_skip, without)
    assert pg_config(page)["residual"] is False


# -- layouts --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("width", "height"), [(1024, 700), (1280, 720)])
def test_laptop_screens_need_no_horizontal_scrolling(
    browser: Any, server: BackgroundServer, tmp_path: Any, width: int, height: int
) -> None:
    context, pg = new_page(browser, server, width, height)
    try:
        pg.screenshot(path=str(tmp_path / f"layout-{width}.png"))
        report = overflow_report(pg)
        assert report == {
            "scroll": 0, "header": [], "barOverflow": 0, "statusCut": 0, "selects": [], "main": [],
        }, report  # fmt: skip
        # three columns side by side: data | network | output
        boxes = [pg.locator(f"#{c}").bounding_box() for c in ("data-col", "net-col", "output-col")]
        assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]
        assert boxes[1]["x"] + boxes[1]["width"] <= boxes[2]["x"]
        assert boxes[2]["x"] + boxes[2]["width"] <= width
        # the deepest net the page allows: its columns narrow, the whole net stays in view
        pg.select_option("#preset", "vanishing_sigmoid")
        pg.wait_for_function("() => window.__playground.config.layers.length === 6")
        pg.wait_for_timeout(200)
        report = overflow_report(pg)
        assert report["scroll"] == 0 and report["main"] == [], report
        area = pg.evaluate(
            "() => { const a = document.getElementById('netarea');"
            " return a.scrollWidth - a.clientWidth; }"
        )
        assert area <= 0  # the whole net in view, no scrolling inside its column either
        assert pg.console.errors == []  # type: ignore[attr-defined]
    finally:
        context.close()


def test_phone_shows_a_read_only_page(
    browser: Any, server: BackgroundServer, tmp_path: Any
) -> None:
    """390x844: one column with the plot, the losses and the network; play works; nothing that
    edits is shown or reacts, and a note says so."""
    context, pg = new_page(browser, server, 390, 844)
    try:
        pg.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        assert overflow_report(pg)["scroll"] == 0
        assert pg.is_visible("#readonly-note")
        assert "read-only" in (pg.text_content("#readonly-note") or "").lower()
        for hidden in ("#learning_rate", "#preset", "#enginebar", "#data-col", "#add-layer"):
            assert pg.is_hidden(hidden), hidden
        for shown in ("#surface", "#train-loss", "#loss-chart", "#netarea", "#play", "#step"):
            assert pg.is_visible(shown), shown
        plot = pg.locator("#surface").bounding_box()
        assert plot["x"] >= 0 and plot["x"] + plot["width"] <= 390 and plot["width"] >= 250
        assert pg.locator(".ncol.layer select.act").evaluate_all("ss => ss.every(s => s.disabled)")
        # a link does not open the editor, a feature does not toggle
        features = pg_config(pg)["features"]
        pg.locator(".fnode:not(.off)").first.click()
        pg.mouse.click(*link_midpoint(pg, 0, 0, 0))
        pg.wait_for_timeout(300)
        assert pg.is_hidden("#weight-editor")
        assert pg_config(pg)["features"] == features
        # play / pause
        pg.click("#play")
        pg.wait_for_function("() => window.__playground.state.epoch >= 2", timeout=TRAIN_TIMEOUT_MS)
        pg.click("#play")
        pg.wait_for_function("() => window.__playground.state.running === false")
        assert overflow_report(pg)["scroll"] == 0
        assert pg.console.errors == []  # type: ignore[attr-defined]
    finally:
        context.close()
