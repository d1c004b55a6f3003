"""QGIS styles for the GeoPackage download: the print exports' symbols in QML (and SLD).

A GeoPackage carries its styles in the ``layer_styles`` table QGIS reads when it opens a layer
(the schema QGIS itself creates); the style marked ``useAsDefault`` is applied at once. The
styles use the same encoding as the print maps (:mod:`spatial.plot.style`): the **shape** (or
line style) says the role, the **colour** of symbols and fills the feature's industry. That
colour depends on the selection (the most frequent industries get the first colours), so it is
written into each feature as ``map_colour`` and the style reads it from there.

Field names stay the layer contract's English names; the QML gives them Chinese aliases, and
the role codes a Chinese value map, so QGIS's attribute table and forms read in Chinese.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import geopandas as gpd

from spatial.plans.schema import ROLES, role_label
from spatial.plot.style import INK, role_shape, style_of
from spatial.symbology import Symbology, symbolise

__all__ = ["FIELD_ALIASES", "map_colours", "qml", "sld", "write_layer_styles"]

#: Chinese alias of each field written to the GeoPackage.
FIELD_ALIASES: dict[str, str] = {
    "id": "要素编号",
    "name": "名称",
    "name_en": "英文名称",
    "aliases": "别名",
    "role": "要素类型",
    "layer": "图层",
    "plans": "所属规划",
    "district": "所在区",
    "industries": "产业",
    "group": "分组",
    "plan_roles": "各规划中的类型",
    "parent": "上级要素",
    "axis_order": "轴线序号",
    "axis_segment": "所属轴段",
    "members": "组成要素",
    "links": "关联要素",
    "attributes": "其他属性",
    "in_guangzhou": "位于广州市内",
    "location_source": "位置来源",
    "location_precision_m": "位置精度（米）",
    "excerpts": "规划原文摘录",
    "mentions": "提及",
    "map_colour": "图面颜色",
}

#: QGIS SimpleMarker name (and rotation) of each shape in :data:`spatial.plans.schema.ROLE_SHAPES`.
_QGIS_MARKERS = {
    "circle": ("circle", 0),
    "square": ("square", 0),
    "diamond": ("diamond", 0),
    "triangle": ("triangle", 0),
    "triangle_down": ("triangle", 180),
    "star": ("star", 0),
    "pentagon": ("pentagon", 0),
    "hexagon": ("hexagon", 0),
    "cross": ("cross_fill", 0),
    "octagon": ("octagon", 0),
}

_PT_MM = 25.4 / 72  # one typographic point in millimetres
QGIS_VERSION = "3.28.0-Firenze"


def map_colours(gdf: gpd.GeoDataFrame, symbology: Symbology | None = None) -> list[str]:
    """The colour each feature wears on a print map of the same features.

    Symbols and filled polygons wear their colour under the view's colour rule
    (``symbology``, :func:`spatial.symbology.view_symbology` of the view; by default the
    ``industry`` rule over these features); lines and outlines their role's.
    """
    sym = symbology if symbology is not None else symbolise(gdf)
    by_rule = set(sym.coloured)
    return [
        sym.fills[idx] if idx in by_rule and idx in sym.fills else style_of(role).colour
        for idx, role in zip(gdf.index, gdf["role"], strict=True)
    ]


# -- QML ----------------------------------------------------------------------------------------


def _rgba(hex_colour: str, alpha: float = 1.0) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _opt(name: str, value: object) -> str:
    return f'<Option name={quoteattr(name)} type="QString" value={quoteattr(str(value))}/>'


def _options(values: Mapping[str, object]) -> str:
    return '<Option type="Map">' + "".join(_opt(k, v) for k, v in values.items()) + "</Option>"


def _data_defined(prop: str, expression: str) -> str:
    """A data-defined symbol-layer property (``prop``) computed by a QGIS expression."""
    return (
        '<data_defined_properties><Option type="Map">'
        '<Option name="name" type="QString" value=""/>'
        f'<Option name="properties" type="Map"><Option name={quoteattr(prop)} type="Map">'
        '<Option name="active" type="bool" value="true"/>'
        f'<Option name="expression" type="QString" value={quoteattr(expression)}/>'
        '<Option name="type" type="int" value="3"/>'
        "</Option></Option>"
        '<Option name="type" type="QString" value="collection"/>'
        "</Option></data_defined_properties>"
    )


def _dash(role: str) -> dict[str, object]:
    """QGIS line-style options matching the role's matplotlib dash pattern."""
    st = style_of(role)
    if not isinstance(st.linestyle, tuple):
        return {"line_style": "solid", "use_custom_dash": 0}
    width_mm = st.linewidth * _PT_MM
    pattern = ";".join(f"{v * width_mm:.2f}" for v in st.linestyle[1])
    return {
        "line_style": "solid",
        "use_custom_dash": 1,
        "customdash": pattern,
        "customdash_unit": "MM",
    }


