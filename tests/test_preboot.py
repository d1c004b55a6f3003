"""The page that draws the map before Streamlit's front end starts: Streamlit's page rewritten
(:mod:`spatial.webmap.preboot`), served so by the app's own server (:mod:`app.preboot`) and
by nginx's copy (``deploy/publish.py``), and the manifests it draws from. What the page then
does in a browser: ``tests/test_preboot_browser.py``."""

from __future__ import annotations

import asyncio
import json
import re
import sys

import pytest
from _serving import STREAMLIT_STATIC

from app import preboot as app_preboot
from spatial._paths import ROOT
from spatial.webmap import preboot

sys.path.insert(0, str(ROOT / "deploy"))
import publish as deploy_publish  # noqa: E402  (deploy/publish.py, as deploy/run.sh runs it)

INDEX = (STREAMLIT_STATIC / "index.html").read_text("utf-8")
MAIN = re.search(r'<script type="module" crossorigin src="([^"]+)"></script>', INDEX)[1]
MANIFESTS = {"default": "light", "basemaps": {"light": {"v": 1, "name": "</script><b>x"}}}


def _inline(html: str) -> str:
    return next(s for s in re.findall(r"<script>(.*?)</script>", html, re.S) if "GzPreboot" in s)


def test_streamlits_page_starts_its_front_end_only_through_the_pre_boot_script() -> None:
    page = preboot.page(INDEX, MANIFESTS)
    # neither the main module nor the modules it imports are asked for by the page itself:
    # the script asks for them once it has asked for the map's files
    modules = re.findall(r'<link rel="modulepreload" crossorigin href="([^"]+)">', INDEX)
    assert len(modules) > 20
    assert f'src="{MAIN}"' not in page and '<link rel="modulepreload"' not in page
    script = _inline(page)
    assert f"var MAIN = {json.dumps(MAIN)};" in script
    assert json.loads(re.search(r"var MODULES = (\[.*?\]);", script)[1]) == [MAIN, *modules]
    assert not re.search(r'"@[A-Z]+@"', script)  # every blank filled in
    # the rest of Streamlit's page is kept as it is
    rest = re.sub(r'\s*<link rel="modulepreload"[^>]*>', "", INDEX)
    rest = re.sub(r'<script type="module"[^>]*></script>', "", rest)
    assert page.replace(f"<script>{script}</script>", "") == rest


def test_the_manifests_written_into_the_page_cannot_end_its_script() -> None:
    page = preboot.page(INDEX, MANIFESTS)
    # the one end of a script in place of the main module tag's: none in the manifests
    assert page.count("</script>") == INDEX.count("</script>")
    held = re.search(r"var INLINE = (\{.*?\});", _inline(page))[1]
    assert json.loads(held) == MANIFESTS  # the same data, as JSON reads it


def test_behind_nginx_the_page_fetches_the_manifests() -> None:
    script = _inline(preboot.page(INDEX))
    assert "var INLINE = null;" in script
    assert 'var MANIFEST = "./app/static/data/preboot";' in script


def test_a_page_rewritten_or_unlike_streamlits_is_left_as_it_is() -> None:
    once = preboot.page(INDEX, MANIFESTS)
    assert preboot.page(once, MANIFESTS) == once
    other = "<html><head><script src='x.js'></script></head></html>"
    assert preboot.page(other) == other
    with pytest.raises(ValueError):
        preboot.page(INDEX, None, script="var a = '</script>';")


def test_the_manifests_file_keeps_each_basemap_of_the_current_layers(tmp_path) -> None:
    light, osm = {"base": "light-1"}, {"base": "osm-1"}
    assert preboot.write_manifest(light, "light", "v1", "light", folder=tmp_path)
    assert preboot.write_manifest(osm, "osm", "v1", "light", folder=tmp_path)
    path = preboot.manifest_path(tmp_path)
    held = json.loads(path.read_text("utf-8"))
    assert held == {"default": "light", "basemaps": {"light": {**light, "stamp": "v1"},
                                                     "osm": {**osm, "stamp": "v1"}}}
    assert oct(path.stat().st_mode & 0o777) == "0o644"  # nginx's workers read it
    # the same again: the file is not written
    mtime = path.stat().st_mtime_ns
    assert not preboot.write_manifest(osm, "osm", "v1", "light", folder=tmp_path)
    assert path.stat().st_mtime_ns == mtime
    # new layers: the other basemap's manifest names files of the old ones, and goes
    assert preboot.write_manifest({"base": "light-2"}, "light", "v2", "light", folder=tmp_path)
    held = json.loads(path.read_text("utf-8"))
    assert list(held["basemaps"]) == ["light"] and held["basemaps"]["light"]["stamp"] == "v2"
    with pytest.raises(ValueError):
        preboot.write_manifest(light, "../x", "v1", "light", folder=tmp_path)


def test_a_broken_manifests_file_is_written_anew(tmp_path) -> None:
    preboot.manifest_path(tmp_path).write_text("{not json", "utf-8")
    assert preboot.write_manifest({"base": "b"}, "light", "v1", "light", folder=tmp_path)
    assert json.loads(preboot.manifest_path(tmp_path).read_text("utf-8"))["default"] == "light"


# -- the app's own server (asgi.py): the middleware --------------------------------------------

def _serve(path: str, headers: dict[bytes, bytes] | None = None, method: str = "GET",
           answer: tuple[int, bytes, bytes] = (200, b"text/html; charset=utf-8", b"")):
    """What the middleware sends for a request, and the request headers the app got."""
    status, kind, body = answer
    seen: dict = {}

    async def downstream(scope, receive, send):
        seen["headers"] = dict(scope["headers"])
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", kind), (b"content-length", str(len(body)).encode()),
            (b"etag", b'"abc"'), (b"last-modified", b"Sun, 06 Dec 2026 19:43:32 GMT")]})
        half = len(body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:]})

    sent: list = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": method, "path": path,
             "headers": list((headers or {}).items())}
    asyncio.run(app_preboot.PrebootPage(downstream)(scope, receive, send))
    head = dict(sent[0]["headers"])
    return sent[0]["status"], head, b"".join(m.get("body", b"") for m in sent[1:]), seen


