"""The map client's message as the app sends it, read back for tests: the features it shows
(from the static features file it names), their roles and fills under its colour rule, the
legend, the highlight, and the folium-built map it loads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from spatial import symbology
from spatial.webmap import client
from spatial.webmap.client import decode_show
from spatial.webmap.publish import STATIC_DIR


def map_message(at: Any, key: str = "map") -> dict[str, Any]:
    """The message the app's last run sent to the map component ``key``, as the component's
    loader hands it to the client: what the app sends only when it changes written back from
    what it sent before (the loader keeps it), its legend written out."""
    found = [
        el for el in at.get("bidi_component")
        if el.proto.component_name == "gzplan.map" and el.proto.id.endswith(key)
    ]
    assert len(found) == 1, f"expected exactly one map {key!r}, found {len(found)}"
    message = json.loads(found[0].proto.bytes.decode("utf-8"))
    if message.get("mode") == "features":
        sent = at.session_state.get("_map_sent", {})
        message = client.restore_kept(message, sent)
    if "selection" in message:
        message["selection"] = client.expand_legend(message["selection"])
    return message


def loader_assets(at: Any) -> dict[str, list[str]]:
    """The scripts and style sheets the map component's loader brings (``ASSETS``)."""
    (element, *_rest) = [e for e in at.get("bidi_component")
                         if e.proto.component_name == "gzplan.map"]
    url = json.loads(re.search(r"new URL\((\"[^\"]+\")", element.proto.js_content).group(1))
    head = static_file(url).read_text(encoding="utf-8").split("\n", 1)[0]
    return json.loads(head.removeprefix("var ASSETS = ").removesuffix(";"))


def static_file(url: str) -> Path:
    """The file behind a URL of the app's static folder."""
    return STATIC_DIR / url.split("/app/static/", 1)[1]


def features(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """Every feature of the features file the message names, in its order."""
    doc = json.loads(static_file(msg["data"]["features"]).read_text(encoding="utf-8"))
    return doc["features"]


def shown(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """The features the message shows, each with the role it is drawn in."""
    feats = features(msg)
    sel = msg["selection"]
    roles = sel.get("roles") or {}
    out = []
    for i in decode_show(sel["show"], len(feats)):
        f = dict(feats[int(i)])
        f["role"] = roles.get(str(i), f["properties"]["role"])
        f["position"] = int(i)
        out.append(f)
    return out


def shown_names(msg: dict[str, Any]) -> set[str]:
    return {f["properties"]["name"] for f in shown(msg)}


def shown_ids(msg: dict[str, Any]) -> set[str]:
    return {f["id"] for f in shown(msg)}


def colour_pairs(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """``(tag, colour)`` of an industry colour rule, in order (tags wear the palette)."""
    if "colours" in spec:
        return [tuple(p) for p in spec["colours"]]
    return list(zip(spec.get("tags", []), symbology.INDUSTRY_PALETTE, strict=False))


def legend_labels(msg: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The whole labels of the legend's symbols and colours, as the client makes them."""
    from spatial.webmap.client import client_style

    style = client_style()
    legend = msg["selection"]["legend"]
    tag_of = {c: t for t, c in colour_pairs(msg["selection"]["colour"])}
    symbols = [e[3] if len(e) > 3 else f"{e[2]} {style['roles'].get(e[0], {}).get('en', '')}"
               .strip() for e in legend["symbols"]]
    colours = []
    for c in legend["colours"]:
        en = style["industry_en"].get(tag_of.get(c[0], ""), "")
        colours.append(c[2] if len(c) > 2 else (f"{c[1]} {en}" if en else c[1]))
    return symbols, colours


def fills(msg: dict[str, Any]) -> dict[str, str]:
    """Feature id -> the fill the client gives it under the message's colour rule (the rule
    of :class:`spatial.symbology.Symbology`; the browser tests check the client applies it)."""
    spec = msg["selection"]["colour"]
    colours = dict(colour_pairs(spec))
    out = {}
    for f in shown(msg):
        p = f["properties"]
        if spec["rule"] == "plan":
            out[f["id"]] = symbology.plan_colour(p["plans"])
        else:
            out[f["id"]] = symbology.primary_colour(p["industries"], colours)
    return out


def numbered(msg: dict[str, Any]) -> dict[str, int]:
    """Feature id -> its number, for the features drawn as numbered axis nodes."""
    feats = features(msg)
    return {feats[int(i)]["id"]: n for i, n in (msg["selection"].get("numbered") or {}).items()}


def highlighted(msg: dict[str, Any]) -> str | None:
    """The id of the feature the map highlights, or None."""
    at = msg["selection"].get("highlight", -1)
    return features(msg)[at]["id"] if at is not None and at >= 0 else None


def basemap_script(msg: dict[str, Any]) -> str:
    """The folium-built map the message loads (its last script)."""
    return static_file(msg["scripts"][-1]).read_text(encoding="utf-8")


def switchable_layers(msg: dict[str, Any]) -> list[str]:
    """The layer switcher's entries: the district outlines, then each layer with a feature
    in view, in the map's order (the client lists a layer while it has features shown)."""
    doc = json.loads(static_file(msg["data"]["features"]).read_text(encoding="utf-8"))
    labels = doc["gzmap"]["layers"]
    layers = {f["properties"]["layer"] for f in shown(msg)}
    return ["行政区 Districts"] + [label for layer, label in labels.items() if layer in layers]
