/* gzmap · symbols.js — how a feature looks: SVG markers, path styles, tooltips, legend.
 *
 * The screen side of spatial/symbology.py, as spatial/webmap/styles.py has it: every number
 * here comes from ``GzMap.style`` (role colours, shapes, sizes, dashes, fills, the colour
 * rules' fixed colours), which the server writes from those modules into the client's
 * bundle, so the map and the print export draw from one symbology. Every text from a plan or
 * an uploaded file is escaped here before it becomes HTML.
 */
(function () {
  "use strict";

  var GzMap = window.GzMap = window.GzMap || {};

  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };

  /** Text as HTML text or attribute value (as Python's html.escape). */
  function esc(value) {
    if (value === null || value === undefined) { return ""; }
    return String(value).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  }

  function style() { return GzMap.style; }

  /** The style of a role (the default style for an unknown one). */
  function roleStyle(role) {
    var s = style();
    return s.roles[role] || s.default_role;
  }

  function roleZh(role) {
    var s = roleStyle(role);
    return role && s === style().default_role ? String(role) : (s.zh || "");
  }

  /** Inline SVG of a role's marker (spatial.webmap.styles.marker_svg). */
  function markerSvg(role, size, selected, label, fill) {
    var s = roleStyle(role), S = style();
    var px = size || s.size;
    var shape = S.shapes[s.shape] || S.shapes.circle;
    var aria = label ? ' role="img" aria-label="' + esc(label) + '"' : ' aria-hidden="true"';
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + px + '" height="' + px +
      '" viewBox="0 0 24 24" style="display:block;overflow:visible"' + aria + ">" +
      '<g fill="' + esc(fill || S.neutral) + '" stroke="' + S.outline + '" stroke-width="' +
      (selected ? "3" : "1.6") + '" stroke-linejoin="round">' + shape + "</g></svg>";
  }

  /** Inline SVG of a numbered axis node (spatial.webmap.styles.number_svg). */
  function numberSvg(number, size, label) {
    var aria = label ? ' role="img" aria-label="' + esc(label) + '"' : ' aria-hidden="true"';
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + size + '" height="' + size +
      '" viewBox="0 0 24 24" style="display:block;overflow:visible"' + aria + ">" +
      '<circle cx="12" cy="12" r="11" fill="' + style().axis + '" stroke="#ffffff" ' +
      'stroke-width="1.5"/><text x="12" y="16.5" text-anchor="middle" font-size="13" ' +
      'font-weight="600" fill="#ffffff" font-family="sans-serif">' + esc(number) +
      "</text></svg>";
  }

  /** Parsed SVG of each symbol drawn so far (its markup without the accessible name), cloned
   * for every marker: parsing markup per marker was most of a restyle's time. */
  var templates = {};

  function svgNode(html) {
    var node = templates[html];
    if (!node) {
      var box = document.createElement("div");
      box.innerHTML = html;
      node = templates[html] = box.firstChild;
    }
    return node.cloneNode(true);
  }

  /** Leaflet divIcon options of a feature's marker: its role's shape in ``fill``, or its
   * number when it is a numbered axis node; larger when selected. ``html`` is an element of
   * its own (a clone of the symbol's SVG, named ``label`` as text), so each marker needs an
   * icon of its own. */
  function markerIcon(role, fill, number, label, selected) {
    var html, px;
    if (number !== undefined && number !== null) {
      px = 18 + (selected ? 8 : 0);
      html = numberSvg(number, px, null);
    } else {
      px = roleStyle(role).size + (selected ? 10 : 0);
      html = markerSvg(role, px, selected, null, fill);
    }
    var svg = svgNode(html);
    if (label) {
      svg.removeAttribute("aria-hidden");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", String(label));
    }
    return { html: svg, iconSize: [px, px], iconAnchor: [Math.floor(px / 2), Math.floor(px / 2)],
      className: "gz-marker" };
  }

  /** Path options of a polygon or line of a role (spatial.webmap.items.feature_items). */
  function pathOptions(role, kind, fill) {
    var s = roleStyle(role);
    var o = { color: s.color, weight: s.weight };
    if (s.dash) { o.dashArray = s.dash; }
    if (kind === "polygon") {
      o.fill = true;
      o.fillColor = fill || s.color;
      o.fillOpacity = s.fill_opacity;
      o.pane = "gzPolygons";
    } else {
      o.opacity = 0.9;
      o.pane = "gzLines";
    }
    return o;
  }

  /** Hover text of a feature: its name and role. */
  function tooltipHtml(name, role) {
    return "<b>" + esc(name) + "</b> · " + esc(roleZh(role));
  }

  /** The fill of a feature under a colour rule (spatial.symbology.Symbology.fill_of). */
  function fillOf(rule, industries, plans) {
    var S = style();
    if (rule.rule === "plan") {
      var seen = [];
      (plans || []).forEach(function (p) { if (p && seen.indexOf(p) < 0) { seen.push(p); } });
      if (seen.length > 1) { return S.several_plans; }
      if (!seen.length) { return S.other; }
      return S.plan_colours[seen[0]] || S.other;
    }
    if (!industries || !industries.length) { return S.no_industry; }
    var best = -1;
    for (var k = 0; k < industries.length; k++) {
      var at = rule.order[industries[k]];
      if (at !== undefined && (best < 0 || at < best)) { best = at; }
    }
    return best < 0 ? S.other : rule.colours[best][1];
  }

  /** A colour rule of a selection, ready for :func:`fillOf`: ``{rule, tags}`` (the tags wear
   * the industry palette in order), ``{rule, colours: [[tag, colour]]}`` or ``{rule: "plan"}``
   * (spatial.webmap.client.colour_spec). */
  function colourRule(spec) {
    spec = spec || { rule: "industry", tags: [] };
    var palette = style().industry_palette;
    var colours = spec.colours || (spec.tags || []).map(function (tag, k) {
      return [tag, palette[k]];
    });
    var order = {}, tagOf = {};
    colours.forEach(function (pair, k) { order[pair[0]] = k; tagOf[pair[1]] = pair[0]; });
    return { rule: spec.rule, colours: colours, order: order, tagOf: tagOf };
  }

  // -- legend (spatial.webmap.styles.legend_html) --------------------------------------------

  function swatch(role, kind) {
    var s = roleStyle(role), S = style();
    var dash = s.dash ? ' stroke-dasharray="' + s.dash + '"' : "";
    if (kind === "number") { return numberSvg(1, 16); }
    if (kind === "line") {
      var width = Math.min(s.weight, 5), scale = width / s.weight;
      if (s.dash) {
        dash = ' stroke-dasharray="' + s.dash.split(" ").map(function (v) {
          return String(+(parseFloat(v) * scale).toPrecision(6));
        }).join(" ") + '"';
      }
      var casing = role === "axis" ? '<line x1="1" y1="7" x2="27" y2="7" stroke="#ffffff" ' +
        'stroke-width="' + (width + 2) + '"/>' : "";
      return '<svg width="28" height="14" viewBox="0 0 28 14" aria-hidden="true">' + casing +
        '<line x1="1" y1="7" x2="27" y2="7" stroke="' + s.color + '" stroke-width="' + width +
        '"' + dash + "/></svg>";
    }
    if (kind === "area") {
      var fill = s.fill_opacity > 0 ? S.neutral : "none";
      return '<svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true">' +
        '<rect x="2" y="2" width="24" height="12" fill="' + fill + '" stroke="' + s.color +
        '" stroke-width="' + Math.min(s.weight, 2.5) + '"' + dash + "/></svg>";
    }
    return markerSvg(role, 16, false, null, S.neutral);
  }

  function colourSwatch(colour) {
    return '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">' +
      '<circle cx="7" cy="7" r="5.5" fill="' + esc(colour) + '" stroke="' + style().outline +
      '" stroke-width="1"/></svg>';
  }

  /** A legend entry: its swatch and its whole label, wrapped where it is long (the English
   * after the Chinese, in a lighter type). */
  function legendRow(sw, label, short, attrs) {
    var full = esc(label), rest = label.indexOf(short) === 0 ? label.slice(short.length) : "";
    var text = !/^\s+\S/.test(rest) ? full : esc(short) +
      ' <span class="gz-legend-en">' + esc(rest.trim()) + "</span>";
    return '<div class="gz-legend-entry" ' + attrs + ' data-label="' + full + '" title="' +
      full + '"><span class="gz-legend-swatch">' + sw + '</span><span class="gz-legend-text">' +
      text + "</span></div>";
  }

  /** The legend's HTML from a selection's entries (spatial.webmap.client.legend_entries):
   * ``{rule, symbols: [[key, swatch, short(, label)]], colour_title, colours: [[colour, short
   * (, label)]], note}``; a missing label is the short one with the role's, or the colour's
   * industry's, English name. ``rule`` is the view's colour rule (colourRule); ``open`` as
   * the user left the legend. */
  function legendHtml(legend, rule, open) {
    var S = style();
    var body = '<div class="gz-legend-grid">' + (legend.symbols || []).map(function (e) {
      var en = (S.roles[e[0]] || {}).en || "";
      var label = e[3] !== undefined ? e[3] : (e[2] + " " + en).trim();
      return legendRow(swatch(e[0], e[1]), label, e[2],
        'data-key="' + esc(e[0]) + '" data-swatch="' + esc(e[1]) + '"');
    }).join("") + "</div>";
    if (legend.colours && legend.colours.length) {
      body += '<div class="gz-legend-head">' + esc(legend.colour_title) +
        '</div><div class="gz-legend-grid">' + legend.colours.map(function (c) {
          var tag = rule && rule.rule !== "plan" ? rule.tagOf[c[0]] : undefined;
          var en = tag !== undefined ? S.industry_en[tag] : "";
          var label = c[2] !== undefined ? c[2] : (en ? c[1] + " " + en : c[1]);
          return legendRow(colourSwatch(c[0]), label, c[1], 'data-colour="' + esc(c[0]) + '"');
        }).join("") + '</div><div class="gz-legend-note">' + esc(legend.note) + "</div>";
    }
    return '<details class="gz-legend" data-rule="' + esc(legend.rule) + '"' +
      (open === false ? "" : " open") + "><summary>" + esc(legend.title || "图例 Legend") +
      "</summary>" + body + "</details>";
  }

  GzMap.symbols = {
    esc: esc,
    roleStyle: roleStyle,
    roleZh: roleZh,
    markerSvg: markerSvg,
    numberSvg: numberSvg,
    markerIcon: markerIcon,
    pathOptions: pathOptions,
    tooltipHtml: tooltipHtml,
    fillOf: fillOf,
    colourRule: colourRule,
    legendHtml: legendHtml
  };
})();