def test_the_apps_server_sends_its_page_rewritten_compressed_and_never_stale(
    monkeypatch,
) -> None:
    import gzip

    monkeypatch.setattr(app_preboot, "_held", {"light": ("s1", {"v": 1, "name": "广州"}),
                                               "osm": ("s0", {"v": 0})})  # older layers
    monkeypatch.setattr(app_preboot, "_latest", {"stamp": "s1"})
    monkeypatch.setattr(app_preboot, "APP_BASEMAP", "light")
    html = (200, b"text/html; charset=utf-8", INDEX.encode())
    for path in ("/", "/index.html", "/gzmap/"):  # under server.baseUrlPath too
        status, head, body, seen = _serve(
            path, {b"accept-encoding": b"gzip, br", b"if-none-match": b'"abc"'}, answer=html)
        assert status == 200 and head[b"content-encoding"] == b"gzip"
        page = gzip.decompress(body).decode()
        assert "GzPreboot" in page and f'src="{MAIN}"' not in page
        # this process's manifests, in the page
        assert json.loads(re.search(r"var INLINE = (\{.*?\});", page)[1]) == {
            "default": "light", "basemaps": {"light": {"v": 1, "name": "广州"}}}
        assert int(head[b"content-length"]) == len(body)
        assert head[b"cache-control"] == b"no-cache" and head[b"vary"] == b"Accept-Encoding"
        assert head[b"etag"] != b'"abc"' and b"last-modified" not in head  # not Streamlit's
        # Streamlit is asked for its page plain and whole (its gzip, its 304 would skip the
        # rewrite)
        assert b"accept-encoding" not in seen["headers"]
        assert b"if-none-match" not in seen["headers"]
    # a browser holding this page gets a bodiless 304; one that takes no gzip, the page plain
    tag = head[b"etag"]
    status, again, body, _ = _serve("/", {b"if-none-match": tag}, answer=html)
    assert (status, body, again[b"etag"]) == (304, b"", tag)
    status, plain, body, _ = _serve("/", answer=html)
    assert status == 200 and b"content-encoding" not in plain and b"GzPreboot" in body
    # new manifests: a new page, whatever the browser holds
    monkeypatch.setattr(app_preboot, "_held", {"light": ("s1", {"v": 2})})
    status, _, body, _ = _serve("/", {b"if-none-match": tag}, answer=html)
    assert status == 200 and b'"v":2' in body


def test_the_apps_server_leaves_other_answers_as_they_are() -> None:
    script = (200, b"application/javascript", b"var a = 1;" * 50)
    status, head, body, seen = _serve("/static/js/index.js", {b"accept-encoding": b"gzip"},
                                      answer=script)
    assert body == script[2] and head[b"etag"] == b'"abc"' and b"accept-encoding" in seen["headers"]
    # not HTML at a page's path, a HEAD, an error: untouched
    assert _serve("/", answer=(200, b"application/json", b"{}"))[2] == b"{}"
    assert _serve("/", method="HEAD", answer=(200, b"text/html", b""))[1][b"etag"] == b'"abc"'
    assert _serve("/", answer=(404, b"text/html", b"<p>no</p>"))[2] == b"<p>no</p>"
    # the manifests' file is revalidated on every page
    _, head, _, _ = _serve("/app/static/data/preboot.json", answer=(200, b"application/json", b"{}"))
    assert head[b"cache-control"] == b"no-cache"


def test_a_manifest_that_cannot_be_written_still_reaches_the_apps_own_pages(
    monkeypatch, caplog
) -> None:
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "static/data/preboot.json")

    monkeypatch.setattr(app_preboot, "_held", {})
    monkeypatch.setattr(app_preboot, "_latest", {"stamp": ""})
    monkeypatch.setattr(app_preboot.preboot, "write_manifest", read_only)
    app_preboot.remember("light", "s1", {"v": 1})  # no error for the page's run
    assert app_preboot.manifests()["basemaps"] == {"light": {"v": 1}}
    assert "could not be written" in caplog.text


def test_without_its_script_the_apps_server_sends_streamlits_page(monkeypatch, caplog) -> None:
    def missing(*args, **kwargs):
        raise FileNotFoundError(2, "No such file", "static/gzmap/preboot.js")

    monkeypatch.setattr(app_preboot.preboot, "page", missing)
    status, _, body, _ = _serve("/", answer=(200, b"text/html", INDEX.encode()))
    assert status == 200 and body == INDEX.encode()  # Streamlit starts the page as it would
    assert "could not be given the map's pre-boot script" in caplog.text


# -- nginx's copy of the page (make serve) -----------------------------------------------------

def test_the_page_nginx_serves_is_rewritten_with_a_gzip_twin_of_its_own(tmp_path) -> None:
    import gzip

    index = tmp_path / "index.html"
    index.write_text(INDEX, "utf-8")
    (tmp_path / "index.html.gz").write_bytes(gzip.compress(INDEX.encode()))  # Streamlit's page's
    assert deploy_publish.preboot_page(index)
    page = index.read_text("utf-8")
    assert page == preboot.page(INDEX)  # fetching the manifests: nginx serves a file
    assert gzip.decompress((tmp_path / "index.html.gz").read_bytes()).decode() == page
    assert not deploy_publish.preboot_page(index)  # once
