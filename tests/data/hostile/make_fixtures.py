"""Write the hostile and broken layer fixtures in this folder (run once; the files are committed).

Each file carries one kind of trouble a user (or a careless edit of ``layers/``) can bring;
``several_problems.geojson`` carries many at once. Features use the relaxed upload contract
(``id`` and ``name`` only), so under ``gzmap validate`` they also lack the curated properties.

    .venv/bin/python tests/data/hostile/make_fixtures.py

The larger or binary hostile files (GeoPackages holding views, triggers, a link to another
database; wide and huge GeoJSON) are made at test time by the ``hostile_*`` functions below.
"""

from __future__ import annotations

import json
import sqlite3
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


# -- made at test time --------------------------------------------------------------------------
def base_gpkg(path: Path) -> Path:
    """A small, valid GeoPackage (written by GDAL) with one point layer ``places``."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"name": ["广州国际生物岛", "中新广州知识城"]},
        geometry=[shapely.Point(BIO_ISLAND), shapely.Point(ZHISHICHENG)],
        crs="EPSG:4326",
    )
    frame.to_file(path, layer="places", driver="GPKG")
    return path


def _as_only_layer(con: sqlite3.Connection, name: str) -> None:
    """List ``name`` in gpkg_contents as the only feature layer, geometry column ``geom``."""
    con.execute("DELETE FROM gpkg_contents")
    con.execute("DELETE FROM gpkg_geometry_columns")
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
        "VALUES (?, 'features', ?, 4326)",
        (name, name),
    )
    con.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', 4326, 0, 0)", (name,)
    )


def hostile_gpkg(path: Path, kind: str) -> bytes:
    """A GeoPackage whose only feature layer carries one kind of trouble; returns its bytes.

    ``view_bomb``: a view building 100,000 rows of 100,000-character text (gigabytes).
    ``endless_view``: a recursive view that never ends.
    ``attach_view``: a view over a table in another database file (needs ATTACH to read).
    ``virtual_table``: an R*Tree virtual table listed as the layer.
    ``generated_column``: a real table whose column is computed on every read (a text bomb).
    ``trigger``: a real, readable table carrying triggers that would write if they ever ran.
    """
    base_gpkg(path)
    con = sqlite3.connect(path)
    geom = "(SELECT geom FROM places LIMIT 1)"
    if kind == "view_bomb":
        con.execute(
            "CREATE VIEW bomb AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            f"WHERE x < 100000) SELECT x AS fid, {geom} AS geom, "
            "printf('%.*c', 100000, 'x') AS big FROM c"
        )
        _as_only_layer(con, "bomb")
    elif kind == "endless_view":
        con.execute(
            "CREATE VIEW endless AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
            f"FROM c) SELECT x AS fid, {geom} AS geom FROM c"
        )
        _as_only_layer(con, "endless")
    elif kind == "attach_view":
        other = path.with_name(path.stem + "_other.sqlite")
        with sqlite3.connect(other) as aux:
            aux.execute("CREATE TABLE secret (fid INTEGER PRIMARY KEY, geom BLOB, pw TEXT)")
            aux.execute("INSERT INTO secret VALUES (1, NULL, 'hunter2')")
        con.execute("PRAGMA writable_schema = ON")  # SQLite refuses such a view otherwise
        con.execute(
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES "
            "('view', 'linked', 'linked', 0, 'CREATE VIEW linked AS SELECT * FROM other.secret')"
        )
        con.execute("PRAGMA writable_schema = OFF")
        _as_only_layer(con, "linked")
    elif kind == "virtual_table":
        con.execute("CREATE VIRTUAL TABLE vt USING rtree(id, minx, maxx, miny, maxy)")
        _as_only_layer(con, "vt")
    elif kind == "generated_column":
        con.execute(
            "CREATE TABLE gen (fid INTEGER PRIMARY KEY, geom BLOB, "
            "big TEXT GENERATED ALWAYS AS (printf('%.*c', 900000, 'x')) VIRTUAL)"
        )
        con.execute("INSERT INTO gen (fid, geom) SELECT fid, geom FROM places")
        _as_only_layer(con, "gen")
    elif kind == "trigger":
        con.execute("CREATE TABLE log (what TEXT)")
        for event in ("INSERT", "UPDATE", "DELETE"):
            con.execute(
                f"CREATE TRIGGER places_{event.lower()} AFTER {event} ON places "
                "BEGIN INSERT INTO log VALUES (randomblob(1000000)); END"
            )
    else:
        raise ValueError(kind)
    con.commit()
    con.close()
    return path.read_bytes()


def wide_geojson(n_features: int = 500, n_properties: int = 100) -> bytes:
    """Many features, each with many properties (a cheap file that is costly to draw)."""
    feats = [
        feature(
            f"w{i}",
            point([BIO_ISLAND[0] + (i % 50) / 1000, BIO_ISLAND[1] + (i // 50) / 1000]),
            name=f"宽{i}",
            **{f"p{j}": f"值{i}-{j}" for j in range(n_properties - 2)},
        )
        for i in range(n_features)
    ]
    return json.dumps(collection(*feats), ensure_ascii=False).encode()


def giant_integer_geojson(digits: int = 5000) -> bytes:
    """A feature whose property is an integer of ``digits`` digits (past Python's limit)."""
    text = json.dumps(collection(feature("giant", point(BIO_ISLAND), name="大数", n=0)))
    return text.replace('"n": 0', '"n": ' + "9" * digits).encode()


if __name__ == "__main__":
    main()
