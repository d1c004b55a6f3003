"""How the project starts Debian's headless Chromium (browser test, load test)."""

from __future__ import annotations

from pathlib import Path

#: Debian's package installs it here (``make sysdeps``); no browser is ever downloaded.
CHROMIUM_PATH = Path("/usr/bin/chromium")

#: Root in a container needs ``--no-sandbox``; the rest keep Chromium off the network.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
