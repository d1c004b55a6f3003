/* gzmap · pagemap.js — a whole folium map carried onto the page (the 规划衔接 and
 * 这里规划了什么 maps, spatial/webmap/pages.py), with its clicks reported to the host.
 *
 * The server renders the map with folium and sends its script; the client runs it (as a
 * script of its own, from a blob: URL) in a <div> named as folium named the map, and reports a click as the events the message asks
 * for (``report``): ``last_clicked`` {lat, lng} (the point clicked, in the map's datum),
 * ``last_object_clicked_tooltip`` (the text of the clicked feature's tooltip, which carries
 * its id: spatial.webmap.popups.tooltip_feature_id) and ``last_active_drawing`` (a shape drawn
 * with Leaflet.draw, as GeoJSON). A plugin's scripts come with the message (``scripts``).
 */
(function (L) {
  "use strict";

  var GzMap = window.GzMap = window.GzMap || {};
  var ID_MARK = /⟦([a-z0-9][a-z0-9_-]{0,79})⟧/;

  /** The text of a layer's tooltip, as a reader sees it ("" without one). */
  function tooltipText(layer) {
    var tip = layer.getTooltip && layer.getTooltip();
    if (!tip) { return ""; }
    var content = tip.getContent();
    if (typeof content === "function") {  // e.g. folium's GeoJsonTooltip, made per feature:
      try { content = content(layer); } catch (err) { return ""; }  // not for its group
    }
    if (typeof content === "string") {  // parsed in an inert document: nothing loads or runs
      return new DOMParser().parseFromString(content, "text/html").body.textContent || "";
    }
    return (content && content.textContent) || "";
  }

  function PageMap(element, host) {
    this.element = element;
    this.host = host || { report: function () {} };
    this.map = null;
    this.script = null;
  }

  /** Run a map's script as a script of its own (a blob: URL, as Streamlit runs a component's
   * code; no eval, which a strict Content-Security-Policy refuses); resolves to its map. */
  function runScript(spec) {
    var slot = "m" + (++runScript.count);
    var code = "window.GzMap._pageMaps[" + JSON.stringify(slot) + "] = function () {\n" +
      spec.script + "\nreturn " + spec.name + ";\n};";
    var url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    return new Promise(function (ok, fail) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = function () {
        URL.revokeObjectURL(url);
        script.remove();
        var make = GzMap._pageMaps[slot];
        delete GzMap._pageMaps[slot];
        try { ok(make()); } catch (err) { fail(err); }
      };
      script.onerror = function () { URL.revokeObjectURL(url); fail(new Error("map script")); };
      document.head.appendChild(script);
    });
  }
  runScript.count = 0;
  GzMap._pageMaps = GzMap._pageMaps || {};

  PageMap.prototype.apply = function (msg) {
    var spec = msg.folium, self = this;
    if (spec.script === this.script) { return Promise.resolve(); }
    this.destroy();
    this.script = spec.script;
    var div = this.div = L.DomUtil.create("div", "gz-map gz-page-map", this.element);
    div.id = spec.name;
    div.style.height = GzMap.cssSize(msg.height);
    return runScript(spec).then(function (map) {
      div.removeAttribute("id");
      if (self.script !== spec.script) { map.remove(); return; }  // a newer map came meanwhile
      self.map = map;
      self._listen(map, msg.report || ["last_clicked"]);
      if (GzMap.tools) { GzMap.tools.offlineFor(self.element, map, msg.context); }
      div.gzMap = map;
      self.element.setAttribute("data-gz-selection", spec.name);
    });
  };

  PageMap.prototype._listen = function (map, report) {
    var host = this.host, picked = null;
    map.eachLayer(function (layer) {
      var text = tooltipText(layer);
      if (ID_MARK.test(text)) { layer.on("click", function () { picked = text; }); }
    });
    var drawing = false;  // a click while a shape is being drawn is part of the shape
    map.on("draw:drawstart", function () { drawing = true; });
    map.on("draw:drawstop", function () { drawing = false; });
    map.on("click", function (e) {
      if (drawing) { return; }
      if (report.indexOf("last_clicked") >= 0) {
        host.report("last_clicked", { lat: e.latlng.lat, lng: e.latlng.lng });
      }
      if (picked !== null && report.indexOf("last_object_clicked_tooltip") >= 0) {
        host.report("last_object_clicked_tooltip", picked);
      }
      picked = null;
    });
    if (report.indexOf("last_active_drawing") >= 0) {  // folium.plugins.Draw (Leaflet.draw)
      map.on("draw:created", function (e) {
        host.report("last_active_drawing", e.layer.toGeoJSON());
      });
    }
  };

  PageMap.prototype.destroy = function () {
    if (this.map) { this.map.remove(); }
    if (this.div) { L.DomUtil.remove(this.div); }
    this.map = null;
    this.div = null;
    this.script = null;
  };

  GzMap.PageMap = PageMap;

  // -- the hosts' entry point --------------------------------------------------------------------

  var clients = new WeakMap();

  /** Have ``client`` (a GzMap.Client made on ``element``) be the one ``mount`` finds there:
   * a map drawn before its host asked for it (preboot.js). */
  GzMap.hold = function (element, client) { clients.set(element, client); };

  /** Draw ``msg`` in ``element`` (made on first use, reused after): the one call a host
   * makes whenever its view changes. Returns a function that takes the map away. */
  GzMap.mount = function (element, msg, host) {
    var mode = msg.mode === "folium" ? PageMap : GzMap.Client;
    var client = clients.get(element);
    if (!client || !(client instanceof mode)) {
      if (client) { client.destroy(); }
      client = new mode(element, host);
      clients.set(element, client);
    }
    client.host = host || client.host;
    client.apply(msg);
    return function () {
      client.destroy();
      clients.delete(element);
    };
  };
})(window.L);
