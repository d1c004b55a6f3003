/* gzmap · points.js — many point features on one canvas (L.GzPoints).
 *
 * A layer of the map client (client.js): the points of the roles that have more than the
 * point-cloud threshold in view are drawn here as role-shaped markers on a canvas of their
 * own, instead of one DOM marker each, so a map of 200,000 parks stays usable. The layer
 * holds the points once (projected per zoom) and redraws only what is in view; hit testing
 * runs on a grid of the projected points, so a hover or a click costs the points near the
 * pointer, not all of them. The canvas takes no pointer events: the client asks the layer
 * what lies under the pointer (hit), so the vectors beneath stay clickable.
 */
(function (L) {
  "use strict";

  var CELL = 32; // px, the hit grid's cell

  L.GzPoints = L.Layer.extend({
    options: { pane: "gzPoints", tolerance: 3 },

    initialize: function (options) {
      L.setOptions(this, options);
      this._pts = []; // {ll: L.LatLng, i: feature index, shape, r, fill}
    },

    /** Replace the points drawn: ``points`` is a list of {ll: [lat, lon], i, shape, r, fill}. */
    setPoints: function (points) {
      this._pts = points.map(function (p) {
        return { ll: L.latLng(p.ll[0], p.ll[1]), i: p.i, shape: p.shape, r: p.r, fill: p.fill };
      });
      this._projected = null;
      if (this._map) { this._redraw(); }
      return this;
    },

    count: function () { return this._pts.length; },

    onAdd: function (map) {
      var pane = this.getPane();
      this._canvas = L.DomUtil.create("canvas", "gz-points leaflet-zoom-hide", pane);
      this._canvas.style.pointerEvents = "none";
      this._ctx = this._canvas.getContext("2d");
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      map.on("zoomend viewreset", this._unproject, this);
      this._redraw();
    },

    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.off("zoomend viewreset", this._unproject, this);
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
    },

    _unproject: function () { this._projected = null; },

    /** Layer points of every point at the current zoom, and the hit grid. */
    _project: function () {
      var map = this._map, grid = {}, pts = this._pts;
      for (var k = 0; k < pts.length; k++) {
        var p = map.latLngToLayerPoint(pts[k].ll);
        pts[k].x = p.x;
        pts[k].y = p.y;
        var key = Math.floor(p.x / CELL) + ":" + Math.floor(p.y / CELL);
        (grid[key] || (grid[key] = [])).push(k);
      }
      this._grid = grid;
      this._projected = map.getZoom();
    },

    _redraw: function () {
      var map = this._map;
      if (!map || !this._canvas) { return; }
      if (this._projected !== map.getZoom()) { this._project(); }
      var size = map.getSize(), ratio = window.devicePixelRatio || 1;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      var canvas = this._canvas, ctx = this._ctx;
      L.DomUtil.setPosition(canvas, topLeft);
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px";
      canvas.style.height = size.y + "px";
      ctx.setTransform(ratio, 0, 0, ratio, -topLeft.x * ratio, -topLeft.y * ratio);
      var pts = this._pts, outline = this.options.outline || "#1a1a1a";
      var x0 = topLeft.x - 20, y0 = topLeft.y - 20, x1 = topLeft.x + size.x + 20;
      var y1 = topLeft.y + size.y + 20;
      ctx.lineWidth = 1;
      ctx.strokeStyle = outline;
      ctx.globalAlpha = 0.95;
      for (var k = 0; k < pts.length; k++) {
        var p = pts[k];
        if (p.x < x0 || p.x > x1 || p.y < y0 || p.y > y1) { continue; }
        shapePath(ctx, p.x, p.y, p.r, p.shape);
        ctx.fillStyle = p.fill;
        ctx.fill();
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    },

    /** The feature index of the topmost point under a container point, or -1. */
    hit: function (containerPoint) {
      var map = this._map;
      if (!map || !this._pts.length) { return -1; }
      if (this._projected !== map.getZoom()) { this._project(); }
      var lp = map.containerPointToLayerPoint(containerPoint);
      var cx = Math.floor(lp.x / CELL), cy = Math.floor(lp.y / CELL), best = -1;
      var tol = this.options.tolerance;
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          var cell = this._grid[(cx + dx) + ":" + (cy + dy)];
          if (!cell) { continue; }
          for (var n = 0; n < cell.length; n++) {
            var k = cell[n], p = this._pts[k], r = p.r + tol;
            var ex = lp.x - p.x, ey = lp.y - p.y;
            if (ex * ex + ey * ey <= r * r && k > best) { best = k; } // drawn last is on top
          }
        }
      }
      return best < 0 ? -1 : this._pts[best].i;
    },

    /** The lat/lon of a point of feature ``i`` (for its tooltip). */
    latLngOf: function (i) {
      for (var k = 0; k < this._pts.length; k++) {
        if (this._pts[k].i === i) { return this._pts[k].ll; }
      }
      return null;
    }
  });

  /** A role's marker outline at (x, y) with half size r: a circle (``shape`` a number, its
   * radius in half sizes) or a polygon (``[x0, y0, x1, y1, …]`` in half sizes). */
  function shapePath(ctx, x, y, r, shape) {
    ctx.beginPath();
    if (typeof shape === "number") {
      ctx.arc(x, y, r * shape, 0, Math.PI * 2, false);
    } else {
      ctx.moveTo(x + shape[0] * r, y + shape[1] * r);
      for (var k = 2; k < shape.length; k += 2) {
        ctx.lineTo(x + shape[k] * r, y + shape[k + 1] * r);
      }
      ctx.closePath();
    }
  }

  L.gzPoints = function (options) { return new L.GzPoints(options); };
})(window.L);
