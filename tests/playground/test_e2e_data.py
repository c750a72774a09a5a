"""End-to-end tests of "Your data": points drawn on the page, CSV files, the shared address.

The real server and the page in the system Chromium, as in test_e2e.py (whose fixtures these
tests share; the module is skipped with it when there is no browser). The page's side is
static/customdata.js; the server's, the ``custom_data`` and ``upload`` messages
(docs/playground-protocol.md).
"""

from __future__ import annotations

import itertools
import re
import urllib.parse
from pathlib import Path
from typing import Any

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

#: Drawn coordinates come back within this (a pixel of the plot is 12/320 ≈ 0.04; the page
#: keeps 2 decimals).
TOLERANCE = 0.06

#: Three places per class, far enough apart that a removal finds the one meant.
PLACES = {
    0: [(-4.0, -3.0), (-3.0, -4.5), (-2.2, -2.5)],
    1: [(3.5, 3.0), (2.0, 4.2), (4.5, 1.5)],
    2: [(-3.5, 3.5), (-2.5, 4.5), (-4.5, 2.0)],
}


# -- helpers --------------------------------------------------------------------------------------
def watch_sent(page: Page) -> None:
    """Record what the page sends (type and time) in window.__sent."""
    page.evaluate(
        """() => {
          window.__sent = [];
          const ws = window.__playground.ws;
          const send = ws.send.bind(ws);
          ws.send = (text) => {
            const m = JSON.parse(text);
            window.__sent.push({ type: m.type, t: performance.now(), n: (m.points || []).length });
            send(text);
          };
        }"""
    )


def sent(page: Page, kind: str) -> list[dict]:
    return page.evaluate(f"() => window.__sent.filter(m => m.type === '{kind}')")


def all_points(page: Page) -> list[list[float]]:
    """The points of the server's last `data` message, train and test together."""
    return page.evaluate(
        "() => window.__playground.data.train.concat(window.__playground.data.test)"
    )


def wait_points(page: Page, n: int) -> None:
    page.wait_for_function(
        "() => { const a = window.__playground; const d = a && a.data; const c = a && a.config;"
        " return !!c && c.dataset === 'custom' && !!d"
        f" && d.train.length + d.test.length === {n}; }}"
    )


def click_plane(page: Page, x1: float, x2: float, *, shift: bool = False, **kw: Any) -> None:
    """Click the output plot at plane coordinates (x1 to the right, x2 up, [-6, 6]²)."""
    box = page.locator("#points").bounding_box()
    assert box is not None
    x, y = box["x"] + (x1 + 6) / 12 * box["width"], box["y"] + (6 - x2) / 12 * box["height"]
    if shift:
        page.keyboard.down("Shift")
    try:
        page.mouse.click(x, y, **kw)
    finally:
        if shift:
            page.keyboard.up("Shift")


def open_drawing(page: Page) -> None:
    """Choose "Your data" and make sure the draw mode is on."""
    page.click('.dataset[data-dataset="custom"]')
    page.locator("#custom-tools").wait_for(state="visible")
    if page.get_attribute("#custom-draw", "aria-pressed") != "true":
        page.click("#custom-draw")
    assert page.get_attribute("#custom-draw", "aria-pressed") == "true"


def draw(page: Page, places: dict[int, list[tuple[float, float]]]) -> list[tuple]:
    drawn = []
    for k, xys in places.items():
        page.click(f'#custom-classes .ct-class[data-class="{k}"]')
        for x1, x2 in xys:
            click_plane(page, x1, x2)
            drawn.append((x1, x2, k))
    return drawn


def assert_same_points(got: list[list[float]], want: list[tuple], tol: float = TOLERANCE) -> None:
    """Every wanted point is in `got` (same label, coordinates within tol), and no other."""
    assert len(got) == len(want), (got, want)
    left = list(got)
    for x1, x2, y in want:
        match = [p for p in left if p[2] == y and abs(p[0] - x1) <= tol and abs(p[1] - x2) <= tol]
        assert match, f"no point near ({x1}, {x2}) of label {y} in {got}"
        left.remove(match[0])


