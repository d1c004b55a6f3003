/* gzmap · own.js — the user's own layer (我的图层) on the map client's map (client.js).
 *
 * A message brings the layer once ({key, name, file, features}); later messages name its key
 * (the client reports ``need`` when it lacks one). It is drawn in a symbol no plan feature has
 * (GzMap.style.own, spatial.symbology.OWN_SYMBOL, as on paper): points as pins on a canvas of
 * their own (a file may hold thousands), lines and areas with dashed outlines; its features'
 * names as labels; an entry in the legend with the file's name and one in the layer switcher.
 * A click on one of its features is reported as ``own`` {key, id}. Every text from the file
 * (names, the file's name) is escaped before it becomes HTML.
 */
(function (L) {
  "use strict";

  var GzMap = window.GzMap;
  var Client = GzMap.Client, sym = GzMap.symbols, esc = sym.esc, P = GzMap._parts;
  var TIP = P.TIP;
  //: At most this many of the layer's names are laid out; all of them below LABEL_ALL.
  var MAX_LABELS = 400, LABEL_ALL = 60, CLOSE_ZOOM = 12;

  GzMap.ownLayers = GzMap.ownLayers || {};

  function isPoint(f) { return f.geometry.type === "Point" || f.geometry.type === "MultiPoint"; }

  function pointsOf(g) {
    return (g.type === "Point" ? [g.coordinates] : g.coordinates).map(function (c) {
      return [c[1], c[0]];
    });
  }

  /** The pin of a point, as inline SVG (the legend's swatch). */
  function pinSvg(size) {
    var S = GzMap.style.own.point, pts = [];
    for (var k = 0; k < S.shape.length; k += 2) {
      pts.push((12 + S.shape[k] * 5.5).toFixed(2) + "," + (22 + S.shape[k + 1] * 10).toFixed(2));
    }
    return "<svg width='" + size + "' height='" + size + "' viewBox='0 0 24 24'" +
      " aria-hidden='true'><polygon points='" + pts.join(" ") + "' fill='" + S.fill +
      "' stroke='" + S.edge + "' stroke-width='1.6' stroke-linejoin='round'/></svg>";
  }

  function pathSvg(style, kind) {
    var shape = kind === "line"
      ? "<line x1='2' y1='12' x2='26' y2='12'/>"
      : "<rect x='3' y='5' width='22' height='14'/>";
    return "<svg width='28' height='24' viewBox='0 0 28 24' aria-hidden='true'><g stroke='" +
      style.color + "' stroke-width='2' stroke-dasharray='" + style.dashArray + "' fill='" +
      (kind === "line" ? "none" : style.fillColor) + "' fill-opacity='" +
      (style.fillOpacity || 0) + "'>" + shape + "</g></svg>";
  }

  /** Names of the layer's features for L.GzLabels (labels.js's items, in the file's order),
   * beside their pin or on their middle; and the pins, which no name may cover. */
  function labelItems(features, pinPx) {
    var items = [], pins = [];
    var minZoom = features.length <= LABEL_ALL ? 0 : CLOSE_ZOOM;
    features.forEach(function (f) {
      if (isPoint(f)) {
        pointsOf(f.geometry).forEach(function (ll) { pins.push([ll[0], ll[1], pinPx]); });
      }
      var name = String((f.properties && f.properties.label) || "").trim();
      if (!name || items.length >= MAX_LABELS) { return; }
      var at = f.properties.label_at ? [f.properties.label_at[1], f.properties.label_at[0]]
        : isPoint(f) ? pointsOf(f.geometry)[0] : L.geoJSON(f).getBounds().getCenter();
      var lat = at.lat === undefined ? at[0] : at.lat, lng = at.lng === undefined ? at[1] : at.lng;
      items.push({ at: [lat, lng], text: name, r: isPoint(f) ? pinPx : 0, centred: !isPoint(f),
        major: false, minZoom: minZoom, tier: 0 });  // set as text by labels.js
    });
    return [items, pins];
  }

  /** The user's own layer: drawn from the message that brought it; later messages name it. */
  Client.prototype._own = function (own) {
    var key = own ? own.key : null;
    if (key === this.last.ownKey) { return; }
    if (this.ownGroup) {
      if (this.base.control) { this.base.control.removeLayer(this.ownGroup); }
      this.ownGroup.remove();
      this.ownGroup = null;
    }
    this.ownLayer = null;
    this.last.ownKey = key;
    this._ownLegend();
    if (!own) { return; }
    var layer = own.features ? (GzMap.ownLayers[key] = own) : GzMap.ownLayers[key];
    if (!layer) {
      this.last.ownKey = null;
      this.host.report("need", { own: key });
      return;
    }
    var S = GzMap.style.own, self = this, map = this.base.map;
    var feats = layer.features.features || [];
    var title = layer.file ? layer.name + " · " + layer.file : layer.name;
    var tip = function (f) {
      var label = f.properties && f.properties.label;
      return "<b>" + esc(label || "#" + f.id) + "</b> · " + esc(title);
    };
    var paths = L.geoJSON({ type: "FeatureCollection", features: feats.filter(function (f) {
      return !isPoint(f);
    }) }, {
      style: function (f) {
        return f.geometry.type.indexOf("Polygon") >= 0 ? S.polygon : S.line;
      },
      onEachFeature: function (f, path) {
        path.bindTooltip(function () { return tip(f); }, TIP);
        path.on("click", function (e) {
          if (GzMap.tools && GzMap.tools.clicked(self, -1, e)) { return; }
          self.host.report("own", { key: key, id: String(f.id) });
        });
      }
    });
    if (!map.getPane("gzOwnPoints")) {
      var pane = map.createPane("gzOwnPoints");
      pane.style.zIndex = 425;  // over areas and lines, under the plan's points
      pane.style.pointerEvents = "none";
    }
    var pins = [], r = S.point.size / 2;
    feats.forEach(function (f, i) {
      if (!isPoint(f)) { return; }
      pointsOf(f.geometry).forEach(function (ll) {
        pins.push({ ll: ll, i: i, shape: S.point.shape, r: r, fill: S.point.fill });
      });
    });
    var cloud = L.gzPoints({ pane: "gzOwnPoints", outline: S.point.edge, tolerance: 4 })
      .setPoints(pins);
    this.ownLayer = { key: key, features: feats, cloud: cloud, tip: tip };
    var names = labelItems(feats, S.point.size);  // a pin stands its height above its point
    // its names go to the map's one placer (labels.js) while the layer is shown
    this.ownGroup = L.featureGroup([paths, cloud]);
    this.ownGroup.on("add", function () { self.labels.setOwn(names[0], names[1]); });
    this.ownGroup.on("remove", function () { self.labels.setOwn([], []); });
    this.ownGroup.addTo(map);
    this.ownTip = L.tooltip(TIP);
    if (this.base.control) { this.base.control.addOverlay(this.ownGroup, esc(title)); }
    this.element.setAttribute("data-gz-own", feats.length);
    this._ownLegend();
  };

  /** A pin under a container point (the plan's points above it first): report it. */
  Client.prototype._ownClick = function (containerPoint) {
    var own = this.ownLayer;
    if (!own || !this.base.map.hasLayer(this.ownGroup)) { return false; }
    var i = own.cloud.hit(containerPoint);
    if (i < 0) { return false; }
    this.host.report("own", { key: own.key, id: String(own.features[i].id) });
    return true;
  };

  /** The pin's tooltip and pointer, where no plan point is under the pointer. */
  Client.prototype._ownHover = function (e) {
    var own = this.ownLayer, map = this.base.map;
    if (!own || !this.ownTip) { return; }
    var i = this._pointHit(e.containerPoint) < 0 && map.hasLayer(this.ownGroup)
      ? own.cloud.hit(e.containerPoint) : -1;
    if (i < 0) {
      if (this.ownTipShown) { map.closeTooltip(this.ownTip); this.ownTipShown = false; }
      return;
    }
    map.getContainer().style.cursor = "pointer";
    this.ownTip.setLatLng(e.latlng).setContent(own.tip(own.features[i]));
    if (!this.ownTipShown) { map.openTooltip(this.ownTip); this.ownTipShown = true; }
  };

  /** The legend's entry of the own layer: its symbols and the file's name. */
  Client.prototype._ownLegend = function () {
    if (!this.legendControl) { return; }
    var box = this.legendControl.getContainer(), old = box.querySelector(".gz-legend-own");
    if (old) { old.remove(); }
    var own = this.ownLayer;
    if (!own || !own.features.length) { return; }
    var layer = GzMap.ownLayers[own.key] || {}, S = GzMap.style.own, kinds = {};
    own.features.forEach(function (f) {
      var t = f.geometry.type;
      kinds[isPoint(f) ? "point" : t.indexOf("Line") >= 0 ? "line" : "polygon"] = true;
    });
    var swatches = (kinds.point ? pinSvg(18) : "") + (kinds.line ? pathSvg(S.line, "line") : "") +
      (kinds.polygon ? pathSvg(S.polygon, "polygon") : "");
    var div = document.createElement("div");
    div.className = "gz-legend-own";
    div.innerHTML = "<div class='gz-legend-head'>" + esc(layer.name || "") + "</div>" +
      "<div class='gz-legend-entry'><span class='gz-legend-swatch gz-own-swatch'>" + swatches +
      "</span><span class='gz-legend-text gz-own-file'>" + esc(layer.file || "") + "</span></div>";
    (box.querySelector("details") || box).appendChild(div);
  };

  // The legend is rebuilt when the view's legend changes: the own layer's entry goes back in.
  var legend = Client.prototype._legend;
  Client.prototype._legend = function (l, rule) {
    legend.call(this, l, rule);
    this._ownLegend();
  };
})(window.L);
