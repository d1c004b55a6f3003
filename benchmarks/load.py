"""``python -m benchmarks --load``: many users at once, as the server sees them.

Each setup (one Streamlit process, or nginx + N replicas started by ``deploy/run.sh``; with the
repository's production settings or with Streamlit's defaults as the baseline) is started on
loopback, warmed with one session per process, then:

* **burst**: ``--sessions`` users open the same link at the same moment (a department opening
  the morning's briefing link). Each lands, then changes the industry filter, each to its own
  choice. Printed: sessions/s (users served / time until the last one's page was complete),
  p50/p95 seconds from opening to the map message, the server's CPU seconds per new session and
  per filter change (all its processes, from psutil), and its resident memory. Every session
  must see the same map on landing, and after its filter change a map and URL of its own
  choice: an error or a mixed-up session is counted and printed.
* **churn**: ``--churn`` sessions opened and closed in waves of ``--sessions`` against one
  process; resident memory after each wave, and once the closed sessions have expired
  (``--session-ttl`` seconds, shorter than the production 60 s so the run stays short).

Protocol-level client (:mod:`benchmarks.stclient`): no browser renders anything, so the
figures are the server's alone. It models a browser: before each burst one real Chromium page
is opened (when Chromium is installed); the files it fetched from the app are fetched by every
simulated user of a setup without nginx (with nginx, nginx serves them), and its server CPU is
printed beside the simulated users' own figure. Everything is bounded (sessions, waves, a timeout per run and a
deadline for the whole run). Setups with nginx are skipped, saying so, where it is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from benchmarks.servers import Server, nginx_path, serve
from benchmarks.stclient import ProtocolError, Session

MAX_SESSIONS = 200
MAX_CHURN = 1000
#: The shared link of the burst: a view a briefing would send round.
DEFAULT_LINK = ""


@dataclass(frozen=True)
class Setup:
    replicas: int
    proxy: bool
    profile: str

    @property
    def label(self) -> str:
        where = f"nginx + {self.replicas} replicas" if self.proxy else "1 process"
        return where + (", baseline settings" if self.profile == "baseline" else "")


SETUPS = {
    "single-baseline": Setup(1, False, "baseline"),
    "single": Setup(1, False, "production"),
    "proxy1": Setup(1, True, "production"),
    "proxy2-baseline": Setup(2, True, "baseline"),
    "proxy2": Setup(2, True, "production"),
}
DEFAULT_SETUPS = ["single-baseline", "single", "proxy2-baseline", "proxy2"]


@dataclass
class Burst:
    setup: Setup
    sessions: int
    wall: float = 0.0  # until every landing finished
    to_map: list[float] = field(default_factory=list)
    land_cpu: float = 0.0
    change_cpu: float = 0.0
    changes: int = 0
    rss_idle: int = 0
    rss_open: int = 0
    rss_each: list[int] = field(default_factory=list)
    client_cpu: float = 0.0
    real_cpu: float | None = None  # the server's CPU for one page opened in Chromium
    assets: int = 0  # files each simulated user fetched besides the page
    errors: list[str] = field(default_factory=list)
    mixed: int = 0

    @property
    def rate(self) -> float:
        return self.sessions / self.wall if self.wall else 0.0


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def _land(
    url: str, link: str, timeout: float, assets: tuple[str, ...] = ()
) -> tuple[Session, float, object]:
    """Open a session at ``?link`` (fetching ``assets`` first, as a browser would); seconds
    from opening to the map message, and the run."""
    session = Session(url, timeout, assets)
    start = time.perf_counter()
    await session.connect()
    run = await session.land(link)
    if run.seconds_to_map is None:
        raise ProtocolError("the page has no map")
    return session, time.perf_counter() - start - (run.seconds - run.seconds_to_map), run


async def warm(server: Server, link: str, timeout: float) -> None:
    """One session on every process (imports, caches)."""
    for url in server.replica_urls:
        session, _seconds, _run = await _land(url, link, timeout)
        await session.close()


async def burst(server: Server, setup: Setup, n: int, link: str, timeout: float) -> Burst:
    """``n`` sessions open ``link`` together, then each picks its own industry."""
    out = Burst(setup, n)
    await warm(server, link, timeout)
    assets: tuple[str, ...] = ()
    from spatial.testing.chromium import CHROMIUM_PATH

    if CHROMIUM_PATH.exists():
        from benchmarks.browser import real_page

        try:
            paths, out.real_cpu = await asyncio.to_thread(real_page, server, link)
        except RuntimeError as exc:  # a page that does not draw is an error of the setup
            out.errors.append(f"real Chromium page: {exc}")
            paths = []
        if not setup.proxy:  # without nginx the app serves these files itself
            assets = tuple(paths)
        out.assets = len(assets)
    await asyncio.sleep(1.0)
    idle = server.usage()
    out.rss_idle = idle.rss
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    landed = await asyncio.gather(*(_land(server.url, link, timeout, assets) for _ in range(n)),
                                  return_exceptions=True)
    out.wall = time.perf_counter() - t0
    mid = server.usage()
    sessions: list[Session] = []
    digests = set()
    for item in landed:
        if isinstance(item, BaseException):
            out.errors.append(f"landing: {type(item).__name__}: {item}")
            continue
        session, seconds, run = item
        sessions.append(session)
        out.to_map.append(seconds)
        digests.add(run.map_digest)
    if len(digests) > 1:  # one link, one view: every session must get the same map
        out.mixed += len(digests) - 1
    out.land_cpu = mid.cpu - idle.cpu

    changed = await asyncio.gather(*(_change(s, i) for i, s in enumerate(sessions)),
                                   return_exceptions=True)
    after = server.usage()
    by_pick: dict[str, set[str]] = {}
    for item in changed:
        if isinstance(item, BaseException):
            out.errors.append(f"filter change: {type(item).__name__}: {item}")
            continue
        tag, run, own_url = item
        out.changes += 1
        out.mixed += not own_url
        by_pick.setdefault(tag, set()).add(run.map_digest)
    out.mixed += sum(len(d) - 1 for d in by_pick.values())
    out.change_cpu = after.cpu - mid.cpu
    out.rss_open, out.rss_each = after.rss, after.rss_each
    out.client_cpu = time.process_time() - cpu0
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return out


async def _change(session: Session, i: int) -> tuple[str, object, bool]:
    """Pick the session's own industry; whether the URL the app set names exactly that one."""
    options = session.widgets["industries"].options
    label = options[i % len(options)]  # "生物医药 Biomedicine (12)", "\u3000└ 集成电路 …" under a group
    tag = label.lstrip("\u3000└├ ").split(" ")[0]
    run = await session.pick("industries", [label])
    if run.seconds_to_map is None:
        raise ProtocolError("no map after the filter change")
    query = parse_qs(run.query_string or "")
    return tag, run, query.get("industries") == [tag]