def last_error(page: Page, count_before: int) -> dict:
    page.wait_for_function(f"() => window.__playground.errors.length > {count_before}")
    return page.evaluate("() => window.__playground.errors.at(-1)")


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# -- drawing --------------------------------------------------------------------------------------
def test_draw_points_of_three_classes_and_train(
    page: Page, server: BackgroundServer, tmp_path: Path
) -> None:
    open_page(page, server)
    assert page.locator('.dataset[data-dataset="custom"] span').text_content() == "Your data"
    assert page.is_hidden("#custom-tools")
    watch_sent(page)
    open_drawing(page)
    # the tools explain themselves, in the data column
    untitled = page.evaluate(
        """() => [...document.querySelectorAll('#custom-tools button, #custom-tools input')]
              .filter(e => !e.title && !e.closest('[title]') && e.offsetParent !== null)
              .map(e => e.id || e.outerHTML.slice(0, 60))"""
    )
    assert untitled == []
    assert "shift-click" in (page.text_content("#custom-tools") or "")
    drawn = draw(page, PLACES)
    wait_points(page, 9)
    assert_same_points(all_points(page), drawn)
    cfg = pg_config(page)
    assert cfg["dataset"] == "custom" and cfg["classes"] == 3
    assert page.locator(".onode").count() == 3  # softmax over the 3 drawn classes
    assert page.text_content("#custom-info") == "9 points"
    # the clicks were batched: at most about 4 messages a second
    sends = sent(page, "custom_data")
    assert 1 <= len(sends) < 9
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(sends)]
    assert all(g >= 200 for g in gaps), gaps
    assert sends[-1]["n"] == 9
    page.screenshot(path=str(tmp_path / "drawn.png"))
    # it trains: a few epochs, a state with an accuracy
    for i in range(3):
        page.click("#step")
        page.wait_for_function(f"() => window.__playground.state.epoch === {i + 1}")
    acc = page.evaluate("() => window.__playground.state.train_accuracy")
    assert isinstance(acc, float | int) and 0 <= acc <= 1
    assert re.search(r"\d+\.\d% ", page.text_content("#train-acc") or "")
    # another data set closes the tools; "Your data" brings the same points back
    page.click('.dataset[data-dataset="xor"]')
    wait_config(page, "c.dataset === 'xor'")
    assert page.is_hidden("#custom-tools")
    page.click('.dataset[data-dataset="custom"]')
    wait_points(page, 9)
    assert_same_points(all_points(page), drawn)


def test_remove_points_while_playing(page: Page, server: BackgroundServer) -> None:
    open_page(page, server)
    open_drawing(page)
    drawn = draw(page, {0: PLACES[0], 1: PLACES[1][:2]})
    wait_points(page, 5)
    page.click("#play")
    page.wait_for_function(
        "() => window.__playground.state.running && window.__playground.state.epoch > 0"
    )
    # shift-click near a point removes it (not exactly on it: the nearest within reach)
    x1, x2 = PLACES[0][1]
    click_plane(page, x1 + 0.2, x2 - 0.2, shift=True)
    wait_points(page, 4)
    drawn.remove((x1, x2, 0))
    assert_same_points(all_points(page), drawn)
    # right-click removes too; a click far from every point removes nothing
    x1, x2 = PLACES[1][0]
    click_plane(page, x1, x2, button="right")
    wait_points(page, 3)
    drawn.remove((x1, x2, 1))
    assert_same_points(all_points(page), drawn)
    click_plane(page, 5.5, -5.5, shift=True)
    page.wait_for_timeout(600)
    assert len(all_points(page)) == 3
    # training went on throughout
    epoch = page.evaluate("() => window.__playground.state.epoch")
    page.wait_for_function(
        f"() => window.__playground.state.epoch > {epoch}", timeout=TRAIN_TIMEOUT_MS
    )
    assert page.evaluate("() => window.__playground.running") is True
    page.click("#play")
    page.wait_for_function("() => window.__playground.state.running === false")


def test_draw_regression_values(page: Page, server: BackgroundServer, tmp_path: Path) -> None:
    open_page(page, server)
    open_drawing(page)
    page.click('#custom-task button[data-task="regression"]')
    assert page.is_visible("#custom-value") and page.is_hidden("#custom-classes")
    want = []
    for value, xys in ((-1, [(-4, -4), (-3, -2)]), (0.5, [(0, 0)]), (1, [(4, 4), (3, 2)])):
        page.locator("#custom-value").fill(str(value))
        for x1, x2 in xys:
            click_plane(page, x1, x2)
            want.append((x1, x2, value))
    wait_points(page, 5)
    assert_same_points(all_points(page), want)
    assert page.evaluate("() => window.__playground.data.task") == "regression"
    assert page.text_content("#problem") == "Regression"
    # points of the other kind cannot be mixed in: the task is fixed while there are points
    assert page.is_disabled('#custom-task button[data-task="classification"]')
    page.click("#step")
    page.wait_for_function("() => window.__playground.state.epoch === 1")
    page.screenshot(path=str(tmp_path / "regression.png"))


