/* gzmap · client.js — the project's map client: the data once, a selection at a time.
 *
 * The map (tiles, panes, controls, a group per layer in the layer switcher) is built by
 * folium on the server and reaches the page as a static script (``GzMap.basemaps[key]``).
 * The features of a layer version and the district outlines are static, versioned files
 * fetched once per page. After that the host sends only *messages* (see README "The map
 * client"): which features to show, how to colour them, what to highlight and frame; the
 * client restyles what it holds. The same client runs in the Streamlit app (app/map.py, a
 * custom component) and in a static page with no server behind it.
 *
 *   var client = GzMap.create(element, host);   // host.report(event, value)
 *   client.apply(message);                       // as often as the view changes
 *   client.destroy();
 *
 * Events reported to the host: ``click`` {id} (a feature clicked), ``need`` {own: key} (a
 * message named an own layer the client does not hold), and the tools' (tools.js, own.js).
 * This file: loading, the features shown and their styles, names, many points;
 * furniture.js: highlight, legend, districts, counts; view.js: frame, focus, the view in the
 * URL; own.js: the own layer; tools.js: measuring, coordinates, study area, printing,
 * picking a position, offline basemap.
 */
(function (L) {
  "use strict";

  var GzMap = window.GzMap = window.GzMap || {};
  GzMap.basemaps = GzMap.basemaps || {};
  var sym = GzMap.symbols;
  var esc = sym.esc;

  var TIP = { sticky: true, direction: "top" };
  var FIT = { padding: [24, 24], maxZoom: 15 };

  // -- loading, once per page ------------------------------------------------------------------

  var loaded = {};

  /** A JSON file, fetched once per page (static files: cached by the browser as well). */
  GzMap.fetchJson = function (url) {
    if (!loaded[url]) {
      var early = window.GzMapPrefetch && window.GzMapPrefetch[url];  // the host's loader
      loaded[url] = early || fetch(url).then(function (r) {
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.json();
      });
      loaded[url].catch(function () { delete loaded[url]; });
    }
    return loaded[url];
  };

  /** The features of a layer version, with what the client draws them from. */
  function readFeatures(doc) {
    return doc.features.map(function (f) {
      var p = f.properties, g = f.geometry, kind;
      var t = g.type;
      if (t === "Point" || t === "MultiPoint") { kind = "point"; }
      else if (t === "LineString" || t === "MultiLineString") { kind = "line"; }
      else { kind = "polygon"; }
      var pts = null;
      if (kind === "point") {
        pts = (t === "Point" ? [g.coordinates] : g.coordinates).map(latLng);
      }
      return {
        id: String(f.id), name: p.name || "", role: p.role || "", layer: p.layer || "features",
        industries: p.industries || [], plans: p.plans || [],
        axis: p.axis_order === null || p.axis_order === undefined ? null : p.axis_order,
        kind: kind, geometry: g, points: pts,
        anchor: p.anchor ? latLng(p.anchor) : pts[0],
        labelAt: p.label_point ? latLng(p.label_point) : null,
        size: kind === "point" ? 0 : extent(g.coordinates)
      };
    });
  }

  function latLng(c) { return [c[1], c[0]]; }

  /** The size of a line or an area, which ranks its name among its role's: the diagonal of
   * its bounding box (degrees, longitude scaled to latitude's length). */
  function extent(coords) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    (function walk(c) {
      if (typeof c[0] === "number") {
        box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
        box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
      } else { c.forEach(walk); }
    })(coords);
    var dx = (box[2] - box[0]) * Math.cos((box[1] + box[3]) / 2 * Math.PI / 180);
    var dy = box[3] - box[1];
    return Math.sqrt(dx * dx + dy * dy) || 0;
  }

  /** A height from a message: pixels, or any CSS length (a variable of the host page). */
  function cssSize(value) {
    return typeof value === "number" ? value + "px" : (value || "");
  }
  GzMap.cssSize = cssSize;

  /** GeoJSON coordinates as Leaflet's nested [lat, lon] arrays. */
  function rings(g) {
    var flip = function (ring) { return ring.map(latLng); };
    if (g.type === "Polygon") { return g.coordinates.map(flip); }
    if (g.type === "MultiPolygon") { return g.coordinates.map(function (p) { return p.map(flip); }); }
    if (g.type === "LineString") { return flip(g.coordinates); }
    return g.coordinates.map(flip);
  }

  /** Which features a selection shows: ``{all: true}``, ``{ranges: [start, length, …]}`` or
   * ``{bits: base64}`` (bit i of byte i >> 3, lowest first), over the features file's order. */
  function decodeShow(show, n) {
    var out = new Uint8Array(n);
    if (!show || show.all) { out.fill(1); return out; }
    if (show.ranges) {
      for (var k = 0; k < show.ranges.length; k += 2) {
        out.fill(1, show.ranges[k], Math.min(n, show.ranges[k] + show.ranges[k + 1]));
      }
      return out;
    }
    var bytes = atob(show.bits || "");
    for (var i = 0; i < n; i++) {
      out[i] = (bytes.charCodeAt(i >> 3) >> (i & 7)) & 1;
    }
    return out;
  }
  GzMap.decodeShow = decodeShow;

  // -- the client ------------------------------------------------------------------------------

  function Client(element, host) {
    this.element = element;
    this.host = host || { report: function () {} };
    this.base = null;       // {map, control, groups, districts} of the folium map
    this.baseKey = null;
    this.dataKey = null;    // the features file drawn
    this.features = [];
    this.drawn = [];        // per feature: {key (null when hidden), layers, symbol, fill}
    this.last = {};         // what the last message set: frame, focus, legend, badges, own
    this.pending = null;
    this.busy = null;
  }

  /** Apply a message (the latest wins while data is still loading). */
  Client.prototype.apply = function (msg) {
    this.pending = msg;
    if (!this.busy) { this.busy = this._drain(); }
    return this.busy;
  };

  Client.prototype._drain = function () {
    var self = this;
    var msg = self.pending;
    self.pending = null;
    return self._load(msg).then(function (data) {
      if (self.pending) { return self._drain(); }  // a newer message came meanwhile
      self._draw(msg, data);
      self.busy = null;
    }).catch(function (err) {
      self.busy = null;
      self.element.setAttribute("data-gz-error", String(err && err.message || err));
      throw err;
    });
  };

  Client.prototype._load = function (msg) {
    return Promise.all([
      GzMap.fetchJson(msg.data.features),
      msg.data.districts ? GzMap.fetchJson(msg.data.districts) : Promise.resolve(null)
    ]);
  };

  Client.prototype._draw = function (msg, data) {
    performance.mark("gzmap:data");
    if (this.baseKey !== msg.base) { this._makeMap(msg.base, msg.height); }
    this.div.style.height = cssSize(msg.height);
    if (this.dataKey !== msg.data.features) {
      this._setData(msg.data.features, data[0]);
      this._drawDistricts(data[1]);
    }
    this._own(msg.own);
    if (GzMap.tools) { GzMap.tools.update(this, msg); }
    var sel = msg.selection || {};
    this.districtsDoc = data[1];
    // a filter's click foreseen (predict.js): its view may be drawn already (only the keys are
    // taken), or the user may have changed it again since (the next answer is awaited)
    var verdict = GzMap.predict ? GzMap.predict.verdict(this, msg) : "draw";
    if (verdict === "stale") { return; }
    if (verdict === "draw") { this._restyle(sel); }
    this._view(sel.frame, sel.focus, msg.url);
    this.element.setAttribute("data-gz-selection", sel.key || "");
    this._prepare();
    if (GzMap.predict) { GzMap.predict.served(this, msg); }
    performance.mark("gzmap:drawn");
    this.element.dispatchEvent(new CustomEvent("gzmap:drawn", { detail: sel.key || "" }));
  };

  /** Show a selection's features, highlight, legend and counts (not where the map looks). */
  Client.prototype._restyle = function (sel) {
    this._select(sel);
    this._highlight(sel.highlight);
    this._legend(sel.legend, sym.colourRule(sel.colour));
    this._badges(sel.unsited, this.districtsDoc);
  };

  /** The folium-built map for a basemap: the old one (and all it held) goes. */
  Client.prototype._makeMap = function (key, height) {
    var make = GzMap.basemaps[key];
    if (!make) { throw new Error("no basemap script " + key); }
    var carried = this._carryView ? this._carryView() : null;  // view.js
    this._unmake();
    var div = this.div = L.DomUtil.create("div", "gz-map", this.element);
    div.style.height = cssSize(height);
    this.base = make(div);
    var map = this.base.map, self = this;
    if (window.ResizeObserver) {  // the page may size the map after it is made
      this.resizes = new ResizeObserver(function () { if (map._loaded) { map.invalidateSize(); } });
      this.resizes.observe(div);
    }
    div.removeAttribute("id");
    div.gzMap = this.base.map;  // for tests and benchmarks: the Leaflet map of this element
    this.listed = {};
    this.baseKey = key;
    this.dataKey = null;
    this.last = {};
    this.labels = L.gzLabels([]).addTo(map);
    this.clouds = {};
    this.highlightGroup = L.featureGroup().addTo(map);
    this.badgeGroup = L.featureGroup().addTo(map);
    this.pointTip = L.tooltip(TIP);
    map.on("click", function (e) {
      var hit = self._pointHit(e.containerPoint);
      if (hit >= 0) { self._report(hit, e); } else if (GzMap.tools) { GzMap.tools.clicked(self, -1, e); }
    });
    map.on("mousemove", this._hover, this);
    map.on("mouseout", function () { map.closeTooltip(self.pointTip); });
    this.carried = carried;
    this._watchView();
    if (GzMap.tools) { GzMap.tools.attach(this); }  // tools.js: tools, offline basemap
  };

  Client.prototype._setData = function (url, doc) {
    var self = this;
    Object.keys(this.base.groups).forEach(function (k) { self.base.groups[k].clearLayers(); });
    Object.keys(this.clouds).forEach(function (k) { self.clouds[k].remove(); });
    this.clouds = {};
    this.features = readFeatures(doc);
    this.drawn = this.features.map(function () {
      return { key: null, layers: [], symbol: null, fill: null };
    });
    this.meta = doc.gzmap || {};
    this.dataKey = url;
    this.prepared = null;
    this.last.selection = null;
  };

  Client.prototype._group = function (layer) {
    var groups = this.base.groups;
    if (!groups[layer]) {  // a layer the map was not built with: drawn, not in the switcher
      groups[layer] = L.featureGroup().addTo(this.base.map);
    }
    return groups[layer];
  };

  Client.prototype._report = function (i, e) {
    if (GzMap.tools && GzMap.tools.clicked(this, i, e)) { return; }  // a tool's click
    var f = this.features[i];
    if (f) { this.host.report("click", { id: f.id }); }
  };

  Client.prototype._pointHit = function (containerPoint) {
    var best = -1, self = this;
    Object.keys(this.clouds).forEach(function (k) {
      var cloud = self.clouds[k];
      if (cloud._map) { best = Math.max(best, cloud.hit(containerPoint)); }
    });
    return best;
  };

  Client.prototype._hover = function (e) {
    var i = this._pointHit(e.containerPoint), map = this.base.map;
    map.getContainer().style.cursor = i >= 0 ? "pointer" : "";
    if (i < 0) { map.closeTooltip(this.pointTip); return; }
    var f = this.features[i];
    this.pointTip.setLatLng(e.latlng).setContent(sym.tooltipHtml(f.name, this._roleOf(i)));
    if (!map.hasLayer(this.pointTip)) { map.openTooltip(this.pointTip); }
  };

  Client.prototype._roleOf = function (i) {
    var r = this.roles && this.roles[i];
    return r || this.features[i].role;
  };

  // -- a selection -----------------------------------------------------------------------------

  Client.prototype._select = function (sel) {
    var S = GzMap.style, feats = this.features, n = feats.length;
    var show = decodeShow(sel.show, n);
    this.roles = sel.roles || {};
    var numbered = sel.numbered || {};
    var rule = sym.colourRule(sel.colour);
    var cloudMin = S.cloud_min, perCloud = {}, k, i;
    for (i = 0; i < n; i++) {
      if (show[i] && feats[i].kind === "point") {
        k = feats[i].layer + "|" + this._roleOf(i);
        perCloud[k] = (perCloud[k] || 0) + 1;
      }
    }
    var clouds = {};  // layer -> points
    this.shown = show;
    this.inCloud = new Uint8Array(n);
    for (i = 0; i < n; i++) {
      var f = feats[i], d = this.drawn[i];
      if (!show[i]) {
        if (d.key !== null) { this._hide(i); }
        continue;
      }
      var role = this._roleOf(i);
      var fill = sym.fillOf(rule, f.industries, f.plans);
      var num = numbered[i];
      var cloud = f.kind === "point" && perCloud[f.layer + "|" + role] > cloudMin;
      this.inCloud[i] = cloud ? 1 : 0;
      var key = role + "|" + fill + "|" + (num === undefined ? "" : num) + "|" + (cloud ? 1 : 0);
      if (cloud) {
        var list = clouds[f.layer] || (clouds[f.layer] = []);
        var st = sym.roleStyle(role), shape = S.canvas_shapes[st.shape] || S.canvas_shapes.circle;
        var r = Math.max(9, Math.round(st.size * 0.65)) / 2;
        f.points.forEach(function (ll) { list.push({ ll: ll, i: i, shape: shape, r: r, fill: fill }); });
      }
      if (d.key === key) { continue; }
      this._hide(i);
      d.key = key;
      if (!cloud) { this._reshow(i, role, fill, num); }
    }
    this._clouds(clouds);
    this._switcher(show);
    this._labels(show, numbered);
    this.element.setAttribute("data-gz-shown", show.reduce(function (a, b) { return a + b; }, 0));
  };

  /** Take a feature's drawing off the map; it is kept for when a view shows it again. */
  Client.prototype._hide = function (i) {
    var d = this.drawn[i];
    if (d.key === null) { return; }
    var group = this._group(this.features[i].layer);
    d.layers.forEach(function (layer) { group.removeLayer(layer); });
    d.key = null;
  };

  /** Draw a feature in a symbol: the drawing it had when it was last shown (or made ahead,
   * ``_prepare``) in the same symbol, recoloured if its fill is new; else a new one. Making
   * Leaflet markers was most of a restyle's time. */
  Client.prototype._reshow = function (i, role, fill, num) {
    var d = this.drawn[i], symbol = role + "|" + (num === undefined ? "" : num);
    if (d.symbol !== symbol) {
      d.layers = this._make(i, role, fill, num);
      d.symbol = symbol;
      d.fill = fill;
    } else if (d.fill !== fill) {
      var fillColor = fill || sym.roleStyle(role).color;
      d.layers.forEach(function (layer) {
        if (layer instanceof L.Marker) {
          var g = layer.options.icon.options.html.querySelector("g");
          if (g && num === undefined) { g.setAttribute("fill", fill || GzMap.style.neutral); }
        } else if (layer instanceof L.Polygon) {
          layer.setStyle({ fillColor: fillColor });
        }
      });
      d.fill = fill;
    }
    var group = this._group(this.features[i].layer);
    d.layers.forEach(function (layer) { group.addLayer(layer); });
  };

  /** While the page is idle after a view is drawn, make the drawings of the features not
   * shown (in their own role; a view recolours them) and measure their names, so that a
   * filter change only puts them on the map. Not for a layer and role with more points than
   * are drawn as markers (those go on a canvas). */
  Client.prototype._prepare = function () {
    if (this.prepared === this.dataKey) { return; }
    this.prepared = this.dataKey;
    var self = this, data = this.dataKey, feats = this.features, S = GzMap.style, i = 0, k;
    var idle = window.requestIdleCallback || function (fn) {
      return setTimeout(function () { fn({ timeRemaining: function () { return 10; } }); }, 50);
    };
    var many = {};
    for (k = 0; k < feats.length; k++) {
      if (feats[k].kind === "point") {
        var group = feats[k].layer + "|" + feats[k].role;
        many[group] = (many[group] || 0) + 1;
      }
    }
    var step = function (deadline) {
      if (self.dataKey !== data || !self.base) { return; }
      var R = S.labels;
      for (; i < feats.length && deadline.timeRemaining() > 2; i++) {
        var f = feats[i], d = self.drawn[i];
        if (f.kind === "point" && many[f.layer + "|" + f.role] > S.cloud_min) { continue; }
        if (d.symbol === null) {
          d.layers = self._make(i, f.role, undefined, undefined);
          d.symbol = f.role + "|";
          d.fill = null;
        }
        var name = f.name.trim();
        if (name) {
          L.GzLabels.measure(name, R.city_roles.indexOf(f.role) >= 0 ||
            (f.axis !== null && f.role !== "cluster"));
        }
      }
      if (i < feats.length) { idle(step); }
    };
    idle(step);
  };

  /** The Leaflet layers of a feature in a symbol (not yet on the map). */
  Client.prototype._make = function (i, role, fill, num) {
    var f = this.features[i], self = this, layers = [];
    var tip = function () { return sym.tooltipHtml(f.name, self._roleOf(i)); };
    var click = function (e) {
      if (e && e.containerPoint && self._pointHit(e.containerPoint) >= 0) { return; }
      self._report(i, e);
    };
    var st = sym.roleStyle(role);
    if (f.kind === "polygon" || f.kind === "line") {
      var path = f.kind === "polygon"
        ? L.polygon(rings(f.geometry), sym.pathOptions(role, "polygon", fill))
        : L.polyline(rings(f.geometry), sym.pathOptions(role, "line", fill));
      layers.push(path.bindTooltip(tip, TIP).on("click", click));
    }
    var marked = f.kind === "point" || (f.kind === "polygon" && (st.marked || num !== undefined));
    if (marked) {
      var at = f.kind === "point" ? f.points : [f.anchor];
      at.forEach(function (ll) {
        var icon = L.divIcon(sym.markerIcon(role, fill, num, f.name, false));
        layers.push(L.marker(ll, { icon: icon }).bindTooltip(tip, TIP).on("click", click));
      });
    }
    return layers;
  };

  Client.prototype._clouds = function (clouds) {
    var self = this, S = GzMap.style;
    Object.keys(this.clouds).forEach(function (layer) {
      if (!clouds[layer]) { self.clouds[layer].remove(); delete self.clouds[layer]; }
    });
    Object.keys(clouds).forEach(function (layer) {
      var cloud = self.clouds[layer];
      if (!cloud) {
        cloud = self.clouds[layer] = L.gzPoints({ outline: S.outline });
        self._group(layer).addLayer(cloud);
      }
      cloud.setPoints(clouds[layer]);
    });
  };

  /** The layer switcher lists the layers that have features in view. */
  Client.prototype._switcher = function (show) {
    var control = this.base.control, labels = this.base.labels || {}, groups = this.base.groups;
    if (!control) { return; }
    var has = {}, feats = this.features;
    for (var i = 0; i < feats.length; i++) { if (show[i]) { has[feats[i].layer] = true; } }
    var self = this;
    Object.keys(groups).forEach(function (layer) {
      if (has[layer] && !self.listed[layer]) {
        control.addOverlay(groups[layer], labels[layer] || esc(layer));
        self.listed[layer] = true;
      } else if (!has[layer] && self.listed[layer]) {
        control.removeLayer(groups[layer]);
        delete self.listed[layer];
      }
    });
  };

  /** Names of the features shown, most important first: the structure, then by role
   * (spatial/webmap/labels.py's rules, from GzMap.style.labels), then the larger first; and
   * the markers drawn, which no name may cover (labels.js places them). */
  Client.prototype._labels = function (show, numbered) {
    var R = GzMap.style.labels, feats = this.features, rows = [], symbols = [];
    for (var i = 0; i < feats.length; i++) {
      if (!show[i]) { continue; }
      var f = feats[i], role = this._roleOf(i), st = sym.roleStyle(role);
      var num = numbered[i] !== undefined;
      var marked = f.kind === "point" || (f.kind === "polygon" && (st.marked || num));
      var r = num ? 9 : Math.floor(st.size / 2);
      if (this.inCloud[i]) { r = Math.max(9, Math.round(st.size * 0.65)) / 2; }
      if (marked) {
        (f.kind === "point" ? f.points : [f.anchor]).forEach(function (ll) {
          symbols.push([ll[0], ll[1], r]);
        });
      }
      var name = f.name.trim();
      if (!name) { continue; }
      var structure = R.city_roles.indexOf(role) >= 0 || (f.axis !== null && role !== "cluster");
      var prio = R.priority[role];
      rows.push({ rank: [structure ? 0 : 1, prio === undefined ? 99 : prio, -f.size], name: name,
        item: { at: f.labelAt || f.anchor, text: name, r: marked ? r : 0, centred: !marked,
          major: structure, minZoom: R.min_zoom } });
    }
    rows.sort(function (a, b) {
      return a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2] ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    var tier = 0;
    this.labels.setItems(rows.slice(0, R.max).map(function (row, k) {
      var before = rows[k - 1];
      if (before && row.rank.some(function (v, j) { return v !== before.rank[j]; })) { tier++; }
      row.item.tier = tier;
      return row.item;
    }), symbols);
  };

  Client.prototype._unmake = function () {
    if (this.resizes) { this.resizes.disconnect(); this.resizes = null; }
    if (this.base) { this.base.map.remove(); L.DomUtil.remove(this.div); }
    this.base = null;
    this.ownGroup = null;
    this.legendControl = null;
  };

  Client.prototype.destroy = function () {
    this._unmake();
    clearTimeout(this.hashTimer);
    if (this._onPop) { window.removeEventListener("popstate", this._onPop); this._onPop = null; }
  };

  GzMap.Client = Client;
  GzMap.create = function (element, host) { return new Client(element, host); };
  GzMap._parts = { TIP: TIP, FIT: FIT, latLng: latLng, rings: rings };  // for furniture.js
})(window.L);
