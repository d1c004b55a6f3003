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


def map_frames(page) -> list:
    """The app's map iframes (streamlit-folium) on ``page`` that are still attached."""
    return [f for f in page.frames if "streamlit_folium" in f.url and not f.is_detached()]
