/* gzmap · labels.js — names on the map (L.GzLabels), as a printed 布局图 has them.
 *
 * A layer of the map client (client.js). Items come in placement order (the client sorts
 * them by role priority, the rules of spatial/webmap/labels.py): each is
 * [lat, lon, html, minZoom, dx, dy, width, height, structure]. After every zoom or pan the
 * labels are laid out again, once per frame: in order, a label that would overlap a label
 * already placed, a district name or a count of places without a site is hidden (those are
 * never hidden); a label's element is made only when it is first shown.
 * ``html`` is already escaped.
 */
(function (L) {
  "use strict";

  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  L.GzLabels = L.Layer.extend({
    initialize: function (items) { this._items = items || []; },

    /** New items (a new selection): the old elements go, the layout runs again. */
    setItems: function (items) {
      this._items = items || [];
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

    // One layout per frame, just before it is drawn: the events of one change (a first
    // draw, a fitted frame) come in bursts, and each layout measures the district labels.
    _schedule: function () {
      if (this._frame || !this._map) { return; }
      this._frame = L.Util.requestAnimFrame(function () {
        this._frame = null;
        this._layout();
      }, this);
    },

    _layout: function () {
      var map = this._map;
      if (!map || !this._box) { return; }
      var z = map.getZoom(), size = map.getSize(), taken = [];
      var root = map.getContainer(), at = root.getBoundingClientRect();
      root.querySelectorAll(".gz-district-label > div, .gz-unsited-count").forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.width) {
          taken.push([r.left - at.left - 2, r.top - at.top - 1, r.right - at.left + 2,
            r.bottom - at.top + 1]);
        }
      });
      var shown = 0;
      for (var i = 0; i < this._items.length; i++) {
        var it = this._items[i], d = this._divs[i];
        var ok = z >= it[3];
        if (ok) {
          var c = map.latLngToContainerPoint([it[0], it[1]]);
          var b = [c.x + it[4], c.y + it[5], c.x + it[4] + it[6], c.y + it[5] + it[7]];
          ok = b[2] > 0 && b[3] > 0 && b[0] < size.x && b[1] < size.y;
          for (var k = 0; ok && k < taken.length; k++) {
            if (overlaps(b, taken[k])) { ok = false; }
          }
          if (ok) {
            taken.push(b);
            if (!d) {
              d = this._divs[i] = L.DomUtil.create(
                "div", it[8] ? "gz-label gz-label-major" : "gz-label", this._box);
              d.innerHTML = it[2];
            }
            var p = map.latLngToLayerPoint([it[0], it[1]]);
            L.DomUtil.setPosition(d, p.add([it[4], it[5]]));
            shown++;
          }
        }
        if (d) { d.style.display = ok ? "block" : "none"; }
      }
      root.setAttribute("data-gz-labels", shown);
    }
  });

  L.gzLabels = function (items) { return new L.GzLabels(items); };
})(window.L);
