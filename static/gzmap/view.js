/* gzmap · view.js — where the map looks (methods of GzMap.Client, client.js).
 *
 * - A new selection (its frame key) frames its features; a newly opened place is centred
 *   (its focus key). Once the user has moved the map, a new selection leaves the view alone
 *   and a button, "缩放至结果 Zoom to results", frames it on demand.
 * - The view is in the URL as ``#map=zoom/lat/lon`` (WGS84, the convention of OpenStreetMap's
 *   site), written with history.replaceState (no reload, no script run, no history entry).
 *   The query string is the host's: a message may say which query its view belongs to
 *   (``url: {query, keys}``), and the hash is written only while the page's URL is that
 *   query, so a view never lands on the history entry of another; a host that sends no
 *   ``url`` (a static page) owns the whole URL. A link, a reload, Back and Forward open the
 *   view their URL holds instead of framing.
 * - On a map whose tiles are in GCJ-02 (Amap) the hash is converted with gcoord when the
 *   page has it; without it the hash is neither written nor read there.
 */
(function (L) {
  "use strict";

  var GzMap = window.GzMap;
  var Client = GzMap.Client, FIT = GzMap._parts.FIT;
  var INPUT_MS = 800;  // a move this soon after the user's input is the user's

  // -- the URL ---------------------------------------------------------------------------------

  function hashParams() {
    return new URLSearchParams(window.location.hash.replace(/^#/, ""));
  }

  /** {zoom, center} of ``#map=zoom/lat/lon`` (WGS84), or null when absent or malformed. */
  function readHash() {
    var value = hashParams().get("map");
    if (!value || value.length > 64) { return null; }
    var parts = value.split("/");
    if (parts.length !== 3) { return null; }
    var nums = parts.map(function (p) { return /^-?\d{1,3}(\.\d{1,8})?$/.test(p) ? +p : NaN; });
    var z = nums[0], lat = nums[1], lon = nums[2];
    if (!(z >= 0 && z <= 22 && Math.abs(lat) <= 85 && Math.abs(lon) <= 180)) { return null; }
    return { zoom: z, center: [lat, lon] };
  }
  GzMap.readHash = readHash;

  /** Whether the page's URL is the query a message's view belongs to (``url``: {query:
   * {key: value}, keys: [the keys the host owns]}; none: the URL is the client's). */
  function urlIs(url) {
    if (!url) { return true; }
    var here = new URLSearchParams(window.location.search), query = url.query || {};
    var keys = (url.keys || []).concat(Object.keys(query));
    for (var k = 0; k < keys.length; k++) {
      var want = query[keys[k]], got = here.getAll(keys[k]);
      if (want === undefined ? got.length : (got.length !== 1 || got[0] !== String(want))) {
        return false;
      }
    }
    return true;
  }
  GzMap.urlIs = urlIs;

  /** The datum conversions of a map's coordinates to WGS84 and back (null: none possible). */
  function datum(name) {
    if (name !== "gcj02") {
      return { toWgs: function (ll) { return ll; }, fromWgs: function (ll) { return ll; } };
    }
    var g = window.gcoord;
    if (!g) { return null; }
    return {
      toWgs: function (ll) { var p = g.transform([ll[1], ll[0]], g.GCJ02, g.WGS84); return [p[1], p[0]]; },
      fromWgs: function (ll) { var p = g.transform([ll[1], ll[0]], g.WGS84, g.GCJ02); return [p[1], p[0]]; }
    };
  }

  // -- the client's view -----------------------------------------------------------------------

  /** Watch the map: the user's moves, and the view to write into the URL. */
  Client.prototype._watchView = function () {
    var map = this.base.map, box = map.getContainer(), self = this;
    this.inputAt = 0;
    this.moved = false;
    this.touched = false;
    ["mousedown", "wheel", "touchstart", "keydown", "dblclick"].forEach(function (name) {
      box.addEventListener(name, function (e) {
        self.touched = true;
        var control = e.target.closest && e.target.closest(".leaflet-control");
        if (!control || control.classList.contains("leaflet-control-zoom")) {
          self.inputAt = Date.now();
        }
      }, true);
    });
    map.on("movestart zoomstart", function () {
      if (!self.aiming && Date.now() - self.inputAt < INPUT_MS) { self.moved = true; }
    });
    map.on("moveend", function () { self._writeHash(0); });
    if (!this._onPop) {
      this._onPop = function () { self.navigated = true; };
      window.addEventListener("popstate", this._onPop);
    }
  };

  /** Run ``move`` (a fit, a setView) as the client's own move, and keep it as the view to
   * come back to while the page is still sizing the map. */
  Client.prototype._aim = function (move) {
    this.aiming = true;
    try { move(); } finally { this.aiming = false; }
    this.moved = false;
    this.lastAim = move;
    this._resultsButton(null);
  };

  /** Frame the selection when its frame key is new, centre a newly opened place, or open
   * the view the URL holds (a link, a reload, Back or Forward). */
  Client.prototype._view = function (frame, focus, url) {
    var map = this.base.map, first = this.last.frameKey === undefined;
    this.url = url || null;
    var frameKey = frame && frame.bounds ? frame.key : null, focusKey = focus ? focus.key : null;
    var newFrame = frameKey !== null && frameKey !== this.last.frameKey;
    var newFocus = focusKey !== this.last.focusKey;
    this.last.frameKey = frameKey;
    this.last.focusKey = focusKey;
    // the URL's view is not the one this client wrote last: Back, Forward or a typed link (a
    // host's popstate handler may hand over its message before the client's own has run)
    var elsewhere = this.wroteMap !== undefined && hashParams().get("map") !== this.wroteMap;
    var hash = (first || this.navigated || elsewhere || (newFrame || newFocus) && url) &&
      urlIs(url) ? this._hashView() : null;
    this.navigated = false;
    var carried = first && this.carried, conv = datum(this.meta && this.meta.datum);
    this.carried = null;
    if (carried && conv && !hash) {  // a new basemap: the view the old map had
      hash = { zoom: carried.zoom, center: conv.fromWgs(carried.wgs) };
    }
    var move = null;
    if (hash) {
      move = function () { map.setView(hash.center, hash.zoom, { animate: false }); };
    } else if (newFocus && focus && focus.center) {
      move = function (animate) { map.setView(focus.center, focus.zoom, { animate: animate }); };
    } else if (newFrame && this.moved && !first) {
      this._resultsButton(frame.bounds);
    } else if (newFrame) {
      var self = this;
      move = function (animate) { map.fitBounds(frame.bounds, self._fitOptions(frame.bounds, animate)); };
    }
    if (move && first) {
      this._settle(move);
    } else if (move) {
      this._aim(function () { move(true); });
    }
    this.viewReady = true;
    this._writeHash(0);
  };

  /** How to fit bounds so that no feature lies under the legend (bottom left): clear of it
   * to its right or above it, whichever shows the bounds larger. */
  Client.prototype._fitOptions = function (bounds, animate) {
    var map = this.base.map, pad = FIT.padding[0];
    var opts = { animate: animate, maxZoom: FIT.maxZoom, padding: [pad, pad] };
    var legend = this.legendControl && this.legendControl.getContainer();
    if (!legend || !legend.offsetWidth) { return opts; }
    var w = legend.offsetWidth + 10, h = legend.offsetHeight + 10;  // with its margin
    var beside = map.getBoundsZoom(bounds, false, L.point(w + 2 * pad, 2 * pad));
    var above = map.getBoundsZoom(bounds, false, L.point(2 * pad, h + 2 * pad));
    delete opts.padding;
    return L.extend(opts, beside >= above
      ? { paddingTopLeft: [w + pad, pad], paddingBottomRight: [pad, pad] }
      : { paddingTopLeft: [pad, pad], paddingBottomRight: [pad, h + pad] });
  };

  /** A new map's first view: aimed once the page has sized the map, and again while it may
   * still be resizing it, until the user touches the map. */
  Client.prototype._settle = function (move) {
    var self = this, map = this.base.map, tries = 0, aim = function () { move(false); };
    var again = function () {
      if (self.base && self.lastAim === aim && !self.touched) { self._aim(aim); }
    };
    (function sized() {
      var size = map.getSize();
      if ((size.x < 240 || size.y < 240) && tries++ < 40) { setTimeout(sized, 50); return; }
      self._aim(aim);
      [300, 1000, 2500].forEach(function (ms) { setTimeout(again, ms); });
    })();
  };

  /** The view of the URL's hash in the map's datum, or null. */
  Client.prototype._hashView = function () {
    var view = readHash(), conv = datum(this.meta && this.meta.datum);
    if (!view || !conv) { return null; }
    return { zoom: view.zoom, center: conv.fromWgs(view.center) };
  };

  /** Write the map's view into the URL's hash, once the page's URL is the message's. */
  Client.prototype._writeHash = function (tries) {
    var self = this;
    clearTimeout(this.hashTimer);
    if (!this.viewReady || !this.base) { return; }
    if (!urlIs(this.url)) {  // the host has yet to put its query in the URL
      if (tries < 40) { this.hashTimer = setTimeout(function () { self._writeHash(tries + 1); }, 250); }
      return;
    }
    var map = this.base.map, conv = datum(this.meta && this.meta.datum);
    if (!conv || !map._loaded) { return; }
    var z = map.getZoom(), ll = conv.toWgs([map.getCenter().lat, map.getCenter().lng]);
    var digits = Math.max(2, Math.min(6, Math.ceil(Math.log(Math.pow(2, z)) / Math.LN10) + 1));
    var params = hashParams();
    params.set("map", z + "/" + ll[0].toFixed(digits) + "/" + ll[1].toFixed(digits));
    this.wroteMap = params.get("map");
    var text = "#" + params.toString().replace(/%2F/g, "/");
    if (text !== window.location.hash) {
      history.replaceState(history.state, "", window.location.pathname +
        window.location.search + text);
    }
  };

  /** "缩放至结果 Zoom to results": shown with the bounds of a selection not framed (the user
   * had moved the map), hidden with null. */
  Client.prototype._resultsButton = function (bounds) {
    var map = this.base.map, self = this;
    this.pendingBounds = bounds;
    if (!bounds) {
      if (this.resultsControl) { this.resultsControl.remove(); this.resultsControl = null; }
      return;
    }
    if (this.resultsControl) { return; }
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var button = L.DomUtil.create("button", "gz-results-button");
      button.type = "button";
      button.innerHTML = "缩放至结果 <span>Zoom to results</span>";
      L.DomEvent.disableClickPropagation(button);
      L.DomEvent.on(button, "click", function () {
        var target = self.pendingBounds;
        self._aim(function () { map.fitBounds(target, self._fitOptions(target, true)); });
      });
      return button;
    };
    this.resultsControl = control.addTo(map);
    if (this.labels) { this.labels.relayout(); }
  };

  /** The view to carry to the next map when the basemap changes (in WGS84). */
  Client.prototype._carryView = function () {
    if (!this.base || !this.base.map._loaded) { return null; }
    var map = this.base.map, conv = datum(this.meta && this.meta.datum);
    if (!conv) { return null; }
    return { zoom: map.getZoom(), wgs: conv.toWgs([map.getCenter().lat, map.getCenter().lng]) };
  };
})(window.L);