# -- files ----------------------------------------------------------------------------------------
def test_upload_csv_classification_and_regression(
    page: Page, server: BackgroundServer, tmp_path: Path
) -> None:
    open_page(page, server)
    page.click('.dataset[data-dataset="custom"]')
    # classification: a header, comma separated, columns far outside the plane
    rows = ["x1,x2,label"] + [f"{10 * i},{-3 * i},{i % 3}" for i in range(40)]
    page.set_input_files("#custom-file", str(write_csv(tmp_path / "classes.csv", rows)))
    wait_points(page, 40)
    got = all_points(page)
    assert sorted(p[2] for p in got) == sorted(i % 3 for i in range(40))
    xs, ys = [p[0] for p in got], [p[1] for p in got]
    assert min(xs) == -5 and max(xs) == 5 and min(ys) == -5 and max(ys) == 5  # rescaled
    # the first row (0, 0) is now the corner (-5, 5), with its label
    assert [-5, 5, 0] in got
    assert pg_config(page)["classes"] == 3
    toast = page.locator(".toast.info", has_text="classes.csv")
    assert toast.text_content() == "40 points from classes.csv (rescaled to the plane)"
    assert page.text_content("#custom-info") == "40 points"
    # regression: semicolons, no header, targets that are not class labels
    rows = [f"{i / 10};{(i * 7) % 13};{i / 4 - 2}" for i in range(25)]
    page.set_input_files("#custom-file", str(write_csv(tmp_path / "values.txt", rows)))
    page.wait_for_function(
        "() => window.__playground.data.task === 'regression'"
        " && window.__playground.data.train.length + window.__playground.data.test.length === 25"
    )
    got = all_points(page)
    targets = sorted(p[2] for p in got)
    assert targets[0] == -1 and targets[-1] == 1
    assert page.text_content("#problem") == "Regression"
    assert page.locator(".toast.info", has_text="values.txt").count() == 1
    # the uploaded points are the drawing's points: one more can be drawn beside them
    if page.get_attribute("#custom-draw", "aria-pressed") != "true":
        page.click("#custom-draw")
    click_plane(page, 5.5, -5.5)
    wait_points(page, 26)


