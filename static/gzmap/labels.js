/* gzmap · labels.js — names on the map (L.GzLabels), placed as a printed 布局图 has them.
 *
 * A layer of the map client (client.js) and of the pages' folium maps (spatial/webmap/pages.py).
 * Items come in placement order (most important first: the client sorts them by role, then by
 * size, the rules of spatial/webmap/labels.py); each is
 *   {at: [lat, lon], text, r, centred, major, minZoom, tier}
 * ``r`` the clearance around the feature's symbol (px; 0 for a line or an area without a
 * marker, whose name is tried ``centred`` on its point first); items of one ``tier`` are
 * as important as each other. After every zoom or pan the
 * names are laid out again, once per frame, as spatial/plot/labels.py's Placer does on
 * paper: each at the first of eight positions around its symbol (E, NE, SE, W, NW, SW, N,
 * S) that overlaps no name already placed, no symbol (``setItems``' ``symbols``: [lat, lon, r]
 * of every marker drawn), no district name, no count of places without a site (those are
 * never hidden) and no control (the legend, the zoom buttons); when few names are in view,
 * further out on four more rings with a leader line, and those left out are tried again
 * ahead of the others of their tier, so a small selection is named whole. A long name that
 * fits nowhere on one line is tried on two; a name that fits nowhere is hidden.
 * Boxes are measured from the text (a canvas measures it; no layout is forced). A name's
 * element is made only when it is first shown, and its text is set as text.
 */