def _stroke(role: str, **extra: object) -> dict[str, object]:
    """SimpleLine options of a role's line: colour, width, ``extra`` and the dash pattern."""
    st = style_of(role)
    return {
        "line_color": _rgba(st.colour),
        "line_width": f"{st.linewidth * _PT_MM:.2f}",
        "line_width_unit": "MM",
        **extra,
        **_dash(role),
    }


def _symbol(kind: str, role: str, name: str) -> str:
    st = style_of(role)
    colour_expr = '"map_colour"'
    if kind == "marker":
        marker, angle = _QGIS_MARKERS.get(role_shape(role), ("circle", 0))
        opts = {
            "name": marker,
            "angle": angle,
            "color": _rgba(st.colour),
            "outline_color": _rgba(INK),
            "outline_style": "solid",
            "outline_width": f"{0.6 * _PT_MM:.3f}",
            "outline_width_unit": "MM",
            "size": f"{st.size * _PT_MM:.2f}",
            "size_unit": "MM",
        }
        layer = f'<layer class="SimpleMarker" enabled="1" locked="0" pass="0">{_options(opts)}'
        layer += _data_defined("fillColor", colour_expr) + "</layer>"
    elif kind == "line":
        opts = _stroke(role, capstyle="round", joinstyle="round")
        layer = (
            f'<layer class="SimpleLine" enabled="1" locked="0" pass="0">{_options(opts)}</layer>'
        )
    else:
        filled, dashed = st.fill_alpha > 0, isinstance(st.linestyle, tuple)
        opts = {
            "color": _rgba(st.colour, st.fill_alpha),
            "style": "solid" if filled else "no",
            "outline_color": _rgba(st.colour),
            "outline_width": f"{st.linewidth * _PT_MM:.2f}",
            "outline_width_unit": "MM",
            "outline_style": "no" if dashed else "solid",
            "joinstyle": "round",
        }
        layer = f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">{_options(opts)}'
        if filled:
            alpha = round(st.fill_alpha * 255)
            layer += _data_defined("fillColor", f"set_color_part({colour_expr}, 'alpha', {alpha})")
        layer += "</layer>"
        if dashed:  # QGIS fills have no dash pattern: the outline is a line layer over the fill
            layer += (
                '<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
                f"{_options(_stroke(role))}</layer>"
            )
    return (
        f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0">{layer}</symbol>'
    )


def _fields_xml(fields: Sequence[str]) -> str:
    configs = []
    for field in fields:
        if field == "role":
            entries = "".join(
                '<Option type="Map">' + _opt(role_label(r), r) + "</Option>" for r in ROLES
            )
            widget = (
                '<editWidget type="ValueMap"><config><Option type="Map">'
                f'<Option name="map" type="List">{entries}</Option></Option></config></editWidget>'
            )
        else:
            widget = '<editWidget type="TextEdit"><config><Option/></config></editWidget>'
        configs.append(f'<field name={quoteattr(field)} configurationFlags="None">{widget}</field>')
    aliases = "".join(
        f'<alias field={quoteattr(f)} index="{i}" name={quoteattr(FIELD_ALIASES.get(f, ""))}/>'
        for i, f in enumerate(fields)
    )
    return (
        f"<fieldConfiguration>{''.join(configs)}</fieldConfiguration><aliases>{aliases}</aliases>"
    )


def _labeling() -> str:
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        '<text-style fieldName="name" isExpression="0" fontSize="8" fontSizeUnit="Point" '
        'textColor="34,34,34,255" namedStyle="Regular" multilineHeight="1"/>'
        '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" '
        'bufferColor="255,255,255,255" bufferOpacity="1"/>'
        '<placement placement="0" dist="1" distUnits="MM" priority="5"/>'
        '<rendering scaleVisibility="0" obstacle="1" displayAll="0" upsidedownLabels="0"/>'
        "</settings></labeling>"
    )


