"""The light verbs of the command line: rows 8a-8c, ``python -m benchmarks.cli`` (also part of
``python -m benchmarks``).

Each figure is the CPU time (user + system, from ``getrusage`` of the finished child) of a whole
``gzmap`` process, interpreter start-up and imports included: what a user's shell pays.

* **8a** ``gzmap here LON LAT`` with its cached index current (the usual case), against the
  baseline of the same answer from the layers frame (``load_layers`` + ``what_is_here``, what
  the command ran before it had an index);
* **8b** the same with ``--json``;
* **8c** the first run after a layer file changed: the index rebuilt from the layers and written.

Python's bytecode cache counts: with ``PYTHONDONTWRITEBYTECODE`` set and no ``.pyc`` files,
every run compiles its imports again, some 0.3 s more (the rows say so).

Usage::

    python -m benchmarks.cli               # ~20 seconds
    python -m benchmarks.cli --runs 11
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.__main__ import Row, print_table

POINT = ("113.45", "23.17")  # 黄埔, among the 科学城 parks
FRAME_PATH = (
    "from spatial.plans.layers import load_layers; "
    "from spatial.query.here import format_here, what_is_here; "
    f"print(format_here(what_is_here(load_layers(), {POINT[0]}, {POINT[1]})))"
)


def child_cpu(cmd: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one run of ``cmd`` (its output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _bytecode_cached() -> bool:
    """Whether numpy's bytecode is cached, or will be after the first run."""
    origin = importlib.util.find_spec("numpy").origin
    cached = Path(importlib.util.cache_from_source(origin)).is_file()
    return cached or not os.environ.get("PYTHONDONTWRITEBYTECODE")


def bench_cli(runs: int) -> list[Row]:
    """Rows 8a-8c (medians of ``runs`` runs, in turns with the baseline)."""
    here = [sys.executable, "-m", "spatial.cli", "here", *POINT]
    frame = [sys.executable, "-c", FRAME_PATH]
    note = "" if _bytecode_cached() else " (no .pyc: imports compiled every run)"
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {**os.environ, "GZMAP_CACHE_DIR": str(cache)}
        child_cpu(here, env)  # writes the index (and bytecode, where allowed)
        warm, base, json_, cold = [], [], [], []
        for _ in range(runs):
            warm.append(child_cpu(here, env))
            base.append(child_cpu(frame, env))
            json_.append(child_cpu([*here, "--json"], env))
            shutil.rmtree(cache)
            cold.append(child_cpu(here, env))
    med = statistics.median
    return [
        Row(f"8a gzmap here LON LAT, CPU, index current (baseline: from the frame){note}",
            (min(warm), med(warm), max(warm)), "s", baseline=med(base), target=0.3),
        Row(f"8b gzmap here LON LAT --json, CPU, index current{note}",
            (min(json_), med(json_), max(json_)), "s", target=0.3),
        Row(f"8c gzmap here LON LAT, CPU, index rebuilt (first run after a layer change){note}",
            (min(cold), med(cold), max(cold)), "s"),
    ]


def main(argv: list[str] | None = None) -> int:
    """Print rows 8a-8c."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    args = parser.parse_args(argv)
    print_table(bench_cli(max(args.runs, 1)))
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
