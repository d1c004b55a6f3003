"""Write the hostile and broken layer fixtures in this folder (run once; the files are committed).

Each file carries one kind of trouble a user (or a careless edit of ``layers/``) can bring;
``several_problems.geojson`` carries many at once. Features use the relaxed upload contract
(``id`` and ``name`` only), so under ``gzmap validate`` they also lack the curated properties.

    .venv/bin/python tests/data/hostile/make_fixtures.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Real places, WGS84 lon/lat.
BIO_ISLAND = [113.3665, 23.0855]
ZHISHICHENG = [113.4905, 23.3660]
PAZHOU = [113.3690, 23.1000]
# 广州国际生物岛 in EPSG:32649 (UTM 49N) metres, what a projected export would hold.
BIO_ISLAND_UTM = [742418.0, 2554948.0]
BOW_TIE = [[[113.30, 23.10], [113.35, 23.15], [113.35, 23.10], [113.30, 23.15], [113.30, 23.10]]]

HOSTILE_NAMES = {
    "script-name": "<script>alert('名称')</script>",
    "img-onerror": '<img src=x onerror="alert(1)">琶洲',
    "quote-break": '"><svg onload=alert(1)>',
    "attr-quotes": "他说\"你好\" & 'hi' `tick` 科学城",
}


def feature(fid: str, geometry: dict | None, **props: object) -> dict:
    return {"type": "Feature", "properties": {"id": fid, **props}, "geometry": geometry}


def point(lonlat: list[float]) -> dict:
    return {"type": "Point", "coordinates": lonlat}


def collection(*features: dict, **extra: object) -> dict:
    return {"type": "FeatureCollection", **extra, "features": list(features)}


def write_json(name: str, doc: object) -> None:
    (HERE / name).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    good = collection(
        feature("bio-island", point(BIO_ISLAND), name="广州国际生物岛", 类型="园区"),
        feature("zhishicheng", point(ZHISHICHENG), 名称="中新广州知识城", 面积=123.5),
        feature(
            "pazhou",
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [113.355, 23.095],
                        [113.385, 23.095],
                        [113.385, 23.108],
                        [113.355, 23.108],
                        [113.355, 23.095],
                    ]
                ],
            },
        ),
        name="good_upload",
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    )
    write_json("good_upload.geojson", good)

    text = json.dumps(collection(feature("bio-island", point(BIO_ISLAND), name="生物岛")))
    (HERE / "invalid_json.geojson").write_text(text[: len(text) // 2] + "\n", encoding="utf-8")
    (HERE / "not_utf8.geojson").write_bytes(
        json.dumps(
            collection(feature("gbk", point(BIO_ISLAND), name="广州国际生物岛")), ensure_ascii=False
        ).encode("gbk")
    )
    write_json("not_feature_collection.geojson", point(BIO_ISLAND))
    write_json(
        "wrong_geometry_type.geojson",
        collection(
            feature(
                "wrong-type",
                {"type": "GeometryCollection", "geometries": [point(BIO_ISLAND)]},
                name="生物岛",
            )
        ),
    )
    write_json(
        "self_intersecting.geojson",
        collection(feature("bow-tie", {"type": "Polygon", "coordinates": BOW_TIE}, name="蝴蝶结")),
    )
    write_json(
        "swapped_lonlat.geojson",
        collection(feature("swapped", point(BIO_ISLAND[::-1]), name="纬度在前")),
    )
    write_json(
        "projected_coords.geojson",
        collection(feature("projected", point(BIO_ISLAND_UTM), name="投影坐标")),
    )
    write_json(
        "hostile_names.geojson",
        collection(
            *(
                feature(
                    fid,
                    point([PAZHOU[0] + i * 0.01, PAZHOU[1]]),
                    name=name,
                    description='<a href="javascript:alert(1)">点我</a>',
                )
                for i, (fid, name) in enumerate(HOSTILE_NAMES.items())
            )
        ),
    )
    write_json(
        "several_problems.geojson",
        collection(
            feature("fine", point(ZHISHICHENG), name="没问题"),
            feature("swapped", point(BIO_ISLAND[::-1]), name="纬度在前"),
            feature("bow-tie", {"type": "Polygon", "coordinates": BOW_TIE}, name="蝴蝶结"),
            feature("circle", {"type": "Circle", "coordinates": BIO_ISLAND}, name="圆"),
            feature("projected", point(BIO_ISLAND_UTM), name="投影坐标"),
            feature("no-geometry", None, name="无几何"),
            feature("open-ring", {"type": "Polygon", "coordinates": [BOW_TIE[0][:3]]}, name="开口"),
        ),
    )


if __name__ == "__main__":
    main()
