"""An upload leaves nothing on the server's disk, whichever process would write it.

Uploads are read in a worker process, a child of a fork server, not in the app's own process:
watching the asking process (``tests/test_hostile_layers.py``) does not see what the worker
writes. Here a fresh Python reads uploads as the app does, with a private temp folder
(``TMPDIR``), home and working directory that the fork server and so every worker inherit; the
test looks into them from outside once it is done. A GeoPackage needs a temporary copy (SQLite
reads files): the worker must remove it, whether the file was read, refused, or the worker was
stopped at a limit.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from spatial._paths import ROOT

HOSTILE = Path(__file__).parent / "data" / "hostile"
_spec = importlib.util.spec_from_file_location("make_fixtures", HOSTILE / "make_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

#: Reads each file named on the command line as the app reads an upload; ``name:seconds`` reads
#: it under that time limit instead of the worker's own. Prints what became of each as JSON.
READER = """
import json, sys
from pathlib import Path
from spatial.uploads.reader import _run_worker, read_user_layer, start_worker

start_worker()
out = []
for arg in sys.argv[1:]:
    path, _, seconds = arg.partition(":")
    data = Path(path).read_bytes()
    if seconds:
        answer = _run_worker(data, Path(path).name, seconds=float(seconds))
        out.append({"ok": False, "problems": answer["problems"], "rows": None})
    else:
        layer = read_user_layer(data, Path(path).name)
        rows = None if layer.gdf is None else len(layer.gdf)
        out.append({"ok": layer.ok, "problems": layer.problems, "rows": rows})
print(json.dumps(out, ensure_ascii=False))
"""


def _read_in_a_fresh_server(tmp_path: Path, *args: str) -> tuple[list[dict], list[Path]]:
    """What became of each upload, and every file or folder left in the process's temp folder,
    home and working directory (made empty for it)."""
    private = [tmp_path / "tmp", tmp_path / "home", tmp_path / "cwd"]
    for folder in private:
        folder.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(private[0]),
        "HOME": str(private[1]),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if "__mutmut_" not in env.get("MUTANT_UNDER_TEST", "__mutmut_"):
        del env["MUTANT_UNDER_TEST"]  # mutmut tracing its own process: this one runs plain code
    proc = subprocess.run(
        [sys.executable, "-c", READER, *args], cwd=private[2], env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    left = sorted(p for folder in private for p in folder.rglob("*"))
    return json.loads(proc.stdout.splitlines()[-1]), left


def _gpkg(path: Path, frame: gpd.GeoDataFrame) -> str:
    frame.to_file(path, driver="GPKG")
    return str(path)


def test_geopackages_read_or_refused_leave_no_file_behind(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    good = str(fixtures.base_gpkg(uploads / "places.gpkg"))  # two places, lon/lat
    wgs = gpd.GeoDataFrame(
        {"name": ["甲", "乙", "丙"]},
        geometry=[shapely.Point(113.3665, 23.0855), shapely.Point(113.49, 23.366),
                  shapely.Point(113.32, 23.12)],
        crs="EPSG:4326",
    )
    utm = _gpkg(uploads / "utm.gpkg", wgs.to_crs("EPSG:32649"))  # read through a reprojection
    whole = (uploads / "places.gpkg").read_bytes()
    cut = uploads / "cut.gpkg"
    cut.write_bytes(whole[: len(whole) // 3])
    view = uploads / "view.gpkg"
    view.write_bytes(fixtures.hostile_gpkg(uploads / "view_src.gpkg", "view_bomb"))
    geojson = str(HOSTILE / "good_upload.geojson")

    answers, left = _read_in_a_fresh_server(tmp_path, good, utm, str(cut), str(view), geojson)

    assert [(a["ok"], a["rows"]) for a in answers] == [
        (True, 2), (True, 3), (False, None), (False, None), (True, 3)
    ], answers
    assert "无法读取 GeoPackage" in answers[2]["problems"][0]
    assert "视图而非数据表" in answers[3]["problems"][0]
    assert left == []


def test_a_worker_stopped_at_its_time_limit_leaves_no_file_behind(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    many = gpd.GeoDataFrame(
        {"name": [f"点{i}" for i in range(4000)]},
        geometry=[shapely.Point(113.2 + i / 20000, 23.1) for i in range(4000)],
        crs="EPSG:4326",
    )
    big = _gpkg(uploads / "many.gpkg", many)
    answers, left = _read_in_a_fresh_server(tmp_path, f"{big}:0.05")
    assert any("文件处理超时" in p for p in answers[0]["problems"]), answers
    assert left == []


@pytest.mark.parametrize("kind", ["trigger", "generated_column"])
def test_hostile_geopackages_leave_no_file_behind(tmp_path: Path, kind: str) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    path = uploads / f"{kind}.gpkg"
    fixtures.hostile_gpkg(path, kind)
    answers, left = _read_in_a_fresh_server(tmp_path, str(path))
    assert answers[0]["ok"] == (kind == "trigger"), answers
    assert left == []