async def churn(server: Server, total: int, wave: int, ttl: float, timeout: float) -> list[tuple[str, int]]:
    """Open and close ``total`` sessions in waves; resident memory along the way."""
    await warm(server, "", timeout)
    points = [("after one session", server.usage().rss)]
    done = 0
    while done < total:
        k = min(wave, total - done)
        landed = await asyncio.gather(*(_land(server.url, "", timeout) for _ in range(k)),
                                      return_exceptions=True)
        failures = [x for x in landed if isinstance(x, BaseException)]
        if failures:
            raise ProtocolError(f"{len(failures)} sessions failed: {failures[0]}")
        await asyncio.gather(*(s.close() for s, _, _ in landed))
        done += k
        points.append((f"{done} opened and closed", server.usage().rss))
    await asyncio.sleep(ttl + 8)  # Streamlit forgets a closed session after the TTL
    points.append((f"{done} closed, {ttl + 8:g} s later", server.usage().rss))
    return points


# -- report ---------------------------------------------------------------------------------------
def _s(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def burst_table(rows: list[Burst]) -> str:
    head = ["setup", "sessions", "sessions/s", "p50 to map", "p95 to map", "CPU/session",
            "CPU/real Chromium page", "files/session", "CPU/filter change", "RSS per process",
            "RSS/open session", "errors", "mixed"]
    cells = []
    mib = 1024 * 1024
    for b in rows:
        per_open = (b.rss_open - b.rss_idle) / max(1, b.sessions) / mib
        cells.append([
            b.setup.label, str(b.sessions), f"{b.rate:.2f}",
            _s(statistics.median(b.to_map)) if b.to_map else "—",
            _s(percentile(b.to_map, 0.95)) if b.to_map else "—",
            _s(b.land_cpu / b.sessions),
            _s(b.real_cpu) if b.real_cpu is not None else "—",
            str(b.assets),
            _s(b.change_cpu / b.changes) if b.changes else "—",
            " + ".join(f"{r / mib:.0f}" for r in b.rss_each) + " MiB",
            f"{per_open:.1f} MiB", str(len(b.errors)), str(b.mixed),
        ])
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head))]
    line = lambda c: "| " + " | ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(line(c) for c in cells)])


