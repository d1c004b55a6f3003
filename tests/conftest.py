"""Fixtures shared by the tests: the curated layers, the headless browser, the app on the test
layers, and the margin of the ``perf`` tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import geopandas as gpd
import pytest
from hypothesis import settings

from spatial.plans.layers import load_layers

# No per-example time limit (hypothesis's default is 200 ms): on a shared machine it fails a
# correct test; speed is measured in benchmarks/ and the perf tests. The same examples on every
# run (derandomize): the suite gates CI, and a failure is the same for whoever runs it again.
# GZMAP_HYPOTHESIS_PROFILE=explore draws new examples each run, to look for what these miss.
settings.register_profile("gzplan", deadline=None, derandomize=True)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("GZMAP_HYPOTHESIS_PROFILE", "gzplan"))


@pytest.fixture(scope="session")
def layers() -> gpd.GeoDataFrame:
    """All curated features (the shared cached frame: read it, never modify it)."""
    return load_layers()


@pytest.fixture(scope="session")
def by_name(layers: gpd.GeoDataFrame) -> dict[str, str]:
    """Every name and alias -> feature id."""
    index: dict[str, str] = {}
    for fid, row in layers.iterrows():
        for name in [row["name"], *row["aliases"]]:
            index[name] = fid
    return index


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium under Playwright; skips, saying what is missing, without it."""
    from _browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free loopback port, on the small test layers (``_appdata``), its own server
    for each test module."""
    from _appdata import build_fixture_layers
    from _browser import app_for_test

    layers = build_fixture_layers(tmp_path_factory.mktemp("browser_layers"))
    log = tmp_path_factory.mktemp("browser_log") / "streamlit.log"
    with app_for_test(log, env={"GZMAP_LAYERS_DIR": str(layers)}) as app:
        yield app.url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--perf-margin", type=float, default=1.0,
        help="factor on the time and memory bounds of the perf tests (make test: 2, as the "
        "machine is shared; 1 checks the stated bounds on a quiet machine)",
    )


@pytest.fixture(scope="session")
def perf_margin(request: pytest.FixtureRequest) -> float:
    """The factor the ``perf`` tests multiply their time and memory bounds by."""
    return request.config.getoption("--perf-margin")


@pytest.fixture(scope="session", autouse=True)
def _upload_worker_of_this_process() -> Iterator[None]:
    """Under mutmut (``make mutation``), which names what it runs in ``MUTANT_UNDER_TEST``.

    Each mutant's tests run in a fork of one process and would inherit its upload fork server,
    started before the mutant was chosen, whose workers run the code unmutated: forget it (it
    is the parent's), so the first upload starts one that runs the mutant. While mutmut traces
    which tests call what ("stats") or checks its set-up, the worker runs the plain code: its
    fork server starts without the variable (tracing cannot follow into another process).
    """
    mode = os.environ.get("MUTANT_UNDER_TEST")
    if mode is not None:
        from multiprocessing import forkserver

        from spatial.uploads.reader import start_worker

        server = forkserver._forkserver
        server._forkserver_pid = server._forkserver_address = server._forkserver_alive_fd = None
        if "__mutmut_" not in mode:
            del os.environ["MUTANT_UNDER_TEST"]
            try:
                start_worker()
            finally:
                os.environ["MUTANT_UNDER_TEST"] = mode
    yield
