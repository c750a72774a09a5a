"""The system Chromium the playground's browser tests and screenshot script drive."""

from __future__ import annotations

import os

#: Debian's package (`apt-get install chromium`); GRADLAB_CHROMIUM points elsewhere.
CHROMIUM = os.environ.get("GRADLAB_CHROMIUM", "/usr/bin/chromium")

#: Headless, and nothing that reaches for the network (a closed network refuses it, many times
#: per start) or leaves state behind.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
