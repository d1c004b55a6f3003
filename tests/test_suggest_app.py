"""建议修改 through the app's widgets (``AppTest``, the fixture slice of the plans): what a person
types becomes the change file's "after" beside the place's current values, GCJ-02 positions are
converted, hostile or wrong input keeps the download shut and is shown as text, and 修改记录 is
escaped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _appdata import build_fixture_layers
from streamlit.testing.v1 import AppTest

from spatial._paths import ROOT
from spatial.geo.coords import wgs84_to_gcj02
from spatial.plans.edits.changefile import parse_change

APP = str(ROOT / "streamlit_app.py")
PLACE = "shengwudao"  # a point on 国际生物岛 (黄埔区, 海珠区) in the fixture


@pytest.fixture(scope="module")
def layers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_layers(tmp_path_factory.mktemp("suggest_layers"))


@pytest.fixture
def app(layers_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("GZMAP_LAYERS_DIR", str(layers_dir))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["node"] = PLACE
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open_form(at: AppTest, **typed: str) -> AppTest:
    run(at)
    at.toggle(key=f"sg_open_{PLACE}").set_value(True)
    run(at)
    for key, value in typed.items():
        widget = at.text_area(key=f"sg_{PLACE}_{key}") if key in ("reason", "pasted") else (
            at.text_input(key=f"sg_{PLACE}_{key}"))
        widget.set_value(value)
    return run(at)


def _download(at: AppTest):
    (button,) = at.get("download_button")
    return button.proto


def test_a_typed_gcj02_position_becomes_the_wgs84_after_beside_the_current_point(app):
    lon, lat = 113.3700, 23.0780
    glon, glat = wgs84_to_gcj02(lon, lat)
    at = _open_form(app, lonlat=f"{glon:.6f}, {glat:.6f}", reason="码头旁边。", author="李工",
                    source="生物岛管委会")
    at.radio(key=f"sg_{PLACE}_crs").set_value("gcj02")
    run(at)
    assert not at.warning, [w.value for w in at.warning]
    assert not _download(at).disabled
    change = parse_change(at.code[0].value)
    before, after = change.fields["geometry"]
    assert before == {"point": [113.369, 23.077]}
    assert after["point"] == pytest.approx([lon, lat], abs=2e-6)
    assert (change.action, change.author, change.source) == ("edit", "李工", "生物岛管委会")
    assert "location_source" not in change.fields  # not touched, not changed


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ({"author": "<script>alert(1)</script>"}, "markup"),
        ({"lonlat": "113.33, 23.13"}, "not in 黄埔区、海珠区"),  # 天河区
        ({"lonlat": "23.1, 113.3, 7"}, "两个数字"),
        ({"lonlat": "121.47, 31.23"}, "outside Guangzhou"),  # Shanghai
        ({"pasted": "生物岛是一个岛"}, "not verbatim"),
    ],
)
def test_wrong_or_hostile_input_keeps_the_download_shut_and_says_why(app, typed, says):
    base = {"lonlat": "113.370, 23.078", "reason": "测试。", "author": "李工", "source": "地址"}
    at = _open_form(app, **{**base, **typed})
    warnings = " ".join(w.value for w in at.warning)
    assert says in warnings.replace("\\", ""), warnings
    assert _download(at).disabled
    assert "<script" not in warnings


def test_nothing_changed_means_nothing_to_download(app):
    at = _open_form(app, reason="测试。", author="李工")
    assert _download(at).disabled
    assert "Nothing is changed yet" in " ".join(w.value for w in at.warning)


def test_history_is_listed_newest_first_and_escaped(tmp_path, monkeypatch):
    layers = build_fixture_layers(tmp_path / "layers")
    history = layers / "src" / "history"
    history.mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "data" / "history_hostile.yaml", history / f"{PLACE}.yaml")
    monkeypatch.setenv("GZMAP_LAYERS_DIR", str(layers))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["node"] = PLACE
    run(at)
    shown = "\n".join(m.value for m in at.markdown)
    assert "修改记录 History**（2）" in shown
    assert shown.index("12&#45;05") < shown.index("11&#45;30")  # newest first (escaped dates)
    assert "<img" not in shown and "&#60;img" in shown and "<script" not in shown
    assert "](javascript" not in shown and "**bold" not in shown

