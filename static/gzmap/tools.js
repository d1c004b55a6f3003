/* gzmap · tools.js — the map's tools and its offline basemap (GzMap.tools).
 *
 * folium puts the plugins on the map (spatial/webmap/tools.py: leaflet-measure, Leaflet.
 * MousePosition, Leaflet.draw, vendored in static/); this file is the client's side of them:
 *
 * - the cursor's position in WGS84 and GCJ-02 (``coordText``, MousePosition's formatter): the
 *   map's coordinates are in its basemap's datum (Amap's tiles are GCJ-02), the other datum
 *   is gcoord's conversion;
 * - a study area drawn with Leaflet.draw is reported as ``area`` {geometry} (GeoJSON in the
 *   map's datum), and a message's ``area`` {key, geometry} is drawn in its group;
 * - 打印当前视图 Print this view: a button that reports ``view`` {bounds, center, zoom, size};
 * - picking a position: while a message's ``pick`` {key, hint} is set (the 建议修改 form of a
 *   place is open), a click anywhere on the map is reported as ``click`` {lat, lng, pick}
 *   instead of opening what lies there;
 * - 离线底图 Offline basemap: the OSM context the exports draw (``data.context``, water,
 *   rivers, main roads, rail, the airport) as light vectors under the features, drawn when
 *   the map has no tile service, and in place of the tiles when none of them load.
 *
 * client.js calls ``attach`` when it makes a map, ``update`` with every message and
 * ``clicked`` before it reports a click; pagemap.js calls ``offlineFor`` on a folium map.
 */
