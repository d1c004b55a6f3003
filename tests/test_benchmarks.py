"""The benchmark script runs end to end on a tiny size and prints its table."""

from __future__ import annotations

import subprocess
import sys

from spatial._paths import ROOT


def test_benchmark_script_runs_quick() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--skip", "app", "export", "browser", "site"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "| measure" in out
    assert "1a load all layers" in out and "5c 50 parks: a filter's message" in out and "5d websocket bytes" in out
    assert "figures in" in out
