/* gzmap · furniture.js — what the map client draws around the features (client.js): the
 * highlight of the open place, the legend, the district outlines and names, the counts of
 * places without a site, and the user's own layer (the view: view.js).
 * Methods of GzMap.Client, in a file of their own to keep each readable.
 */
(function (L) {
  "use strict";

  var GzMap = window.GzMap;
  var Client = GzMap.Client, sym = GzMap.symbols, esc = sym.esc, P = GzMap._parts;
  var TIP = P.TIP, FIT = P.FIT, latLng = P.latLng, rings = P.rings;

  /** The selected feature: a ring around it, its outline in bold, its marker enlarged. */
  Client.prototype._highlight = function (i) {
    var group = this.highlightGroup;
    group.clearLayers();
    if (i === undefined || i === null || i < 0 || !this.features[i]) { return; }
    var f = this.features[i], role = this._roleOf(i), st = sym.roleStyle(role), S = GzMap.style;
    var d = this.drawn[i], self = this;
    if (f.kind === "polygon") {
      group.addLayer(L.polygon(rings(f.geometry), { color: S.outline, weight: 4, fill: false,
        interactive: false }));
    } else if (f.kind === "line") {
      group.addLayer(L.polyline(rings(f.geometry), { color: S.outline, weight: st.weight + 5,
        opacity: 0.35, interactive: false }));
    }
    group.addLayer(L.circleMarker(f.anchor, { radius: Math.floor(st.size / 2) + 9,
      color: S.outline, weight: 3, fill: false, interactive: false }));
    var parts = (d.key || "").split("|");
    var fill = parts[1] || undefined, num = parts[2] === "" || !parts[2] ? undefined : parts[2];
    var icon = L.divIcon(sym.markerIcon(role, fill, num, f.name + "（已选中 selected）", true));
    group.addLayer(L.marker(f.anchor, { icon: icon, zIndexOffset: 1000 })
      .bindTooltip(function () { return sym.tooltipHtml(f.name, self._roleOf(i)); }, TIP)
      .on("click", function () { self._report(i); }));
  };

  /** Below this window width the legend starts folded (a phone, a narrow window). */
  var LEGEND_OPEN_MIN_PX = 1000;

  /** The legend: folded at first on a narrow screen, then as the user left it; never more
   * than half the map's width and half its height (a quarter of the map at most: what does
   * not fit scrolls inside it); every label whole, wrapped. */
  Client.prototype._legend = function (legend, rule) {
    var map = this.base.map, text = JSON.stringify([legend || null, rule.colours]), self = this;
    if (text === this.last.legend) { return; }
    this.last.legend = text;
    if (!this.legendControl) {
      var control = L.control({ position: "bottomleft" });
      control.onAdd = function () {
        var div = L.DomUtil.create("div", "gz-legend-control");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      };
      this.legendControl = control.addTo(map);
      map.on("resize", this._fitLegend, this);
    }
    if (this.legendOpen === undefined) {
      this.legendOpen = window.innerWidth >= LEGEND_OPEN_MIN_PX;
    }
    var box = this.legendControl.getContainer();
    box.innerHTML = legend && ((legend.symbols || []).length || (legend.colours || []).length)
      ? sym.legendHtml(legend, rule, this.legendOpen) : "";
    var details = box.querySelector("details");
    if (details) {
      details.addEventListener("toggle", function () {
        self.legendOpen = details.open;
        self._fitLegend();
        if (self.labels) { self.labels.relayout(); }
      });
    }
    this._fitLegend();
  };

  Client.prototype._fitLegend = function () {
    var details = this.legendControl && this.legendControl.getContainer().querySelector("details");
    if (!details || !this.base) { return; }
    var size = this.base.map.getSize(), margin = 10;  // the control's own margin
    details.style.maxWidth = Math.max(120, Math.floor(size.x / 2) - margin) + "px";
    details.style.maxHeight = Math.max(28, Math.floor(size.y / 2) - margin) + "px";
  };

  /** Places named without a site, as a count per district under the district's name. */
  Client.prototype._badges = function (counts, districts) {
    var text = JSON.stringify(counts || []);
    if (text === this.last.badges) { return; }
    this.last.badges = text;
    var group = this.badgeGroup, where = {};
    group.clearLayers();
    ((districts && districts.features) || []).forEach(function (f) {
      where[f.properties.name] = f.properties.badge_point;
    });
    (counts || []).forEach(function (pair) {
      var name = pair[0], n = pair[1], at = where[name];
      if (!at) { return; }
      var title = esc(name + "：" + n + " 处规划提及的地点尚无确定位置");
      var html = "<div class='gz-badge-box'><div class='gz-unsited-count' title='" + title +
        "' aria-label='" + title + "'>" + esc(n) + " 处未定位</div></div>";
      group.addLayer(L.marker(latLng(at), {
        icon: L.divIcon({ html: html, iconSize: [90, 16], iconAnchor: [45, -8],
          className: "gz-badge" })
      }).bindTooltip(esc(name + "：" + n + " 处尚无确定位置"), TIP));
    });
  };

  /** District outlines, and their names above every marker (a pane of their own, between
   * the markers and the feature names, which keep clear of them). */
  Client.prototype._drawDistricts = function (doc) {
    var group = this.base.districts, map = this.base.map;
    if (!group) { return; }
    group.clearLayers();
    if (!map.getPane("gzDistrictNames")) {
      var pane = map.createPane("gzDistrictNames");
      pane.style.zIndex = 630;
      pane.style.pointerEvents = "none";
    }
    ((doc && doc.features) || []).forEach(function (f) {
      group.addLayer(L.geoJSON(f, { pane: "gzDistricts", interactive: false,
        style: { color: "#555555", weight: 1.2, fill: true, fillColor: "#f4f1ea",
          fillOpacity: 0.35 } }));
      group.addLayer(L.marker(latLng(f.properties.label_point), {
        interactive: false, keyboard: false, pane: "gzDistrictNames",
        icon: L.divIcon({ html: "<div>" + esc(f.properties.name) + "</div>", iconSize: [0, 0],
          className: "gz-district-label" })
      }));
    });
  };

})(window.L);
