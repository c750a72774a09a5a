"""Take the playground's screenshot for the docs (docs/playground.png).

    python -m tests.playground.screenshot [--preset spiral_multiclass] [--seconds 20]
        [--out docs/playground.png] [--width 1280] [--height 720] [--lang ko]

Starts the server on a free loopback port, opens the page in the system Chromium, applies a
preset, trains until the training loss is low (or --seconds pass), pauses and saves the page.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from gradlab.playground.server import BackgroundServer

from .browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="spiral_multiclass")
    ap.add_argument("--seconds", type=float, default=40.0, help="seconds of training at most")
    ap.add_argument("--loss", type=float, default=0.05, help="stop once the training loss is below")
    ap.add_argument("--out", default=str(ROOT / "docs" / "playground.png"))
    # a common laptop screen: the page is laid out to fit it without scrolling sideways
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--chromium", default=CHROMIUM)
    ap.add_argument("--show-test", action="store_true", help="draw the test points too")
    ap.add_argument("--lang", choices=("en", "ko"), default=None, help="the page's language")
    args = ap.parse_args()

    server = BackgroundServer(max_sessions=2).start()
    url = server.url + (f"?lang={args.lang}" if args.lang else "")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url)
            page.wait_for_function("() => window.__playground && window.__playground.state")
            page.select_option("#preset", args.preset)
            page.wait_for_function("() => window.__playground.counts.configs >= 2")
            if args.show_test:
                page.check("#show-test")
            page.click("#play")
            # train until the loss is low; when time is up, stop at a point near the best loss
            # seen rather than on a spike (for at most 20 s more)
            start = time.monotonic()
            best = float("inf")
            while True:
                loss = page.evaluate("() => window.__playground.state.train_loss")
                if loss is not None:
                    best = min(best, loss)
                    if loss < args.loss:
                        break
                elapsed = time.monotonic() - start
                if elapsed > args.seconds and (loss is None or loss <= 1.2 * best):
                    break
                if elapsed > args.seconds + 20:
                    break
                time.sleep(0.25)
            page.click("#play")
            page.wait_for_function("() => window.__playground.state.running === false")
            page.wait_for_timeout(300)
            # hover one link so the picture shows a weight's tooltip
            xy = (
                page.locator("#links path.link-hit")
                .nth(58)
                .evaluate(
                    """p => { const q = p.getPointAtLength(p.getTotalLength() * 0.5);
                          const m = p.getScreenCTM();
                          return [q.x * m.a + m.e, q.y * m.d + m.f]; }"""
                )
            )
            page.mouse.move(*xy)
            page.wait_for_timeout(200)
            page.screenshot(path=args.out)
            browser.close()
        print(f"wrote {args.out}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