def verdicts(rows: list[Burst]) -> list[str]:
    """The issue's targets, each with its figure (the median over repeated runs of a setup)."""
    by_setup: dict[Setup, list[Burst]] = {}
    for b in rows:
        by_setup.setdefault(b.setup, []).append(b)

    def med(setup: Setup, fn) -> float | None:
        values = [fn(b) for b in by_setup.get(setup, []) if b.sessions and b.to_map]
        values = [v for v in values if v == v]  # no NaN (a run without filter changes)
        return statistics.median(values) if values else None

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    one, two = SETUPS["single"], SETUPS["proxy2"]
    out = []
    cpu = med(one, lambda b: b.land_cpu / b.sessions)
    if cpu is not None:
        out.append(f"new-session CPU, 1 process: {_s(cpu)} (target ≤ 150 ms) {verdict(cpu <= 0.15)}")
    cpu = med(one, lambda b: b.change_cpu / b.changes if b.changes else float("nan"))
    if cpu is not None:
        out.append(f"filter-change CPU, 1 process: {_s(cpu)} (target ≤ 100 ms) "
                   + verdict(cpu <= 0.10))
    for setup, where in ((one, "1 process"), (two, "nginx + 2 replicas")):
        real = med(setup, lambda b: b.real_cpu if b.real_cpu is not None else float("nan"))
        if real is not None:
            out.append(f"server CPU of a real Chromium page, {where}: {_s(real)}"
                       + (f" (target ≤ 80 ms) {verdict(real <= 0.08)}" if setup is two else ""))
    rate1, rate2 = med(one, lambda b: b.rate), med(two, lambda b: b.rate)
    if rate1 and rate2:
        gain = rate2 / rate1
        out.append(f"throughput, 2 replicas / 1 process: {gain:.2f}× (target ≥ 1.6×) "
                   + verdict(gain >= 1.6))
    p95 = med(two, lambda b: percentile(b.to_map, 0.95))
    if p95 is not None:
        out.append(f"p95 to map, sessions together via nginx + 2: {_s(p95)} (target ≤ 5 s) "
                   + verdict(p95 <= 5))
    bad = sum(len(b.errors) + b.mixed for b in rows)
    out.append("errors and mixed sessions: " + ("none" if not bad else f"{bad} (MISSED)"))
    return out


