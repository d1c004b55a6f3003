"""pygeoapi provider for the plan layers: a property filter matches members of list properties.

pygeoapi's own GeoJSON provider compares ``str(value) == filter``, so ``plans=gz_sti`` never
matches a feature whose ``plans`` is the list ``["gz_sti", "tianhe_sti"]``, and none of its file
providers (CSV, TinyDB, SQLite/GeoPackage, Parquet) filters list members either (CQL filters exist
only for the database back ends). This subclass keeps everything else of the GeoJSON provider
(paging, ``bbox``, ``properties=``, ``skipGeometry``, CRS output) and changes four things:

* a filter on a list-valued property keeps the features whose list **contains** the value
  (``plans=gz_sti``, ``industries=生物医药``, ``district=黄埔区``); on a string it is equality;
* a feature without geometry (a register place: named by a plan, no site) is **not** in a
  ``bbox`` result (the parent class lets it through every box);
* only the properties named in the provider's ``queryables`` option are filterable and listed
  at ``/queryables`` (every property is still returned with the features); with
  ``?profile=actual-domain`` each comes with the values this collection holds (``enum``);
* the file is parsed once per change (keyed by its modification time and size), not twice per
  request.

It is loaded by pygeoapi by its import path (``name: spatial.exports.ogc_provider.PlanLayerProvider``
in the configuration ``gzmap ogc-config`` writes). Read-only: pygeoapi's transactions stay off.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

from pygeoapi.provider.geojson import GeoJSONProvider
from shapely.geometry import box, shape


@lru_cache(maxsize=32)
def _read(path: str, _mtime_ns: int, _size: int) -> tuple[dict, ...]:
    """The features of a GeoJSON file (cached per version of the file; never modify them)."""
    with open(path, encoding="utf-8") as src:
        doc = json.load(src)
    if doc.get("type") != "FeatureCollection":
        raise ValueError(f"{path} is not a GeoJSON FeatureCollection")
    return tuple(doc["features"])


def read_features(path: str) -> tuple[dict, ...]:
    """The features of ``path``, parsed again only when the file has changed."""
    stat = os.stat(path)
    return _read(path, stat.st_mtime_ns, stat.st_size)


def matches(value: object, wanted: str) -> bool:
    """Whether a property value passes the filter ``wanted`` (a query-string value).

    >>> matches(["gz_sti", "tianhe_sti"], "tianhe_sti"), matches("park", "park")
    (True, True)
    >>> matches(["gz_sti"], "gz"), matches(None, "None")
    (False, False)
    """
    if value is None:
        return False
    if isinstance(value, list):
        return any(str(member) == wanted for member in value)
    return str(value) == wanted


class PlanLayerProvider(GeoJSONProvider):
    """GeoJSON file provider whose property filters look inside list-valued properties."""

    def __init__(self, provider_def: dict):
        self.queryables = list(provider_def.get("queryables") or [])
        super().__init__(provider_def)

    def get_fields(self) -> dict:
        """The filterable properties (the ``queryables`` option), each a ``string``."""
        if not self._fields:
            self._fields = {name: {"type": "string"} for name in self.queryables}
        return self._fields

    def get_domains(self, properties=(), current=False) -> tuple[dict, bool]:
        """Values each queryable takes in this collection, members of lists one by one
        (``/queryables?profile=actual-domain`` lists them as ``enum``)."""
        names = [p for p in properties if p in self.queryables] or self.queryables
        domains: dict[str, list[str]] = {}
        features = read_features(self.data) if os.path.exists(self.data) else ()
        for name in names:
            values: set[str] = set()
            for feat in features:
                value = (feat.get("properties") or {}).get(name)
                members = value if isinstance(value, list) else [value]
                values.update(str(m) for m in members if m is not None)
            domains[name] = sorted(values)
        return domains, True

    def _load(self, bbox=(), skip_geometry=None, properties=(), select_properties=()):
        if not os.path.exists(self.data):
            return {"type": "FeatureCollection", "features": []}
        features = read_features(self.data)
        for name, wanted in properties:
            features = [f for f in features if matches(f["properties"].get(name), wanted)]
        if bbox:
            area = box(*list(bbox)[:4])
            features = [f for f in features if f["geometry"] and shape(f["geometry"]).intersects(area)]
        keep = set(self.properties) | set(select_properties)
        out = []
        for feat in features:
            # copies: pygeoapi sets links and transformed geometry on what it is given
            feat = dict(feat, properties=dict(feat["properties"]))
            feat.setdefault("id", feat["properties"].get(self.id_field))
            if skip_geometry:
                feat["geometry"] = None
            if keep:
                feat["properties"] = {k: v for k, v in feat["properties"].items() if k in keep}
            out.append(feat)
        return {"type": "FeatureCollection", "features": out}

    def create(self, *args, **kwargs):
        """Refused: the layers are built from their sources, not edited through the API."""
        raise NotImplementedError("the plan layers are read-only here")

    update = delete = create

    def __repr__(self) -> str:
        return f"<PlanLayerProvider> {self.data}"
