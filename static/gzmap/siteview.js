/* gzmap · siteview.js — a view of the plans computed in the browser, for a published site.
 *
 * The app computes a view on the server (spatial.query.features.select, symbology.view_symbology,
 * webmap.client.view_selection, query.search.rank_hits, query.unsited); a static site has no
 * server, so this file does the same from the site's index (spatial/webmap/siteindex.py), and
 * hands the map client the same selection the app would. Nothing here touches the page.
 *
 *   var data = GzSite.data(index);
 *   var v = GzSite.view(data, state);   // state: {plans, industries, roles, clusters, segment, q, colour}
 *   v.selection   // show, roles, colour, numbered, legend, bounds (client.view_selection)
 *   v.rows, v.register, v.unsited, GzSite.hits(data, state), GzSite.facets(data, state)
 */
(function () {
  "use strict";

  var GzSite = window.GzSite = window.GzSite || {};
  var AXIS_NODE = "__axis_node__";

  function has(list, value) { return (list || []).indexOf(value) >= 0; }
  function any(list, set) {
    for (var k = 0; k < (list || []).length; k++) { if (set[list[k]]) { return true; } }
    return false;
  }
  function setOf(list) {
    var out = {};
    (list || []).forEach(function (v) { out[v] = true; });
    return out;
  }
  /** Python's sorted() order of strings: by code point. */
  function byCodePoint(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var k = 0; k < Math.min(x.length, y.length); k++) {
      var d = x[k].codePointAt(0) - y[k].codePointAt(0);
      if (d) { return d; }
    }
    return x.length - y.length;
  }
  function chars(s) { return Array.from(s || "").length; }

  /** The index, with the lookups a view needs. */
  GzSite.data = function (index) {
    var tax = index.tax, children = {}, groupOf = {}, en = {}, isGroup = {};
    tax.tags.forEach(function (t) {
      en[t[0]] = t[1];
      if (t[2]) {
        (children[t[2]] = children[t[2]] || []).push(t[0]);
        groupOf[t[0]] = t[2];
      } else {
        groupOf[t[0]] = t[0];
        isGroup[t[0]] = true;
      }
    });
    var byId = {};
    index.f.forEach(function (f, i) { byId[f.id] = i; });
    var regById = {};
    index.reg.forEach(function (p, i) { regById[p.id] = i; });
    var roleOrder = {}, roleNames = {};
    index.roles.forEach(function (r, i) { roleOrder[r[0]] = i; roleNames[r[0]] = [r[1], r[2]]; });
    var byPosition = [];
    index.f.forEach(function (f, i) { if (f.p >= 0) { byPosition[f.p] = i; } });
    return {
      index: index, f: index.f, reg: index.reg, children: children, groupOf: groupOf, en: en,
      isGroup: isGroup, byId: byId, regById: regById, roleOrder: roleOrder,
      roleNames: roleNames, byPosition: byPosition, n: byPosition.length,
      planOrder: index.plans.map(function (p) { return p[0]; }),
      filled: setOf(index.filled), unmarked: setOf(index.unmarked)
    };
  };

  /** Taxonomy.canonical: a tag or synonym folded to its tag (null when unknown). */
  function canonical(data, word) {
    var tag = data.index.tax.words[String(word).trim()];
    return tag === undefined ? null : tag;
  }
  GzSite.canonical = canonical;

  /** features.industry_match_tags: synonyms folded, groups expanded to their industries. */
  function matchTags(data, words) {
    var tags = {};
    words.forEach(function (word) {
      var tag = canonical(data, word) || word;
      tags[tag] = true;
      if (data.en[tag] !== undefined) {
        (data.children[tag] || []).forEach(function (c) { tags[c] = true; });
      }
    });
    return tags;
  }

  /** The words a search looks for, and the tag it names (features.search_mask). */
  function searchWords(data, query) {
    var q = query.trim(), tag = canonical(data, q);
    var words = tag ? data.index.tax.expand[tag].map(function (w) { return w.toLowerCase(); })
      : [q.toLowerCase()];
    return { q: q, tag: tag, words: words };
  }

  function blobOf(f) {
    if (f._blob === undefined) {
      f._blob = [f.name || "", f.en || ""].concat(f.al || [], f.x || []).join("\n").toLowerCase();
    }
    return f._blob;
  }

  function matches(f, search) {
    if (!search.q) { return true; }
    var blob = blobOf(f);
    for (var k = 0; k < search.words.length; k++) {
      if (blob.indexOf(search.words[k]) >= 0) { return true; }
    }
    return !!(search.tag && has(f.ind, search.tag));
  }

  /** features.plan_view: each feature's [role, group] as the first chosen plan (manifest
   * order) that places it has them. */
  function planView(data, plans) {
    var chosen = data.planOrder.filter(function (p) { return has(plans, p); });
    return data.f.map(function (f) {
      for (var k = 0; k < chosen.length; k++) {
        if (f.pr && Object.prototype.hasOwnProperty.call(f.pr, chosen[k])) {
          return f.pr[chosen[k]];
        }
      }
      return [f.role === undefined ? null : f.role, f.group === undefined ? null : f.group];
    });
  }

  /** features.select: indices of the features a state keeps, in the layers' order. */
  function select(data, state, views) {
    var plans = setOf(state.plans), roles = setOf(state.roles);
    var tags = state.industries.length ? matchTags(data, state.industries) : null;
    var keep = null, search = searchWords(data, state.q || "");
    if (state.clusters.length) {
      keep = {};
      state.clusters.forEach(function (c) {
        (data.index.clusters[c] || []).forEach(function (i) { keep[i] = true; });
      });
    }
    var seg = state.segment ? data.index.segments[state.segment] : null;
    var inSeg = state.segment ? setOf(seg ? seg.ids : []) : null;
    var out = [];
    data.f.forEach(function (f, i) {
      if (state.plans.length && !any(f.plans, plans)) { return; }
      if (tags && !any(f.ind, tags)) { return; }
      if (state.roles.length && !roles[views[i][0]]) { return; }
      if (keep && !keep[i]) { return; }
      if (inSeg && !inSeg[i]) { return; }
      if (!matches(f, search)) { return; }
      out.push(i);
    });
    return out;
  }

  // -- the view's symbology (spatial.symbology.symbolise) ----------------------------------------

  function industryColours(data, coloured, preferred) {
    var counts = {}, order = [], palette = GzMap.style.industry_palette;
    coloured.forEach(function (c) {
      (c.f.ind || []).forEach(function (t) {
        if (counts[t] === undefined) { counts[t] = 0; order.push(t); }
        counts[t] += 1;
      });
    });
    var ranked = order.slice().sort(function (a, b) {
      return counts[b] - counts[a] || order.indexOf(a) - order.indexOf(b);
    });
    var first = preferred.filter(function (t) { return counts[t] !== undefined; });
    var ordered = first.concat(ranked.filter(function (t) { return !has(preferred, t); }));
    return ordered.slice(0, palette.length).map(function (t, k) { return [t, palette[k]]; });
  }

  function primaryColour(tags, colours) {
    var S = GzMap.style;
    if (!tags || !tags.length) { return S.no_industry; }
    for (var k = 0; k < colours.length; k++) {
      if (has(tags, colours[k][0])) { return colours[k][1]; }
    }
    return S.other;
  }

  function planColour(plans) {
    var S = GzMap.style, known = [];
    (plans || []).forEach(function (p) { if (p && !has(known, p)) { known.push(p); } });
    if (known.length > 1) { return S.several_plans; }
    if (!known.length) { return S.other; }
    return S.plan_colours[known[0]] || S.other;
  }

  function groupsNote(groups) {
    var named = [];
    groups.forEach(function (g) { if (typeof g === "string" && g && !has(named, g)) { named.push(g); } });
    if (!named.length || named.length > 3) { return ""; }
    var some = groups.some(function (g) { return typeof g !== "string"; }) ? "含" : "";
    return "（" + some + named.join("、") + "）";
  }

  function swatchKind(data, role, kind) {
    if (kind === "line") { return "line"; }
    if (kind === "polygon" && data.unmarked[role]) { return "area"; }
    return "marker";
  }

  function symbolEntries(data, frame, number) {
    var entries = [];
    if (frame.some(function (c) { return number && c.f.ax !== undefined; })) {
      entries.push([AXIS_NODE, "number", "轴线节点", "轴线节点（按轴序编号）"]);
    }
    var drawn = {}, kindsOrder = {}, ofRole = {}, roles = [];
    frame.forEach(function (c) {
      var role = c.role, num = number && c.f.ax !== undefined;
      (ofRole[role] = ofRole[role] || []).push(c.group);
      if (typeof role !== "string" || (c.f.k === "point" && num)) { return; }
      if (!drawn[role]) { drawn[role] = {}; kindsOrder[role] = []; roles.push(role); }
      if (!drawn[role][c.f.k]) { drawn[role][c.f.k] = 0; kindsOrder[role].push(c.f.k); }
      drawn[role][c.f.k] += 1;
    });
    var known = data.index.roles.map(function (r) { return r[0]; }).filter(function (r) {
      return drawn[r];
    });
    var others = roles.filter(function (r) { return data.roleOrder[r] === undefined; });
    known.concat(others.sort(byCodePoint)).forEach(function (role) {
      var names = data.roleNames[role] || [role, ""];
      var zh = names[0] + groupsNote(ofRole[role]);
      var most = kindsOrder[role].reduce(function (best, k) {
        return drawn[role][k] > drawn[role][best] ? k : best;
      }, kindsOrder[role][0]);
      // the whole label is the short one and the role's English name: the client makes it
      entries.push([role, swatchKind(data, role, most), zh]);
    });
    return entries;
  }

  function industryEntries(data, coloured, colours) {
    var S = GzMap.style, counts = {}, seen = [], used = {};
    coloured.forEach(function (c) {
      (c.f.ind || []).forEach(function (t) {
        if (counts[t] === undefined) { counts[t] = 0; seen.push(t); }
        counts[t] += 1;
      });
      used[primaryColour(c.f.ind, colours)] = true;
    });
    var items = [];
    colours.forEach(function (pair) {
      if (!used[pair[1]]) { return; }
      var short = pair[0] + "（" + (counts[pair[0]] || 0) + "）", en = data.en[pair[0]] || "";
      items.push([pair[1], short, en ? short + " " + en : short]);
    });
    var named = setOf(colours.map(function (p) { return p[0]; }));
    var others = seen.filter(function (t) { return !named[t]; });
    if (others.length && used[S.other]) {
      items.push([S.other, "其他产业", "其他产业（" + others.length + " 类）Other"]);
    }
    if (coloured.some(function (c) { return !(c.f.ind || []).length; })) {
      items.push([S.no_industry, "未标注产业", "未标注产业 No industry tag"]);
    }
    return items;
  }

  function planEntries(data, coloured) {
    var S = GzMap.style, counts = {};
    coloured.forEach(function (c) {
      var known = [];
      (c.f.plans || []).forEach(function (p) { if (p && !has(known, p)) { known.push(p); } });
      var colour = planColour(known);
      var key = known.length === 1 && colour !== S.other ? known[0] : colour;
      counts[key] = (counts[key] || 0) + 1;
    });
    var items = [];
    data.index.plans.forEach(function (p) {
      if (counts[p[0]]) {
        var short = p[1] + "（" + counts[p[0]] + "）";
        items.push([S.plan_colours[p[0]], short, short]);
      }
    });
    if (counts[S.several_plans]) {
      var several = "多个规划（" + counts[S.several_plans] + "）";
      items.push([S.several_plans, several, several + " Several plans"]);
    }
    if (counts[S.other]) {
      var other = "其他（" + counts[S.other] + "）";
      items.push([S.other, other, other + " Other"]);
    }
    return items;
  }

  function countNote(rule, total, coloured) {
    var rest = total - coloured, how = rule === "industry" ? "按产业" : "按安置它的规划";
    var text = "图上要素共 " + total + " 处，其中 " + coloured + " 处符号或面" + how + "着色";
    if (rest) { text += "，" + rest + " 处（轴线、廊带、轮廓、编号节点）按类型绘制"; }
    text += rule === "industry" ? "；多产业要素计入其每个产业，颜色取图例中最靠前者"
      : "；由多个规划安置的要素着“多个规划”色";
    return text + "；形状表示要素类型。";
  }

  /** symbology.symbolise + client.legend_entries: colours, numbered nodes and legend. */
  function symbolise(data, frame, rule, preferred, number) {
    if (!frame.length) {
      return { colour: rule === "plan" ? { rule: rule } : { rule: rule, tags: [] }, legend: null,
        numbered: {} };
    }
    var coloured = frame.filter(function (c) {
      var num = number && c.f.ax !== undefined;
      return (c.f.k === "point" && !num) || (c.f.k === "polygon" && data.filled[c.role]);
    });
    var colours = [], items, title;
    if (rule === "industry") {
      colours = industryColours(data, coloured, preferred);
      items = coloured.length ? industryEntries(data, coloured, colours) : [];
      title = "产业（着色要素数）Industry";
    } else {
      items = coloured.length ? planEntries(data, coloured) : [];
      title = "规划（着色要素数）Plan";
    }
    var numbered = {};
    if (number) {
      frame.forEach(function (c) { if (c.f.ax !== undefined && c.f.p >= 0) { numbered[c.f.p] = c.f.ax; } });
    }
    var symbols = symbolEntries(data, frame, number);
    var legend = null;
    if (symbols.length || items.length) {
      var tagOf = {};
      colours.forEach(function (p) { tagOf[p[1]] = p[0]; });
      legend = {
        rule: rule, title: "图例 Legend", symbols: symbols,
        colour_title: items.length ? title : "",
        colours: items.map(function (e) {
          var en = rule === "plan" ? "" : (GzMap.style.industry_en[tagOf[e[0]]] || "");
          var made = en ? e[1] + " " + en : e[1];
          return made === e[2] ? [e[0], e[1]] : [e[0], e[1], e[2]];
        }),
        note: items.length ? countNote(rule, frame.length, coloured.length) : ""
      };
    }
    var spec = rule === "plan" ? { rule: "plan" }
      : { rule: rule, tags: colours.map(function (p) { return p[0]; }) };
    return { colour: spec, legend: legend, numbered: numbered };
  }

  // -- a message's parts ---------------------------------------------------------------------------

  /** client.encode_show: positions as {all}, {ranges} or {bits}, whichever is shortest. */
  function encodeShow(positions, n) {
    var pos = positions.filter(function (p) { return p >= 0 && p < n; }).sort(function (a, b) {
      return a - b;
    }).filter(function (p, k, all) { return k === 0 || all[k - 1] !== p; });
    if (pos.length === n) { return { all: true }; }
    if (!pos.length) { return { ranges: [] }; }
    var ranges = [], start = pos[0], len = 1;
    for (var k = 1; k < pos.length; k++) {
      if (pos[k] === pos[k - 1] + 1) { len += 1; continue; }
      ranges.push(start, len);
      start = pos[k];
      len = 1;
    }
    ranges.push(start, len);
    if ((ranges.length / 2) * 2 * 7 < n / 6) { return { ranges: ranges }; }
    var bytes = new Uint8Array(Math.ceil(n / 8));
    pos.forEach(function (p) { bytes[p >> 3] |= 1 << (p & 7); });
    var text = "";
    bytes.forEach(function (b) { text += String.fromCharCode(b); });
    return { bits: btoa(text) };
  }
  GzSite.encodeShow = encodeShow;

  /** screen.frame_bounds: [[s, w], [n, e]] around features, at least 0.02° wide and high. */
  function frameBounds(data, indices) {
    var s = Infinity, w = Infinity, n = -Infinity, e = -Infinity;
    indices.forEach(function (i) {
      var bb = data.f[i].bb;
      if (!bb) { return; }
      s = Math.min(s, bb[0]); w = Math.min(w, bb[1]); n = Math.max(n, bb[2]); e = Math.max(e, bb[3]);
    });
    if (s === Infinity) { return null; }
    var half = 0.01, mid;
    if (e - w < 0.02) { mid = (e + w) / 2; w = mid - half; e = mid + half; }
    if (n - s < 0.02) { mid = (n + s) / 2; s = mid - half; n = mid + half; }
    var r = function (v) { return Math.round(v * 1e6) / 1e6; };
    return [[r(s), r(w)], [r(n), r(e)]];
  }
  GzSite.frameBounds = frameBounds;

  /** query.unsited.select_unsited: the register places a state keeps. */
  function selectRegister(data, state) {
    if (state.clusters.length || state.segment) { return []; }
    var plans = setOf(state.plans), roles = setOf(state.roles);
    var tags = state.industries.length ? matchTags(data, state.industries) : null;
    var search = searchWords(data, state.q || "");
    var out = [];
    data.reg.forEach(function (p, i) {
      if (state.plans.length && !any(p.plans, plans)) { return; }
      if (tags && !any(p.ind, tags)) { return; }
      if (state.roles.length && !roles[p.role]) { return; }
      if (!matches(p, search)) { return; }
      out.push(i);
    });
    return out;
  }

  /** query.unsited.district_counts, sorted by district as the app sends them. */
  function districtCounts(data, places) {
    var counts = {}, none = data.index.register.no_district;
    places.forEach(function (i) {
      var ds = data.reg[i].d && data.reg[i].d.length ? data.reg[i].d : [none];
      ds.forEach(function (d) { counts[d] = (counts[d] || 0) + 1; });
    });
    return Object.keys(counts).sort(byCodePoint).map(function (d) { return [d, counts[d]]; });
  }

  /** The view of a state: what it selects and the selection the client is handed (as
   * client.view_selection makes it: show, roles, colour, numbered, legend, bounds). */
  GzSite.view = function (data, state) {
    var views = planView(data, state.plans);
    var rows = select(data, state, views);
    var frame = [];
    rows.forEach(function (i) {
      var f = data.f[i], role = views[i][0];
      if (f.k && (!f.out || role === "outside")) { frame.push({ i: i, f: f, role: role, group: views[i][1] }); }
    });
    var preferred = state.industries.map(function (t) { return canonical(data, t) || t; });
    var sym = symbolise(data, frame, state.colour === "plan" ? "plan" : "industry", preferred,
      !!state.segment);
    var positions = [], moved = {}, drawn = [];
    rows.forEach(function (i) {
      var f = data.f[i];
      if (f.p < 0) { return; }
      positions.push(f.p);
      drawn.push(i);
      var role = views[i][0];
      if (typeof role === "string" && role !== "" && role !== f.role) { moved[f.p] = role; }
    });
    // the context outside Guangzhou never widens the frame (screen.frame_bounds)
    var inside = drawn.filter(function (i) {
      var role = views[i][0];
      return (typeof role === "string" && role !== "" ? role : data.f[i].role) !== "outside";
    });
    var register = selectRegister(data, state);
    return {
      rows: rows, views: views, register: register,
      selection: {
        show: encodeShow(positions, data.n), roles: moved, colour: sym.colour,
        numbered: sym.numbered, legend: sym.legend,
        bounds: frameBounds(data, inside.length ? inside : drawn)
      },
      unsited: districtCounts(data, register)
    };
  };

  // -- search (spatial.query.search) ----------------------------------------------------------------

  function phrase(text, word) {
    var at = text.toLowerCase().indexOf(word);
    if (at < 0) { return null; }
    var start = Math.max(0, at - 10), end = Math.min(text.length, at + word.length + 10);
    var p = text.slice(start, end).split(/\s+/).filter(Boolean).join(" ");
    return (start ? "…" : "") + p + (end < text.length ? "…" : "");
  }

  function rankOne(f, q, words, tag) {
    var name = f.name || "", low = name.toLowerCase(), aliases = f.al || [], k, j;
    if (low === q) { return [0, "名称"]; }
    for (k = 0; k < aliases.length; k++) {
      if (aliases[k].toLowerCase() === q) { return [1, "别称：" + aliases[k]]; }
    }
    if (low.indexOf(q) === 0) { return [2, "名称开头"]; }
    if (low.indexOf(q) >= 0 || (f.en || "").toLowerCase().indexOf(q) >= 0) { return [3, "名称包含"]; }
    for (k = 0; k < aliases.length; k++) {
      if (aliases[k].toLowerCase().indexOf(q) >= 0) { return [3, "别称：" + aliases[k]]; }
    }
    var texts = f.x || [];
    for (k = 0; k < texts.length; k++) {
      for (j = 0; j < words.length; j++) {
        var p = phrase(texts[k], words[j]);
        if (p) { return [4, "规划原文：“" + p + "”"]; }
      }
    }
    return [5, tag ? "产业：" + tag : "产业"];
  }

  function searchTerms(data, query) {
    var q = query.trim(), tag = canonical(data, q), lower = q.toLowerCase(), words = [lower];
    if (tag) {
      data.index.tax.expand[tag].forEach(function (w) {
        if (w.toLowerCase() !== lower) { words.push(w.toLowerCase()); }
      });
    }
    return { q: lower, words: words, tag: tag };
  }

  /** search.rank_hits over a state's features: [{i, rank, reason}], best first. */
  GzSite.hits = function (data, state, rows) {
    if (!(state.q || "").trim()) { return []; }
    var t = searchTerms(data, state.q);
    var hits = (rows || select(data, state, planView(data, state.plans))).map(function (i) {
      var r = rankOne(data.f[i], t.q, t.words, t.tag);
      return { i: i, rank: r[0], reason: r[1] };
    });
    var order = function (h) {
      var o = data.roleOrder[data.f[h.i].role];
      return [h.rank, o === undefined ? 99 : o, chars(data.f[h.i].name)];
    };
    return hits.map(function (h) { return [order(h), h]; }).sort(function (a, b) {
      return a[0][0] - b[0][0] || a[0][1] - b[0][1] || a[0][2] - b[0][2];
    }).map(function (pair) { return pair[1]; });
  };

  /** A register place's reason for matching a search (its name, an alias or the plans'
   * words), as the app's results say it. */
  GzSite.registerReason = function (data, state, i) {
    if (!(state.q || "").trim()) { return ""; }
    var t = searchTerms(data, state.q);
    return rankOne(data.reg[i], t.q, t.words, t.tag)[1];
  };

  /** features.industry_counts under a state's other filters: tag -> features. */
  GzSite.facets = function (data, state) {
    var other = Object.assign({}, state, { industries: [] });
    var counts = {};
    select(data, other, planView(data, other.plans)).forEach(function (i) {
      var groups = {};
      (data.f[i].ind || []).forEach(function (t) {
        counts[t] = (counts[t] || 0) + (data.isGroup[t] ? 0 : 1);
        if (data.groupOf[t]) { groups[data.groupOf[t]] = true; }
      });
      Object.keys(groups).forEach(function (g) { counts[g] = (counts[g] || 0) + 1; });
    });
    return counts;
  };

  GzSite.select = select;
  GzSite.planView = planView;
  GzSite.byCodePoint = byCodePoint;
})();