(function (L) {
  "use strict";

  var FONT = "500 12px 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', " +
    "'Microsoft YaHei', sans-serif";
  var FONT_MAJOR = FONT.replace("500 12px", "700 13px");
  var PAD = 2, HEIGHT = 16, HEIGHT_MAJOR = 17;
  var RINGS = [0, 9, 20, 34, 52];  // px beyond an item's clearance: the first, then with a leader
  var FEW = 60;             // at most this many names in view: the outer rings are tried too
  var CELL = 64;            // px, the collision grid's cell
  var WRAP_MIN = 8;         // a longer name may go on two lines where one does not fit
  // what no name may cover: district names, counts of places without a site, the controls
  var TAKEN = ".gz-district-label > div, .gz-unsited-count, .leaflet-control";

  var measure = null;
  function textWidth(text, major) {
    if (!measure) { measure = document.createElement("canvas").getContext("2d"); }
    measure.font = major ? FONT_MAJOR : FONT;
    return Math.ceil(measure.measureText(text).width) + 2 * PAD;
  }

  /** The boxes a name may take, [[w, h, text]] on one line (and on two, when long), each
   * measured once: a filter change names mostly what was named before. */
  var measured = {};
  function shapesOf(text, major) {
    var key = (major ? "1" : "0") + text, shapes = measured[key];
    if (shapes) { return shapes; }
    var h = major ? HEIGHT_MAJOR : HEIGHT, two = wrapped(text);
    shapes = measured[key] = [[textWidth(text, major), h, text]];
    if (two) {
      shapes.push([Math.max(textWidth(two[0], major), textWidth(two[1], major)), 2 * h,
        two.join("\n")]);
    }
    return shapes;
  }

  /** A long name on two lines, broken near its middle, at punctuation if there is some
   * there (spatial.plot.labels.wrap_label); null for a short one. */
  function wrapped(text) {
    var chars = Array.from(text), n = chars.length, mid = Math.floor(n / 2);
    if (n <= WRAP_MIN) { return null; }
    for (var off = 0; off < 4; off++) {
      for (var side = 0; side < 2; side++) {
        var at = side ? mid + off : mid - off;
        if (at > 0 && at < n && ("、，·）)—-".indexOf(chars[at - 1]) >= 0 ||
            "（(“".indexOf(chars[at]) >= 0)) {
          return [chars.slice(0, at).join(""), chars.slice(at).join("")];
        }
      }
    }
    return [chars.slice(0, mid).join(""), chars.slice(mid).join("")];
  }

  /** Boxes [x0, y0, x1, y1] on a grid of cells, for overlap tests against many. */
  function Grid() { this.cells = {}; }
  Grid.prototype._keys = function (b, each) {
    for (var cx = Math.floor(b[0] / CELL); cx <= Math.floor(b[2] / CELL); cx++) {
      for (var cy = Math.floor(b[1] / CELL); cy <= Math.floor(b[3] / CELL); cy++) {
        if (each(cx + ":" + cy)) { return true; }
      }
    }
    return false;
  };
  Grid.prototype.add = function (b) {
    var cells = this.cells;
    this._keys(b, function (k) { (cells[k] || (cells[k] = [])).push(b); });
  };
  Grid.prototype.hits = function (b) {
    var cells = this.cells;
    return this._keys(b, function (k) {
      var list = cells[k];
      if (!list) { return false; }
      for (var i = 0; i < list.length; i++) {
        var o = list[i];
        if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) { return true; }
      }
      return false;
    });
  };

  /** Top-left corners of the candidate boxes of a w × h label around (x, y), at distance r,
   * as spatial.plot.labels.Placer.candidates (y grows downwards here). */
  function candidates(x, y, w, h, r, centred) {
    var d = r * 0.7071, out = [];
    if (centred) { out.push([x - w / 2, y - h / 2]); }
    out.push([x + r, y - h / 2], [x + d, y - d - h], [x + d, y + d],      // E, NE, SE
      [x - r - w, y - h / 2], [x - d - w, y - d - h], [x - d - w, y + d],  // W, NW, SW
      [x - w / 2, y - r - h], [x - w / 2, y + r]);                          // N, S
    return out;
  }

  L.GzLabels = L.Layer.extend({
    initialize: function (items, symbols) {
      this._sets = { plan: [items || [], symbols || []], own: [[], []] };
      this._combine();
    },

    /** New items (a new selection) and the symbols they must keep clear of. */
    setItems: function (items, symbols) {
      this._sets.plan = [items || [], symbols || []];
      return this._reset();
    },

    /** The names of the user's own layer and its pins: laid out by the same placer, after
     * every name of the plan (in tiers after the plan's last), so neither covers the other
     * and the plan's names keep clear of the pins. */
    setOwn: function (items, symbols) {
      this._sets.own = [items || [], symbols || []];
      return this._reset();
    },

    _combine: function () {
      var plan = this._sets.plan, own = this._sets.own, last = 0;
      plan[0].forEach(function (it) { last = Math.max(last, (it.tier || 0) + 1); });
      this._items = plan[0].concat(own[0].map(function (it) {
        return L.extend({}, it, { tier: last + (it.tier || 0) });
      }));
      this._symbols = plan[1].concat(own[1]);
    },

    _reset: function () {
      this._combine();
      this._projected = null;
      if (this._box) { this._box.innerHTML = ""; }
      this._divs = [];
      this._schedule();
      return this;
    },

    onAdd: function (map) {
      var pane = map.getPane("gzLabels");
      if (!pane) {
        pane = map.createPane("gzLabels");
        pane.style.zIndex = 640;
        pane.style.pointerEvents = "none";
      }
      this._box = L.DomUtil.create("div", "gz-labels", pane);
      this._divs = [];
      map.on("zoomend moveend resize viewreset", this._schedule, this);
      this._schedule();
    },

    onRemove: function (map) {
      map.off("zoomend moveend resize viewreset", this._schedule, this);
      L.Util.cancelAnimFrame(this._frame);
      this._frame = null;
      L.DomUtil.remove(this._box);
      this._box = null;
    },

    /** Lay the names out again (a control opened or closed). */
    relayout: function () { this._schedule(); return this; },

    // One layout per frame, just before it is drawn: the events of one change (a first
    // draw, a fitted frame) come in bursts, and each layout measures the district labels.
    _schedule: function () {
      if (this._frame || !this._map) { return; }
      this._frame = L.Util.requestAnimFrame(function () {
        this._frame = null;
        this._layout();
      }, this);
    },

    /** Layer points of the items and symbols (again when the zoom or the pixel origin moves). */
    _project: function () {
      var map = this._map, o = map.getPixelOrigin(), key = map.getZoom() + ":" + o.x + ":" + o.y;
      if (this._projected === key) { return; }
      this._items.forEach(function (it) {
        it._p = map.latLngToLayerPoint(it.at);
        if (it._w === undefined) {
          it._shapes = shapesOf(it.text, it.major);
          it._w = it._shapes[0][0];
          it._h = it._shapes[0][1];
        }
      });
      this._sym = this._symbols.map(function (s) {
        var p = map.latLngToLayerPoint([s[0], s[1]]);
        return [p.x, p.y, s[2]];
      });
      this._projected = key;
    },

    _layout: function () {
      var map = this._map;
      if (!map || !this._box) { return; }
      this._project();
      var z = map.getZoom(), size = map.getSize(), taken = [], k;
      var origin = map.containerPointToLayerPoint([0, 0]);
      var root = map.getContainer(), at = root.getBoundingClientRect();
      root.querySelectorAll(TAKEN).forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.width) {
          taken.push([r.left - at.left - 2, r.top - at.top - 1, r.right - at.left + 2,
            r.bottom - at.top + 1]);
        }
      });
      for (k = 0; k < this._sym.length; k++) {
        var s = this._sym[k], sx = s[0] - origin.x, sy = s[1] - origin.y;
        if (sx > -20 && sy > -20 && sx < size.x + 20 && sy < size.y + 20) {
          taken.push([sx - s[2], sy - s[2], sx + s[2], sy + s[2]]);
        }
      }
      var inView = [], items = this._items;
      for (k = 0; k < items.length; k++) {
        var it = items[k], x = it._p.x - origin.x, y = it._p.y - origin.y;
        if (z >= it.minZoom && x > -it._w && y > -it._h && x < size.x + it._w &&
            y < size.y + it._h) {
          inView.push(k);
        }
      }
      var few = inView.length <= FEW, rings = few ? RINGS : RINGS.slice(0, 1);
      var best = this._pass(inView, taken, origin, size, rings);
      // A few names: those left out go first among the names as important as they are (the
      // same tier), as long as that names more.
      for (var again = 0; few && best.missed.length && again < 3; again++) {
        var missed = {};
        best.missed.forEach(function (m) { missed[m] = true; });
        var order = inView.slice().sort(function (a, b) {
          return (items[a].tier || 0) - (items[b].tier || 0) ||
            (missed[b] ? 1 : 0) - (missed[a] ? 1 : 0) || a - b;
        });
        var next = this._pass(order, taken, origin, size, rings);
        if (next.shown <= best.shown) { break; }
        best = next;
        inView = order;
      }
      for (k = 0; k < items.length; k++) { this._show(k, best.placed[k], origin); }
      root.setAttribute("data-gz-labels", best.shown);
    },

    /** One placement of the items ``order`` names, in that order, around what is ``taken``. */
    _pass: function (order, taken, origin, size, rings) {
      var grid = new Grid(), placed = {}, missed = [], shown = 0;
      taken.forEach(function (b) { grid.add(b); });
      for (var n = 0; n < order.length; n++) {
        var spot = this._place(this._items[order[n]], origin, size, grid, rings);
        if (spot) { placed[order[n]] = spot; shown++; } else { missed.push(order[n]); }
      }
      return { placed: placed, missed: missed, shown: shown };
    },

    /** The first free box of an item: [x0, y0, x1, y1, ring, text] in container pixels (on
     * one line, else on two), or null. */
    _place: function (it, origin, size, grid, rings) {
      var x = it._p.x - origin.x, y = it._p.y - origin.y;
      for (var ring = 0; ring < rings.length; ring++) {
        var r = it.r + rings[ring] + (it.r ? 2 : 0);
        for (var s = 0; s < it._shapes.length; s++) {
          var w = it._shapes[s][0], h = it._shapes[s][1];
          var spots = candidates(x, y, w, h, r, it.centred && ring === 0);
          for (var c = 0; c < spots.length; c++) {
            var b = [spots[c][0], spots[c][1], spots[c][0] + w, spots[c][1] + h];
            if (b[0] < 0 || b[1] < 0 || b[2] > size.x || b[3] > size.y || grid.hits(b)) {
              continue;
            }
            grid.add(b);
            return [b[0], b[1], b[2], b[3], ring, it._shapes[s][2]];
          }
        }
      }
      return null;
    },

    /** Show item k in its box (or hide it), with a leader line when it sits further out. */
    _show: function (k, spot, origin) {
      var it = this._items[k], d = this._divs[k];
      if (!spot) {
        if (d) { d.style.display = "none"; d._leader.style.display = "none"; }
        return;
      }
      if (!d) {
        d = this._divs[k] = L.DomUtil.create(
          "div", it.major ? "gz-label gz-label-major" : "gz-label", this._box);
        d._leader = L.DomUtil.create("div", "gz-label-leader", this._box);
      }
      if (d.textContent !== spot[5]) { d.textContent = spot[5]; }
      d.style.display = "block";
      L.DomUtil.setPosition(d, L.point(spot[0] + origin.x, spot[1] + origin.y));
      var line = d._leader;
      if (!spot[4]) { line.style.display = "none"; return; }
      // from the symbol's edge to the nearest point of the name's box
      var x = it._p.x - origin.x, y = it._p.y - origin.y;
      var nx = Math.min(Math.max(x, spot[0]), spot[2]), ny = Math.min(Math.max(y, spot[1]), spot[3]);
      var dx = nx - x, dy = ny - y, dist = Math.sqrt(dx * dx + dy * dy) || 1;
      var from = it.r * 0.8, len = Math.max(0, dist - from);
      line.style.display = "block";
      line.style.width = len + "px";
      L.DomUtil.setPosition(line, L.point(x + dx / dist * from + origin.x,
        y + dy / dist * from + origin.y));
      line.style.transform += " rotate(" + Math.atan2(dy, dx) + "rad)";
    }
  });

  L.gzLabels = function (items, symbols) { return new L.GzLabels(items, symbols); };
  /** Measure a name ahead of time (while the page is idle). */
  L.GzLabels.measure = function (text, major) { shapesOf(text, major); };
})(window.L);