def qml(kind: str, roles: Sequence[str], fields: Sequence[str]) -> str:
    """A QGIS style (QML) for a layer of one geometry kind.

    Parameters
    ----------
    kind : {'marker', 'line', 'fill'}
        The QGIS symbol type of the layer's geometry (point, line, polygon).
    roles : sequence of str
        The roles present, in legend order: one category (symbol) each.
    fields : sequence of str
        The layer's fields, in order, for the Chinese aliases.
    """
    categories = "".join(
        f'<category render="true" symbol="{i}" value={quoteattr(r)} '
        f'label={quoteattr(role_label(r))} type="string"/>'
        for i, r in enumerate(roles)
    )
    symbols = "".join(_symbol(kind, r, str(i)) for i, r in enumerate(roles))
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling|Fields|Forms">'
        '<renderer-v2 type="categorizedSymbol" attr="role" symbollevels="0" '
        'enableorderby="0" forceraster="0" referencescale="-1">'
        f"<categories>{categories}</categories><symbols>{symbols}</symbols>"
        "</renderer-v2>"
        f"{_labeling()}{_fields_xml(fields)}"
        "<layerGeometryType>"
        f"{ {'marker': 0, 'line': 1, 'fill': 2}[kind] }"
        "</layerGeometryType></qgis>\n"
    )


# -- SLD ----------------------------------------------------------------------------------------


def sld(layer: str, kind: str, roles: Sequence[str]) -> str:
    """The same styles as SLD 1.1 (Symbology Encoding), for tools that read SLD."""
    rules = []
    for role in roles:
        st = style_of(role)
        fill = '<se:Fill><se:SvgParameter name="fill"><ogc:PropertyName>map_colour</ogc:PropertyName></se:SvgParameter></se:Fill>'
        stroke = (
            f'<se:Stroke><se:SvgParameter name="stroke">{st.colour}</se:SvgParameter>'
            f'<se:SvgParameter name="stroke-width">{st.linewidth:.2f}</se:SvgParameter></se:Stroke>'
        )
        if kind == "marker":
            shape = {"triangle_down": "triangle", "cross": "cross", "diamond": "square"}.get(
                role_shape(role), role_shape(role)
            )
            if shape not in ("circle", "square", "triangle", "star", "cross"):
                shape = "circle"
            sym = (
                "<se:PointSymbolizer><se:Graphic><se:Mark>"
                f"<se:WellKnownName>{shape}</se:WellKnownName>{fill}"
                f'<se:Stroke><se:SvgParameter name="stroke">{INK}</se:SvgParameter></se:Stroke>'
                f"</se:Mark><se:Size>{st.size:.1f}</se:Size></se:Graphic></se:PointSymbolizer>"
            )
        elif kind == "line":
            sym = f"<se:LineSymbolizer>{stroke}</se:LineSymbolizer>"
        else:
            body = fill if st.fill_alpha > 0 else ""
            if body:
                body = body.replace(
                    "</se:Fill>",
                    f'<se:SvgParameter name="fill-opacity">{st.fill_alpha}</se:SvgParameter></se:Fill>',
                )
            sym = f"<se:PolygonSymbolizer>{body}{stroke}</se:PolygonSymbolizer>"
        rules.append(
            f"<se:Rule><se:Name>{escape(role_label(role))}</se:Name>"
            "<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>role</ogc:PropertyName>"
            f"<ogc:Literal>{escape(role)}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
            f"{sym}</se:Rule>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" '
        'xmlns:ogc="http://www.opengis.net/ogc" xmlns:se="http://www.opengis.net/se" '
        'version="1.1.0">'
        f"<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle>"
        f"<se:Name>{escape(layer)}</se:Name><se:FeatureTypeStyle>{''.join(rules)}"
        "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )


# -- the layer_styles table ---------------------------------------------------------------------

_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT CURRENT_TIMESTAMP
)
"""


def _update_time() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        if epoch and epoch.isdigit()
        else _dt.datetime.now(_dt.UTC)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def write_layer_styles(
    path: Path, layers: Mapping[str, tuple[str, Sequence[str], Sequence[str]]]
) -> None:
    """Add QGIS's ``layer_styles`` table to a GeoPackage, one default style per layer.

    Parameters
    ----------
    path : Path
        The GeoPackage, written already.
    layers : mapping
        Layer (table) name -> (symbol kind, roles in legend order, fields in order).
    """
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(_CREATE)
            con.execute(
                "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
                "description, last_change) VALUES ('layer_styles', 'attributes', "
                "'layer_styles', 'QGIS layer styles', ?)",
                (_update_time(),),
            )
            geom_cols = dict(
                con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
            )
            for table, (kind, roles, fields) in layers.items():
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL, ?)",
                    (
                        table,
                        geom_cols.get(table, "geom"),
                        table,
                        qml(kind, roles, fields),
                        sld(table, kind, roles),
                        "形状表示要素类型，颜色表示产业（与打印地图一致） / "
                        "shape = role, colour = industry, as on the print maps",
                        _update_time(),
                    ),
                )
    finally:
        con.close()
