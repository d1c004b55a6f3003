"""How the project starts Debian's headless Chromium and finds the app's map in a page (browser tests, benchmarks)."""

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


def launch(playwright):
    """Debian's Chromium, headless, under a started Playwright (``sync_playwright()``)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=list(CHROMIUM_ARGS))


#: A JavaScript expression for the Leaflet map the map client drew in a page (its first).
LEAFLET_MAP = "document.querySelector('.gz-map') && document.querySelector('.gz-map').gzMap"


def map_frames(page) -> list:
    """The frames of ``page`` that hold the app's map: the page itself, as the map client
    draws in the page (no iframe)."""
    return [page.main_frame]