def test_bad_files_keep_the_previous_data(
    page: Page, server: BackgroundServer, tmp_path: Path
) -> None:
    open_page(page, server)
    page.evaluate("() => { window.__data0 = window.__playground.data; }")
    page.click('.dataset[data-dataset="xor"]')
    wait_config(page, "c.dataset === 'xor'")
    page.wait_for_function("() => window.__playground.data !== window.__data0")
    before = all_points(page)
    page.click('.dataset[data-dataset="custom"]')
    good = [f"{i},{i % 5},{i % 2}" for i in range(10)]
    cases = {
        # a non-numeric cell on line 7 (header on line 1)
        "cell.csv": (["a,b,c", *good[:5], "3,abc,1", *good[5:]], ["7", "abc"]),
        # two columns on line 4
        "columns.csv": ([*good[:3], "1,2", *good[3:]], ["4", "2", "3"]),
        # one row more than the server takes
        "rows.csv": ([f"{i % 7},{i % 11},{i % 2}" for i in range(2001)], ["2001", "2000"]),
    }
    for name, (rows, numbers) in cases.items():
        n_errors = page.evaluate("() => window.__playground.errors.length")
        page.set_input_files("#custom-file", str(write_csv(tmp_path / name, rows)))
        error = last_error(page, n_errors)
        assert error["field"] == "csv", error
        for number in numbers:
            assert re.search(rf"(?<![\d.]){number}(?![\d.])", error["message"]), (number, error)
        assert page.locator(".toast.error", has_text=error["message"][:30]).count() == 1
        assert pg_config(page)["dataset"] == "xor"
        assert all_points(page) == before
    page.screenshot(path=str(tmp_path / "upload-error.png"))
    # a file over the limit never leaves the page
    limit = page.evaluate("() => window.__playground.limits.max_upload_bytes")
    assert isinstance(limit, int) and limit > 0
    big = tmp_path / "big.csv"
    line = "1.000000,2.000000,1\n"
    big.write_text(line * (limit // len(line) + 1), encoding="utf-8")
    size = big.stat().st_size
    watch_sent(page)
    page.set_input_files("#custom-file", str(big))
    toast = page.locator(".toast.error", has_text="big.csv")
    toast.wait_for()
    text = toast.text_content() or ""
    assert str(size) in text and str(limit) in text, text
    page.wait_for_timeout(300)
    assert sent(page, "upload") == []
    assert pg_config(page)["dataset"] == "xor"
    # and the page goes on: a good file is taken
    page.set_input_files("#custom-file", str(write_csv(tmp_path / "good.csv", good)))
    wait_points(page, 10)


# -- the shared address ---------------------------------------------------------------------------
def test_address_with_drawn_points_recreates_them(page: Page, server: BackgroundServer) -> None:
    open_page(page, server)
    page.fill("#learning_rate", "0.1")
    page.press("#learning_rate", "Enter")
    wait_config(page, "c.learning_rate === 0.1")
    open_drawing(page)
    drawn = draw(page, {0: PLACES[0], 1: PLACES[1]})
    wait_points(page, 6)
    page.wait_for_function("() => location.hash.includes('&d=c;')")
    url = page.url
    here = all_points(page)
    assert len(url) < 1000
    other = page.context.new_page()
    other.set_default_timeout(UI_TIMEOUT_MS)
    try:
        other.goto(url)
        wait_points(other, 6)
        assert_same_points(all_points(other), [tuple(p) for p in here], tol=0.006)
        assert_same_points(all_points(other), drawn)
        assert pg_config(other)["learning_rate"] == 0.1
        assert other.is_visible("#custom-tools")
        assert other.text_content("#custom-info") == "6 points"
        assert other.evaluate("() => window.__playground.errors") == []
    finally:
        other.close()


def test_more_than_300_points_stay_out_of_the_address(page: Page, server: BackgroundServer) -> None:
    open_page(page, server)
    page.click('.dataset[data-dataset="custom"]')
    # 301 points sent as the page sends them (drawing that many would take long)
    page.evaluate(
        """() => window.__playground.send({ type: 'custom_data', task: 'classification',
              points: Array.from({ length: 301 },
                (_, i) => [(i % 20) / 2 - 5, Math.floor(i / 20) / 2 - 4, i % 2]) })"""
    )
    wait_points(page, 301)
    page.locator("#custom-note").wait_for(state="visible")
    assert "300" in (page.text_content("#custom-note") or "")
    hash_now = page.evaluate("() => location.hash")
    assert "custom" in urllib.parse.unquote(hash_now) and "&d=" not in hash_now
    # such an address opens without the points: the default data set, and a note
    other = page.context.new_page()
    other.set_default_timeout(UI_TIMEOUT_MS)
    try:
        other.goto(page.url)
        other.wait_for_function("() => window.__playground && window.__playground.state")
        other.locator(".toast.info", has_text="300").wait_for()
        assert pg_config(other)["dataset"] == "circle"
        assert other.evaluate("() => window.__playground.errors") == []
    finally:
        other.close()


def test_malformed_points_in_the_address_are_ignored(page: Page, server: BackgroundServer) -> None:
    config = urllib.parse.quote('{"dataset":"custom","learning_rate":0.3}')
    bad = {
        "not numbers": "c;1,2,0;abc,1,1",
        "markup": urllib.parse.quote("c;<img src=x onerror=window.__pwned=1>,1,0"),
        "out of the plane": "c;7,1,0",
        "bad class": "c;1,1,9",
        "unknown task": "z;1,1,0",
        "too many": "c;" + ";".join("1,1,0" for _ in range(301)),
    }
    for why, part in bad.items():
        page.goto("about:blank")  # a new load each time (not a hash change of the same page)
        page.goto(f"{server.url}#{config}&d={part}")
        page.wait_for_function("() => window.__playground && window.__playground.state")
        wait_config(page, "c.learning_rate === 0.3")
        toast = page.locator(".toast.error", has_text="points in the address")
        toast.wait_for()
        assert pg_config(page)["dataset"] == "circle", why
        assert page.evaluate("() => window.__playground.custom.points.length") == 0, why
        assert page.evaluate(
            "() => window.__pwned === undefined && !document.querySelector('img')"
        ), why
        assert page.get_attribute("body", "data-connected") == "1"
    # the page still works
    page.click("#step")
    page.wait_for_function("() => window.__playground.state.epoch === 1")


def test_reconnect_sends_the_points_again(browser: Any, tmp_path: Path) -> None:
    """A new session after a lost connection gets this tab's points, also when the address
    cannot carry them (more than 300)."""
    first = BackgroundServer(max_sessions=4).start()
    context = browser.new_context(viewport=test_e2e.VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    try:
        open_page(page, first)
        page.click('.dataset[data-dataset="custom"]')
        rows = [f"{i % 17},{i % 19},{i % 2}" for i in range(320)]
        page.set_input_files("#custom-file", str(write_csv(tmp_path / "many.csv", rows)))
        wait_points(page, 320)
        uploaded = all_points(page)
        assert "&d=" not in page.url
        page.evaluate("() => { window.__data0 = window.__playground.data; }")
        first.stop()
        page.wait_for_function("() => document.body.dataset.connected === '0'")
        with BackgroundServer(first.port, max_sessions=4):
            page.wait_for_function(
                "() => document.body.dataset.connected === '1'"
                " && window.__playground.data !== window.__data0"
                " && window.__playground.config.dataset === 'custom'"
                " && window.__playground.data.train.length"
                " + window.__playground.data.test.length === 320",
                timeout=60_000,
            )
            assert pg_config(page)["dataset"] == "custom"
            assert_same_points(all_points(page), [tuple(p) for p in uploaded], tol=1e-9)
    finally:
        context.close()
