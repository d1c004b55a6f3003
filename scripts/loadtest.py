"""Many users at once: start the app on loopback and open N headless Chromium sessions together.

Measures, per session, the time from opening the page to the first map on screen (a Leaflet
container visible, in the page or in the streamlit-folium frame), and the server's resident
memory and CPU: idle after one warm-up session, with all N sessions open, and after they close,
for ``--rounds`` waves one after another (a leak grows from wave to wave). The server forgets
a closed session after ``--session-ttl`` seconds (5 here; Streamlit's default is 120), so
"after close" shows what the sessions left behind.

Everything is bounded (at most 50 sessions and 5 waves, a deadline per session and for the
whole run), the server is stopped at the end whatever happens, and the browser may only reach
127.0.0.1: any other request (map tiles, fonts) is aborted at once.

    .venv/bin/python scripts/loadtest.py            # 2 waves of 10 sessions
    .venv/bin/python scripts/loadtest.py -n 20 --session-timeout 180

Needs Chromium at /usr/bin/chromium (``make sysdeps``) and the ``playwright`` package (dev extra).
Exit status 0 when every session showed its map, 1 otherwise, 2 when the app did not start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from spatial._chromium import CHROMIUM_ARGS, CHROMIUM_PATH

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = str(CHROMIUM_PATH)
HOST = "127.0.0.1"
MAX_SESSIONS = 50
MAX_ROUNDS = 5
# The map is up once Leaflet has initialised its container (folium's div gets the class then).
MAP_SELECTOR = ".folium-map.leaflet-container, .leaflet-container"


@dataclass
class Session:
    """One simulated user."""

    index: int
    seconds_to_map: float | None = None
    error: str | None = None


# -- the server -----------------------------------------------------------------------------------
def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident memory of a process: psutil when installed, else /proc/<pid>/status."""
    try:
        import psutil
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no VmRSS for process {pid}") from None
    return int(psutil.Process(pid).memory_info().rss)


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone meanwhile
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def family(root: int) -> set[int]:
    """A process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: set[int]) -> float:
    """User plus system CPU time used so far by live processes, from /proc/<pid>/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        if fields := _stat(pid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def start_app(port: int, log: Path, session_ttl: float) -> subprocess.Popen:
    """Start ``streamlit run streamlit_app.py`` bound to loopback, in its own process group."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        HOST,
        "--browser.gatherUsageStats",
        "false",
        "--server.disconnectedSessionTTL",
        f"{session_ttl:g}",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Wait for Streamlit's health endpoint to answer ``ok``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with status {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp,
        ):
            if resp.read().strip() == b"ok":
                return
        time.sleep(0.3)
    raise RuntimeError(f"the app did not answer within {timeout:g} s")


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the app's process group: SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# -- the browser ----------------------------------------------------------------------------------
async def _loopback_only(route) -> None:
    host = urlsplit(route.request.url).hostname
    if route.request.url.startswith(("data:", "blob:")) or host in (HOST, "localhost"):
        await route.continue_()
    else:
        await route.abort("blockedbyclient")


async def _map_visible(page) -> bool:
    for frame in page.frames:
        with contextlib.suppress(Exception):  # a frame may detach while we look
            loc = frame.locator(MAP_SELECTOR).first
            if await loc.count() and await loc.is_visible():
                return True
    return False


async def open_session(browser, url: str, session: Session, timeout: float, hold) -> None:
    """Open the app in a fresh context; time the first map; keep it open until ``hold`` is set."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        await context.route("**/*", _loopback_only)
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        while not await _map_visible(page):
            if time.perf_counter() - start > timeout:
                session.error = f"no map after {timeout:g} s"
                return
            await asyncio.sleep(0.1)
        session.seconds_to_map = time.perf_counter() - start
        await hold.wait()
    except Exception as exc:  # a session's failure is reported, never the end of the run
        session.error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
    finally:
        await context.close()


@dataclass
class Wave:
    """N sessions opened together, and what the server went through meanwhile."""

    sessions: list[Session]
    all_open: int = 0  # server RSS, bytes, with every session of the wave open
    peak: int = 0
    closed: int = 0  # server RSS a few seconds after they closed
    server_cpu: float = 0.0  # seconds, from the first open to all maps shown
    browser_cpu: float = 0.0


def _cpu_split(pid: int) -> tuple[float, float]:
    server = family(pid)
    browser = family(os.getpid()) - server - {os.getpid()}
    return cpu_seconds(server), cpu_seconds(browser)


async def run_wave(
    browser, url: str, n: int, session_timeout: float, pid: int, settle: float
) -> Wave:
    """Open ``n`` sessions at once, wait for every map (or failure), then close them."""
    hold = asyncio.Event()
    wave = Wave([Session(i + 1) for i in range(n)])
    server_cpu, browser_cpu = _cpu_split(pid)
    tasks = [
        asyncio.create_task(open_session(browser, url, s, session_timeout, hold))
        for s in wave.sessions
    ]
    wave.peak = rss_bytes(pid)
    while not all(s.seconds_to_map is not None or s.error for s in wave.sessions):
        wave.peak = max(wave.peak, rss_bytes(pid))
        await asyncio.sleep(0.25)
    await asyncio.sleep(2)  # let the last script runs settle
    wave.all_open = rss_bytes(pid)
    wave.peak = max(wave.peak, wave.all_open)
    after_server, after_browser = _cpu_split(pid)  # before closing: renderers still alive
    wave.server_cpu, wave.browser_cpu = after_server - server_cpu, after_browser - browser_cpu
    hold.set()
    await asyncio.gather(*tasks)
    await asyncio.sleep(settle)  # past the disconnected-session TTL: the sessions are gone
    wave.closed = rss_bytes(pid)
    return wave


async def drive(
    url: str, n: int, rounds: int, session_timeout: float, pid: int, settle: float
) -> dict:
    """Warm up with one session, then ``rounds`` waves of ``n`` sessions."""
    from playwright.async_api import async_playwright

    load = os.getloadavg()[0]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            warm = Session(0)
            released = asyncio.Event()
            released.set()
            await open_session(browser, url, warm, session_timeout, released)
            await asyncio.sleep(2)
            idle = rss_bytes(pid)
            waves = [
                await run_wave(browser, url, n, session_timeout, pid, settle) for _ in range(rounds)
            ]
        finally:
            await browser.close()
    return {"warm": warm, "load": load, "idle": idle, "waves": waves}


# -- report ---------------------------------------------------------------------------------------
def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def report(result: dict, n: int, started_rss: int) -> str:
    """The figures as a two-column table, one column per wave."""
    mib = 1024 * 1024
    warm, waves = result["warm"], result["waves"]
    header = ["", *(f"wave {i + 1}" for i in range(len(waves)))]
    rows: list[list[str]] = [
        ["concurrent sessions", *(str(n) for _ in waves)],
        [
            "maps shown",
            *(f"{sum(s.seconds_to_map is not None for s in w.sessions)}/{n}" for w in waves),
        ],
    ]

    def times(w: Wave) -> list[float]:
        return [s.seconds_to_map for s in w.sessions if s.seconds_to_map is not None]

    for label, fn in (
        ("time to first map p50 (s)", lambda t: statistics.median(t)),
        ("time to first map p95 (s)", lambda t: _percentile(t, 0.95)),
        ("time to first map max (s)", max),
    ):
        rows.append([label, *(f"{fn(times(w)):.2f}" if times(w) else "-" for w in waves)])
    rows += [
        ["server RSS, all open (MiB)", *(f"{w.all_open / mib:.0f}" for w in waves)],
        ["server RSS, peak (MiB)", *(f"{w.peak / mib:.0f}" for w in waves)],
        ["server RSS, after close (MiB)", *(f"{w.closed / mib:.0f}" for w in waves)],
        [
            "RSS growth per open session (MiB)",
            *(f"{(w.all_open - result['idle']) / n / mib:.1f}" for w in waves),
        ],
        ["server CPU per session (s)", *(f"{w.server_cpu / n:.2f}" for w in waves)],
        ["browser CPU per session (s)", *(f"{w.browser_cpu / n:.2f}" for w in waves)],
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *rows]
    ]
    cold = f"{warm.seconds_to_map:.2f} s" if warm.seconds_to_map else f"failed: {warm.error}"
    lines += [
        f"first session alone, cold server: {cold}",
        f"server RSS: {started_rss / mib:.0f} MiB at start, {result['idle'] / mib:.0f} MiB idle "
        "after the warm-up session",
        f"machine: {os.cpu_count()} CPU cores, load average {result['load']:.1f} at start "
        "(the browsers share these cores with the server)",
    ]
    lines += [
        f"wave {i + 1} session {s.index} failed: {s.error}"
        for i, w in enumerate(waves)
        for s in w.sessions
        if s.seconds_to_map is None
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--sessions", type=int, default=10, help="concurrent sessions")
    parser.add_argument(
        "--rounds", type=int, default=2, help="waves of sessions, one after another"
    )
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--session-timeout", type=float, default=120.0, help="seconds per map")
    parser.add_argument("--start-timeout", type=float, default=90.0, help="seconds to start")
    parser.add_argument(
        "--session-ttl",
        type=float,
        default=5.0,
        help="seconds the server keeps a closed session (Streamlit's default is 120)",
    )
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds for the run")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be between 1 and {MAX_SESSIONS}")
    if not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--rounds must be between 1 and {MAX_ROUNDS}")
    if not Path(CHROMIUM).exists():
        parser.error(f"{CHROMIUM} not found (make sysdeps installs it)")
    port = args.port or free_port()
    url = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="gzmap-loadtest-") as tmp:
        log = Path(tmp) / "streamlit.log"
        proc = start_app(port, log, args.session_ttl)
        try:
            try:
                wait_healthy(url, proc, args.start_timeout)
            except RuntimeError as exc:
                print(
                    f"loadtest: {exc}\n{log.read_text(errors='replace')[-2000:]}", file=sys.stderr
                )
                return 2
            started = rss_bytes(proc.pid)
            print(f"app on {url} (pid {proc.pid}); {args.sessions} sessions…", flush=True)
            try:
                result = asyncio.run(
                    asyncio.wait_for(
                        drive(
                            url,
                            args.sessions,
                            args.rounds,
                            args.session_timeout,
                            proc.pid,
                            settle=args.session_ttl + 5,
                        ),
                        args.deadline,
                    )
                )
            except TimeoutError:
                print(f"loadtest: gave up after {args.deadline:g} s", file=sys.stderr)
                return 1
        finally:
            stop_app(proc)
    print(report(result, args.sessions, started))
    ok = result["warm"].seconds_to_map is not None and all(
        s.seconds_to_map is not None for w in result["waves"] for s in w.sessions
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