# -- command line ---------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("load test (--load)")
    g.add_argument("--load", action="store_true",
                   help="run the load test instead of the other benchmarks")
    g.add_argument("--sessions", type=int, default=20, help="users arriving together")
    g.add_argument("--setups", nargs="*", default=DEFAULT_SETUPS, choices=list(SETUPS))
    g.add_argument("--repeat", type=int, default=1,
                   help="runs of each setup, taking turns; the targets use their medians")
    g.add_argument("--churn", type=int, default=200,
                   help="sessions opened and closed for the memory figure (0: skip)")
    g.add_argument("--churn-setups", nargs="*", default=["single"],
                   choices=[k for k, v in SETUPS.items() if not v.proxy],
                   help="settings for --churn (one process each)")
    g.add_argument("--session-ttl", type=float, default=5.0,
                   help="seconds a closed session is kept, for --churn")
    g.add_argument("--link", default=DEFAULT_LINK, help="query string every session opens")
    g.add_argument("--timeout", type=float, default=120.0, help="seconds per script run")
    g.add_argument("--deadline", type=float, default=1200.0, help="seconds for the whole run")


async def _run_all(args: argparse.Namespace) -> tuple[list[Burst], list[str], dict]:
    rows: list[Burst] = []
    notes: list[str] = []
    # Repeated setups take turns, so a busy moment of a shared machine falls on all of them.
    for name in [n for _ in range(args.repeat) for n in args.setups]:
        setup = SETUPS[name]
        if setup.proxy and nginx_path() is None:
            notes.append(f"{setup.label}: skipped, nginx is not installed (make sysdeps)")
            continue
        print(f"… {setup.label}", flush=True, file=sys.stderr)
        try:
            with serve(setup.replicas, setup.proxy, setup.profile) as server:
                rows.append(await burst(server, setup, args.sessions, args.link, args.timeout))
        except Exception as exc:  # a failed setup is reported, the run goes on
            notes.append(f"{setup.label}: FAILED, {type(exc).__name__}: {exc}")
    points: dict[str, list[tuple[str, int]]] = {}
    for name in args.churn_setups if args.churn else []:
        setup = SETUPS[name]
        print(f"… churn, {setup.label}", flush=True, file=sys.stderr)
        ttl = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": f"{args.session_ttl:g}"}
        try:
            with serve(profile=setup.profile, env=ttl) as server:
                points[setup.label] = await churn(
                    server, args.churn, args.sessions, args.session_ttl, args.timeout
                )
        except Exception as exc:  # reported, the run goes on
            notes.append(f"churn, {setup.label}: FAILED, {type(exc).__name__}: {exc}")
    return rows, notes, points


def run(args: argparse.Namespace) -> int:
    """Run the load test and print its tables; 1 when a session failed or was mixed up."""
    if not 1 <= args.sessions <= MAX_SESSIONS:
        raise SystemExit(f"--sessions must be 1..{MAX_SESSIONS}")
    if not 1 <= args.repeat <= 5:
        raise SystemExit("--repeat must be 1..5")
    if not 0 <= args.churn <= MAX_CHURN:
        raise SystemExit(f"--churn must be 0..{MAX_CHURN}")
    t0 = time.perf_counter()
    load = os.getloadavg()
    rows, notes, points = asyncio.run(asyncio.wait_for(_run_all(args), args.deadline))
    print(burst_table(rows))
    print()
    for line in verdicts(rows):
        print("- " + line)
    for note in notes:
        print("- " + note)
    if points:
        labels = list(points)
        print(f"\nresident memory (MiB), {args.churn} sessions opened and closed in waves of "
              f"{args.sessions}, closed sessions kept {args.session_ttl:g} s:")
        print(f"  {'':<32} " + "  ".join(f"{x:>{len(x)}}" for x in labels))
        for i, (step, _) in enumerate(points[labels[0]]):
            cells = [f"{points[x][i][1] / 1024 / 1024:>{len(x)}.0f}" for x in labels]
            print(f"  {step:<32} " + "  ".join(cells))
    print(f"\n{os.cpu_count()} cores; load average {load[0]:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at the end; {time.perf_counter() - t0:.0f} s; "
          f"client CPU per session {_s(sum(b.client_cpu for b in rows) / max(1, sum(b.sessions for b in rows)))}")
    for b in rows:
        for err in b.errors[:5]:
            print(f"{b.setup.label}: {err}")
    failed = any("FAILED" in note for note in notes)
    return 1 if failed or any(b.errors or b.mixed for b in rows) else 0
