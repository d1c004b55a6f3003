"""``gzmap publish``: the files of a static site — every asset the site's own, named by its
content with a gzip twin, text from the layers escaped in every page, ``--noindex`` and
``--base-url`` written into every page, and a folder holding other files left alone.
(The site in a browser: tests/test_site_browser.py and tests/test_site_parity.py.)"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _site import HOSTILE, HOSTILE_PLACE, hostile_layers

from spatial.cli import main
from spatial.exports.site import SiteFolderError, check_base_url, publish_site

HASHED = re.compile(r"^[A-Za-z0-9_-]+(-[a-z0-9]+)?\.[0-9a-f]{16}\.[a-z]+$")


class _Links(HTMLParser):
    """The URLs a page loads or links to, and its ``robots`` meta tag."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.robots: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key) is not None:
                self.urls.append(a[key])
        if tag == "meta" and a.get("name") == "robots":
            self.robots = a.get("content")


def links(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def config_urls(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    raw = re.search(r"<script type='application/json' id='gzs-config'>(.*?)</script>", text, re.S)
    config = json.loads(raw.group(1))
    if config.get("page") == "alignment":
        return [config["home"]]
    return [
        config["index"],
        config["panels"],
        *config["features"].values(),
        *config["districts"].values(),
        *config["context"].values(),
        *(b["script"] for b in config["basemaps"]),
    ]


@pytest.fixture(scope="module")
def layers(tmp_path_factory) -> Path:
    return hostile_layers(tmp_path_factory.mktemp("layers") / "layers")


@pytest.fixture(scope="module")
def site(layers: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out") / "site"
    publish_site(folder, layers_dir=layers)
    return folder


def test_every_file_is_the_sites_own_named_by_content_with_a_gzip_twin(site: Path) -> None:
    pages = [site / "index.html", *sorted((site / "alignment").glob("*.html"))]
    assert len(pages) >= 2  # the map, and the 规划衔接 page of a district
    for page in pages:
        for url in links(page).urls + config_urls(page):
            assert not re.match(r"^[a-z]+:|^//", url), f"{page.name} loads {url} from outside"
            target = (page.parent / url.split("?")[0]).resolve()
            assert target.exists(), f"{page.name}: {url} is missing"
    data = sorted(p for p in (site / "data").iterdir() if p.suffix != ".gz")
    assert data and all(HASHED.match(p.name) for p in data), [p.name for p in data]
    for path in [*data, *pages]:
        twin = path.with_name(path.name + ".gz")
        if path.suffix == ".png":
            continue
        assert gzip.decompress(twin.read_bytes()) == path.read_bytes(), path.name
    css = next(p for p in data if p.name.startswith("leaflet.") and p.suffix == ".css")
    for image in re.findall(r"url\(([^)#]+)\)", css.read_text(encoding="utf-8")):
        assert HASHED.match(image) and (css.parent / image).exists()  # cached for ever too


def test_text_from_the_layers_is_escaped_in_every_page(site: Path) -> None:
    alignment = (site / "alignment" / "huadu_sti.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;{{7*7}}" in alignment
    panels = json.loads(next((site / "data").glob("panels.*.json")).read_text(encoding="utf-8"))
    assert "<h2>&lt;script&gt;alert(2)&lt;/script&gt;基地</h2>" in panels["hostile-base"]
    for path in [site / "index.html", *(site / "alignment").glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert HOSTILE not in text and HOSTILE_PLACE not in text and "<img" not in text


def test_noindex_asks_robots_to_keep_away(layers: Path, site: Path, tmp_path: Path, capsys) -> None:
    assert not (site / "robots.txt").exists() and links(site / "index.html").robots is None
    folder = tmp_path / "hidden"
    args = ["publish", str(folder), "--layers", str(layers), "--noindex", "--basemap", "none"]
    assert main(args) == 0
    assert f"python -m http.server -d {folder}" in capsys.readouterr().out
    assert (folder / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    for page in [folder / "index.html", *(folder / "alignment").glob("*.html")]:
        assert links(page).robots == "noindex, nofollow"


def test_base_url_starts_every_url(layers: Path, tmp_path: Path) -> None:
    folder = tmp_path / "www" / "plans"
    publish_site(folder, layers_dir=layers, base_url="/plans", basemaps=["none"])
    for page in [folder / "index.html", *(folder / "alignment").glob("*.html")]:
        urls = links(page).urls + config_urls(page)
        assert urls and all(u.startswith("/plans/") for u in urls), (page.name, urls)
        for url in urls:
            assert (tmp_path / "www" / url.lstrip("/").split("?")[0]).exists(), url


@pytest.mark.parametrize(
    "bad", ["plans/", '/plans/"><script>', "javascript:alert(1)", "/a b/", "/plans/?x=1"]
)
def test_a_bad_base_url_is_refused_with_a_message(bad: str, tmp_path: Path, capsys) -> None:
    with pytest.raises(ValueError, match="--base-url"):
        check_base_url(bad)
    assert main(["publish", str(tmp_path / "site"), "--base-url", bad]) == 2
    assert "--base-url" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_a_new_run_replaces_a_site_and_leaves_other_folders_alone(
    layers: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "site"
    publish_site(folder, layers_dir=layers, basemaps=["none"], alignment=False)
    stale = folder / "data" / "features-wgs84.0000000000000000.geojson"
    stale.write_text("{}")
    publish_site(folder, layers_dir=layers, basemaps=["none"], alignment=False)
    assert not stale.exists() and (folder / "index.html").exists()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "gz_sti.geojson").write_text("{not json")
    with pytest.raises(Exception):  # noqa: B017 - whatever the reader raises
        publish_site(folder, layers_dir=broken, basemaps=["none"], alignment=False)
    assert (folder / "index.html").exists()  # layers that cannot be read leave the site as it was
    other = tmp_path / "documents"
    other.mkdir()
    (other / "report.docx").write_bytes(b"keep me")
    with pytest.raises(SiteFolderError):
        publish_site(other, layers_dir=layers)
    assert sorted(p.name for p in other.iterdir()) == ["report.docx"]