(function (L) {
  "use strict";

  var GzMap = window.GzMap;
  var esc = GzMap.symbols.esc;

  // -- the cursor's coordinates ----------------------------------------------------------------

  function pair(ll) { return ll[0].toFixed(5) + ", " + ll[1].toFixed(5); }

  /** The position under the cursor in both datums, as HTML: ``datum`` is the map's. */
  function coordText(lng, lat, datum) {
    var here = [lng, lat], wgs, gcj;
    if (datum === "gcj02") {
      gcj = here;
      wgs = window.gcoord.transform(here, window.gcoord.GCJ02, window.gcoord.WGS84);
    } else {
      wgs = here;
      gcj = window.gcoord.transform(here, window.gcoord.WGS84, window.gcoord.GCJ02);
    }
    return "<span class='gz-coord' data-datum='wgs84'>WGS84 " + pair(wgs) + "</span> · " +
      "<span class='gz-coord' data-datum='gcj02'>GCJ-02 " + pair(gcj) + "</span>";
  }

  // -- Leaflet.draw in Chinese (only the tools the map offers) ---------------------------------

  if (L.drawLocal) {
    var D = L.drawLocal.draw;
    D.toolbar.actions = { title: "取消绘制 Cancel drawing", text: "取消 Cancel" };
    D.toolbar.finish = { title: "完成绘制 Finish drawing", text: "完成 Finish" };
    D.toolbar.undo = { title: "删除最后一点 Delete the last point", text: "撤销 Undo" };
    // shared by the main map (a study area) and the 建议修改 form's map (a place's shape)
    D.toolbar.buttons.polygon = "画范围（多边形）Draw an area (polygon)";
    D.toolbar.buttons.rectangle = "画范围（矩形）Draw an area (rectangle)";
    D.handlers.polygon.tooltip = {
      start: "点击开始画范围 Click to start the area",
      cont: "点击继续 Click to continue",
      end: "点击第一点闭合范围 Click the first point to close it"
    };
    D.handlers.polyline.error = "<strong>边不能相交 Edges must not cross</strong>";
    D.handlers.rectangle.tooltip = { start: "按住并拖动画矩形 Press and drag" };
    D.handlers.simpleshape.tooltip = { end: "松开完成 Release to finish" };
  }

  // -- offline basemap -------------------------------------------------------------------------

  var LINES = { rivers: 1.6, roads: 2.4, rail: 2 };

  function contextStyle(colours) {
    return function (f) {
      var group = f.properties.group, colour = colours[group] || "#cccccc";
      if (LINES[group]) {
        return { color: colour, weight: LINES[group], opacity: 1, fill: false,
          dashArray: group === "rail" ? "8 4" : null };
      }
      return { stroke: false, fill: true, fillColor: colour, fillOpacity: 1 };
    };
  }

  /** Draw the offline basemap (``mode``: "chosen" or "fallback") or take it away (null). */
  function offline(client, mode) {
    var map = client.base.map, box = map.getContainer();
    client.offlineMode = mode;
    client.element.setAttribute("data-gz-offline", mode || "");
    L.DomUtil[mode ? "addClass" : "removeClass"](box, "gz-offline");
    if (client.notice) { client.notice.remove(); client.notice = null; }
    if (!mode) {
      if (client.contextLayer) { client.contextLayer.remove(); }
      return;
    }
    if (mode === "fallback") {
      // a short tag: the names under a control are not drawn, and a sentence there hid
      // several on a laptop's map; the whole sentence is its title
      client.notice = notice("离线底图 Offline basemap",
        "底图瓦片无法加载，显示离线底图（水系、道路、铁路、机场）Tiles unavailable: offline basemap")
        .addTo(map);
    }
    if (client.contextLayer) { client.contextLayer.addTo(map); return; }
    var url = client.contextUrl;
    if (!url || client.contextLoading) { return; }
    client.contextLoading = true;
    GzMap.fetchJson(url).then(function (doc) {
      client.contextLoading = false;
      if (!client.base || client.base.map !== map) { return; }
      var meta = doc.gzmap || {};
      client.contextLayer = L.geoJSON(doc, {
        pane: "gzContext", interactive: false, style: contextStyle(meta.colours || {}),
        renderer: L.canvas({ pane: "gzContext" })
      });
      (meta.attribution || []).forEach(function (text) {
        if (map.attributionControl) { map.attributionControl.addAttribution(esc(text)); }
      });
      if (client.offlineMode) { client.contextLayer.addTo(map); }
      client.element.setAttribute("data-gz-context", doc.features.length);
    }).catch(function () { client.contextLoading = false; });
  }

  function notice(text, title) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "gz-notice");
      div.textContent = text;
      if (title) { div.title = title; div.setAttribute("aria-label", title); }
      return div;
    };
    return control;
  }

  /** How long a round of tiles may bring none before the offline basemap is drawn in their
   * place: a network that drops tile requests fails at once, but one whose name lookups go
   * unanswered (an intranet's) leaves them pending for many seconds. */
  var SLOW_TILES_MS = 3000;

  /** Watch the tile layers: when a whole round of tiles fails, or brings no tile within
   * SLOW_TILES_MS, draw the offline basemap instead; when a tile loads, take it away. */
  function watchTiles(client) {
    var tiles = [], map = client.base.map;
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) { tiles.push(layer); }
    });
    client.hasTiles = tiles.length > 0;
    tiles.forEach(function (layer) {
      var loaded = 0, failed = 0, timer = null;
      var stop = function () { if (timer) { clearTimeout(timer); timer = null; } };
      var arm = function () {
        stop();
        timer = setTimeout(function () {
          timer = null;
          if (!loaded && !client.offlineMode && client.base && client.base.map === map &&
              map.hasLayer(layer)) {
            offline(client, "fallback");
          }
        }, SLOW_TILES_MS);
      };
      layer.on("loading", function () { loaded = 0; failed = 0; arm(); });
      if (layer.isLoading && layer.isLoading()) { arm(); }  // its first round began already
      layer.on("tileload", function () {
        loaded++;
        if (client.offlineMode === "fallback") { offline(client, null); }
      });
      layer.on("tileerror", function () { failed++; });
      layer.on("load", function () {
        stop();
        if (!loaded && failed && !client.offlineMode) { offline(client, "fallback"); }
      });
      layer.on("remove", stop);
    });
  }

  // -- buttons ---------------------------------------------------------------------------------

  /** 打印当前视图: report the map's extent (in its datum) for the print export. */
  function printButton(client) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function (map) {
      var bar = L.DomUtil.create("div", "leaflet-bar gz-print");
      var a = L.DomUtil.create("a", "", bar);
      a.href = "#";
      a.role = "button";
      a.title = "打印当前视图 Print this view";
      a.setAttribute("aria-label", a.title);
      a.textContent = "打印";
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var b = map.getBounds(), c = map.getCenter(), size = map.getSize();
        client.host.report("view", {
          bounds: [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]],
          center: [c.lat, c.lng], zoom: map.getZoom(), size: [size.x, size.y]
        });
      });
      return bar;
    };
    return control;
  }

  // -- the client's hooks ----------------------------------------------------------------------

  /** Make ``target`` ({base: {map}, element, contextUrl}) ready for the offline basemap:
   * its pane, and its tiles watched. */
  function prepare(target) {
    var map = target.base.map;
    if (!map.getPane("gzContext")) {
      var pane = map.createPane("gzContext");
      pane.style.zIndex = 355;  // over the districts' fill, under every feature
      pane.style.pointerEvents = "none";
    }
    target.offlineMode = null;
    target.contextLayer = null;
    target.notice = null;
    watchTiles(target);
  }

  /** The offline basemap of a whole folium map (pagemap.js: the 规划衔接 and 这里规划了什么
   * maps), as the client's: drawn when the map has no tiles, and when none of them load. */
  function offlineFor(element, map, contextUrl) {
    var target = { base: { map: map }, element: element, contextUrl: contextUrl || "" };
    prepare(target);
    if (!target.hasTiles) { offline(target, "chosen"); }
    return target;
  }

  function attach(client) {
    var map = client.base.map, self = client;
    prepare(client);
    client.picking = null;
    client.busyTool = false;
    if (client._ownHover) { map.on("mousemove", client._ownHover, client); }
    var tools = client.base.tools;
    if (!tools) { return; }
    client.areaGroup = tools.area;
    client.areaKey = null;
    printButton(client).addTo(map);
    map.on("draw:drawstart measurestart", function () { self.busyTool = true; });
    map.on("draw:drawstop measurefinish", function () {
      setTimeout(function () { self.busyTool = false; }, 0);  // after the closing click
    });
    map.on("draw:drawstart", function () { self.areaGroup.clearLayers(); });
    map.on("draw:created", function (e) {
      self.areaKey = null;
      self.host.report("area", { geometry: e.layer.toGeoJSON().geometry });
    });
  }

  function update(client, msg) {
    client.contextUrl = (msg.data && msg.data.context) || "";
    if (!client.hasTiles && client.offlineMode !== "chosen") { offline(client, "chosen"); }
    pick(client, msg.pick || null);
    drawArea(client, msg.area || null);
  }

  /** A message's study area, drawn once per key (a new map draws it again). */
  function drawArea(client, area) {
    if (!client.areaGroup) { return; }
    var key = area ? area.key : null;
    if (key === client.areaKey) { return; }
    client.areaKey = key;
    if (!area) { client.areaGroup.clearLayers(); return; }
    client.areaGroup.clearLayers();
    client.areaGroup.addLayer(L.geoJSON(area.geometry, {
      style: GzMap.style.area, interactive: false
    }));
  }

  function pick(client, value) {
    var key = value ? value.key : null, map = client.base.map;
    if ((client.picking && client.picking.key) === key) { return; }
    client.picking = value;
    L.DomUtil[value ? "addClass" : "removeClass"](map.getContainer(), "gz-picking");
    if (client.pickNotice) { client.pickNotice.remove(); client.pickNotice = null; }
    if (value) { client.pickNotice = notice(value.hint || "点击地图定位").addTo(map); }
  }

  /** Before the client reports a click on feature ``i`` (-1: none): true when the click is
   * the tools' (a position picked, a click of a drawing or a measurement, a click already
   * reported through a layer beneath), so the client reports nothing more. */
  function clicked(client, i, e) {
    var ev = e && e.originalEvent;
    if (ev) {
      if (ev.gzClicked) { return true; }
      ev.gzClicked = true;
    }
    if (client.busyTool) { return true; }
    if (client.picking && e && e.latlng) {
      client.host.report("click", { lat: e.latlng.lat, lng: e.latlng.lng,
        pick: client.picking.key });
      return true;
    }
    if (i < 0 && e && e.containerPoint && client._ownClick) {
      return client._ownClick(e.containerPoint);
    }
    return false;
  }

  GzMap.tools = { coordText: coordText, attach: attach, update: update, clicked: clicked,
    offlineFor: offlineFor };
})(window.L);
