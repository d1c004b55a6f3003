"""Shared pieces of the headless-Chromium tests: the app as a pytest fixture, the browser, and
finding the map's iframe once it shows something."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from spatial.testing.appserver import AppNotStarted, RunningApp, run_app
from spatial.testing.chromium import CHROMIUM_PATH, launch, map_frames

STARTUP_LIMIT_S = 90
WAIT_MS = 60_000


@contextlib.contextmanager
def app_for_test(
    log: Path, env: Mapping[str, str | None] | None = None, args: Sequence[str] = ()
) -> Iterator[RunningApp]:
    """:func:`spatial.testing.appserver.run_app`, failing the test (with the server's log) if it
    does not start."""
    try:
        with run_app(env=env, args=args, log=log, startup_s=STARTUP_LIMIT_S) as app:
            yield app
    except AppNotStarted as exc:
        pytest.fail(str(exc))


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's Chromium under Playwright, or a skip that says what is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM_PATH.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


def map_frame_with(page, selector: str, without: str | None = None, timeout_ms: int = WAIT_MS):
    """The frame holding the map once it holds ``selector`` (and, if given, no ``without``)."""
    from playwright.sync_api import Error

    waited = 0
    while waited <= timeout_ms:
        for frame in map_frames(page):
            try:
                if frame.locator(selector).count() and (
                    without is None or not frame.locator(without).count()
                ):
                    return frame
            except Error:  # the old map went away while being looked at
                continue
        page.wait_for_timeout(200)
        waited += 200
    raise AssertionError(f"no map showed {selector!r} within {timeout_ms / 1000:g} s")


def wait_settled(page, quiet_ms: int = 1500, timeout_ms: int = WAIT_MS) -> None:
    """Wait until the app has run no script for ``quiet_ms`` in a row, as a person looks at a
    new page before clicking on it: a busy server may still be in the page's run when the map
    is first drawn."""
    app = page.locator('[data-testid="stApp"]')
    quiet = waited = 0
    while waited <= timeout_ms:
        state = app.get_attribute("data-test-script-state")
        quiet = quiet + 100 if state == "notRunning" else 0
        if quiet >= quiet_ms:
            return
        page.wait_for_timeout(100)
        waited += 100
    raise AssertionError(f"the app kept running its script for {timeout_ms / 1000:g} s")
