/* gzmap · site.js — the page of a published site (gzmap publish): filters, search, the axis
 * walk, the place's panel and the view in the URL, driving the map client with no server.
 *
 * The page (spatial/exports/site_page.py) holds the controls, the map's element and its
 * configuration (<script type="application/json" id="gzs-config">: the data files' URLs and
 * the basemaps). The view is the app's: the same URL query (?plans=…&industries=…&roles=…
 * &clusters=…&segment=…&q=…&node=…&basemap=…&colour=…), computed in the browser by
 * siteview.js from the site's index and handed to the client as the app's message. Every
 * change of view is a history entry (Back and Forward walk the views); typing in the search
 * box replaces its own entry until the box is left. Text from the layers reaches the page as
 * text (textContent) or as the panels' HTML, escaped when the site was written.
 */
(function () {
  "use strict";

  var GzSite = window.GzSite;
  var LISTS = ["plans", "industries", "roles", "clusters"];
  var MAX_QUERY = 100, MAX_HITS = 8, FOLLOW_ZOOM = 12, TYPING_MS = 250;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function Page(config) {
    this.config = config;
    this.state = null;
    this.notes = [];
    this.centered = null;   // the place the map last centred on
    this.focus = null;
    this.seq = 0;
    this.first = true;
    this.typing = false;
    this.scripts = {};
    this.panels = null;
  }

  // -- the URL ---------------------------------------------------------------------------------

  /** A view from a URL query, unchecked (appstate.AppState.from_query). */
  function fromQuery(search) {
    var params = new URLSearchParams(search), state = {};
    LISTS.forEach(function (key) {
      var out = [];
      params.getAll(key).forEach(function (v) {
        v.split(",").forEach(function (part) {
          part = part.trim();
          if (part && out.indexOf(part) < 0) { out.push(part); }
        });
      });
      state[key] = out;
    });
    var first = function (key) { var v = params.get(key); return v ? v.trim() : ""; };
    state.segment = first("segment").split(",")[0].trim();
    state.q = params.getAll("q").join(" ").trim().slice(0, MAX_QUERY);
    state.node = first("node");
    state.basemap = first("basemap");
    state.colour = first("colour").slice(0, MAX_QUERY);
    return state;
  }

  /** The query of a view, as the app writes it (lists comma-joined, defaults left out). */
  Page.prototype.toQuery = function (s) {
    var parts = [], add = function (key, value) {
      parts.push(key + "=" + value.split(",").map(encodeURIComponent).join(","));
    };
    LISTS.forEach(function (key) { if (s[key].length) { add(key, s[key].join(",")); } });
    if (s.segment) { add("segment", s.segment); }
    if (s.q) { parts.push("q=" + encodeURIComponent(s.q)); }
    if (s.node) { add("node", s.node); }
    if (s.basemap !== this.config.default_basemap) { add("basemap", s.basemap); }
    if (s.colour !== "industry") { add("colour", s.colour); }
    return parts.length ? "?" + parts.join("&") : "";
  };

  /** Drop what the data does not offer, saying what (appstate.sanitize). */
  Page.prototype.sanitize = function (raw) {
    var data = this.data, opts = data.index.options, notes = [], self = this;
    var keep = function (key, values, allowed) {
      var out = [];
      values.forEach(function (v) {
        if (allowed.indexOf(v) >= 0) { if (out.indexOf(v) < 0) { out.push(v); } }
        else { notes.push(key + ": " + v); }
      });
      return out;
    };
    var s = {
      plans: keep("plans", raw.plans, opts.plans),
      industries: keep("industries", raw.industries.map(function (t) {
        return GzSite.canonical(data, t) || t;
      }), opts.industries),
      roles: keep("roles", raw.roles, opts.roles),
      clusters: keep("clusters", raw.clusters, opts.clusters),
      segment: "", q: raw.q, node: "", basemap: this.config.default_basemap, colour: "industry"
    };
    if (raw.segment) {
      s.segment = self.resolveSegment(raw.segment);
      if (!s.segment) { notes.push("segment: " + raw.segment); }
    }
    if (raw.node) {
      if (data.byId[raw.node] !== undefined || data.regById[raw.node] !== undefined) {
        s.node = raw.node;
      } else { notes.push("node: " + raw.node); }
    }
    if (raw.basemap) {
      if (this.config.basemaps.some(function (b) { return b.key === raw.basemap; })) {
        s.basemap = raw.basemap;
      } else { notes.push("basemap: " + raw.basemap); }
    }
    if (raw.colour) {
      if (raw.colour === "industry" || raw.colour === "plan") { s.colour = raw.colour; }
      else { notes.push("colour: " + raw.colour); }
    }
    return { state: s, notes: notes };
  };

  /** A segment's key from its key, name or alias (features.resolve_segment). */
  Page.prototype.resolveSegment = function (text) {
    var segs = this.data.index.segments, keys = Object.keys(segs);
    if (segs[text]) { return text; }
    if (["全轴", "科技创新轴", "sti-axis"].indexOf(text) >= 0 && segs["sti-axis"]) { return "sti-axis"; }
    for (var k = 0; k < keys.length; k++) {
      if (keys[k] === "sti-axis") { continue; }
      if (segs[keys[k]].names.some(function (n) { return n.indexOf(text) >= 0; })) { return keys[k]; }
    }
    return "";
  };

  // -- starting ----------------------------------------------------------------------------------

  Page.prototype.start = function () {
    var self = this, map = $("map");
    this.client = GzMap.create(map, { report: function (event, value) {
      if (event === "click" && value && value.id) { self.go({ node: value.id }); }
    } });
    var first = this.basemap(fromQuery(location.search).basemap);  // its data, beside the index
    GzMap.fetchJson(this.config.features[first.datum]).catch(function () {});
    if (this.config.districts[first.datum]) {
      GzMap.fetchJson(this.config.districts[first.datum]).catch(function () {});
    }
    return GzMap.fetchJson(this.config.index).then(function (index) {
      performance.mark("gzsite:index");
      self.data = GzSite.data(index);
      var read = self.sanitize(fromQuery(location.search));
      self.notes = read.notes;
      self.bind();
      self.show(read.state);
      window.addEventListener("popstate", function () {
        var back = self.sanitize(fromQuery(location.search));
        self.notes = back.notes;
        self.show(back.state);
      });
    }).catch(function (err) {
      map.setAttribute("data-gz-error", String(err && err.message || err));
      $("gzs-place").textContent = "地图数据加载失败 The map's data could not be loaded: " + err;
    });
  };

  /** Change the view: a history entry of its own (the search box's typing replaces its own). */
  Page.prototype.go = function (changes, replace) {
    var next = Object.assign({}, this.state, changes);
    if (changes.segment !== undefined && changes.segment !== this.state.segment) { next.node = ""; }
    var url = this.toQuery(next) + location.hash;
    if (url !== location.search + location.hash) {
      (replace ? history.replaceState : history.pushState).call(history, null, "",
        url || location.pathname + location.hash);
    }
    this.show(next);
  };

  Page.prototype.bind = function () {
    var self = this, form = $("gzs-filters");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("change", function (e) {
      var t = e.target;
      if (t.type === "checkbox" && LISTS.indexOf(t.name) >= 0) {
        var chosen = [].slice.call(form.querySelectorAll("input[name='" + t.name + "']:checked"))
          .map(function (c) { return c.value; });
        var change = {};
        change[t.name] = chosen;
        self.go(change);
      } else if (t.name === "colour") {
        self.go({ colour: t.value });
      } else if (t.id === "gzs-basemap") {
        self.go({ basemap: t.value });
      }
    });
    var box = $("gzs-q"), timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim().slice(0, MAX_QUERY);
        if (q === self.state.q) { return; }
        self.go({ q: q }, self.typing);
        self.typing = true;
      }, TYPING_MS);
    });
    box.addEventListener("change", function () { self.typing = false; });
    $("gzs-clear").addEventListener("click", function () {
      self.go({ plans: [], industries: [], roles: [], clusters: [], segment: "", q: "", node: "" });
    });
    $("gzs-segment").addEventListener("change", function (e) { self.go({ segment: e.target.value }); });
    $("gzs-results-box").addEventListener("toggle", function () { self.results(); });
    $("gzs-prev").addEventListener("click", function () { self.step(-1); });
    $("gzs-next").addEventListener("click", function () { self.step(1); });
    document.body.addEventListener("click", function (e) {
      var open = e.target.closest && e.target.closest("[data-open]");
      if (open) { e.preventDefault(); self.go({ node: open.getAttribute("data-open") }); }
    });
    var menu = $("gzs-menu");
    if (menu) {
      menu.addEventListener("click", function () {
        var side = document.querySelector(".gzs");
        var open = side.classList.toggle("gzs-filters-open");
        menu.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
  };

  /** features.step: previous or next on the walk, clamped at its ends. */
  Page.prototype.step = function (delta) {
    var walk = this.walk.map(function (i) { return this.data.f[i].id; }, this);
    if (!walk.length) { return; }
    var at = walk.indexOf(this.state.node), to;
    if (at < 0) { to = delta >= 0 ? walk[0] : walk[walk.length - 1]; }
    else { to = walk[Math.max(0, Math.min(walk.length - 1, at + delta))]; }
    this.go({ node: to });
  };

  // -- a view -------------------------------------------------------------------------------------

  Page.prototype.show = function (state) {
    var t0 = performance.now();
    this.state = state;
    var view = this.view = GzSite.view(this.data, state);
    this.drawMap(state, view);
    this.controls(state);
    this.lists(state, view);
    this.walkList(state);
    this.place(state, view);
    document.documentElement.setAttribute("data-gzs-view", this.key);
    this.lastShowMs = performance.now() - t0;
    performance.mark("gzsite:view");
  };

  Page.prototype.basemap = function (key) {
    return this.config.basemaps.filter(function (b) { return b.key === key; })[0] ||
      this.config.basemaps[0];
  };

  /** The basemap's script (folium's map), loaded once; the page's own is there already. */
  Page.prototype.loadBase = function (b) {
    if (GzMap.basemaps[b.key]) { return Promise.resolve(); }
    if (!this.scripts[b.script]) {
      this.scripts[b.script] = new Promise(function (ok, fail) {
        var s = document.createElement("script");
        s.src = b.script;
        s.onload = ok;
        s.onerror = function () { fail(new Error("cannot load " + b.script)); };
        document.head.appendChild(s);
      });
    }
    return this.scripts[b.script];
  };

  Page.prototype.drawMap = function (state, view) {
    var data = this.data, b = this.basemap(state.basemap), node = state.node;
    var f = node && data.byId[node] !== undefined ? data.f[data.byId[node]] : null;
    var bounds = view.selection.bounds;
    if (state.segment) {  // frame the whole segment, whatever else is filtered
      bounds = GzSite.frameBounds(data, data.index.segments[state.segment].ids);
    }
    if (f && node !== this.centered && f.at && f.at[b.datum]) {
      this.focus = { key: String(++this.seq), center: f.at[b.datum], zoom: FOLLOW_ZOOM };
      if (this.first) { bounds = GzSite.frameBounds(data, [data.byId[node]]); }
    } else if (!f) {
      this.focus = null;
    }
    this.centered = f ? node : null;
    this.first = false;
    var sel = Object.assign({}, view.selection);
    delete sel.bounds;
    this.key = hash(JSON.stringify([state.plans, state.industries, state.roles, state.clusters,
      state.segment, state.q, state.colour, node, b.key]));
    Object.assign(sel, {
      key: this.key,
      highlight: f && f.p >= 0 ? f.p : -1,
      // a new filter, plan, search or segment frames its selection (view.js; once the user
      // has moved the map, a button offers the frame instead)
      frame: bounds ? { key: hash(JSON.stringify([state.plans, state.industries, state.roles,
        state.clusters, state.segment, state.q])), bounds: bounds } : null,
      focus: this.focus,
      unsited: view.unsited
    });
    var message = {
      v: 1, mode: "features", height: "100%", base: b.key,
      data: { features: this.config.features[b.datum], districts: this.config.districts[b.datum] || "",
        context: (this.config.context || {})[b.datum] || "" },  // the offline basemap's
      selection: sel, own: null
    };
    var client = this.client;
    this.loadBase(b).then(function () { return client.apply(message); }).catch(function (err) {
      $("map").setAttribute("data-gz-error", String(err && err.message || err));
    });
    var total = data.f.length, shown = view.rows.length;
    $("gzs-count").textContent = "地图显示 " + shown + " / " + total + " 个要素 features shown";
  };

  function hash(text) {
    var h = 5381;
    for (var k = 0; k < text.length; k++) { h = ((h * 33) ^ text.charCodeAt(k)) >>> 0; }
    return h.toString(36);
  }

  /** The controls say the view: boxes ticked, counts under the other filters, the notes. */
  Page.prototype.controls = function (state) {
    var form = $("gzs-filters");
    LISTS.forEach(function (key) {
      var chosen = state[key];
      form.querySelectorAll("input[name='" + key + "']").forEach(function (box) {
        box.checked = chosen.indexOf(box.value) >= 0;
      });
      var n = form.querySelector("[data-key='" + key + "'] .gzs-chosen");
      if (n) { n.textContent = chosen.length ? "（已选 " + chosen.length + "）" : ""; }
    });
    var facets = GzSite.facets(this.data, state);
    form.querySelectorAll("input[name='industries']").forEach(function (box) {
      var n = box.parentNode.querySelector(".gzs-n");
      if (n) { n.textContent = "(" + (facets[box.value] || 0) + ")"; }
    });
    var q = $("gzs-q");
    if (document.activeElement !== q || !this.typing) { q.value = state.q; }
    form.querySelectorAll("input[name='colour']").forEach(function (r) {
      r.checked = r.value === state.colour;
    });
    $("gzs-basemap").value = state.basemap;
    $("gzs-segment").value = state.segment;
    var note = $("gzs-notes");
    note.hidden = !this.notes.length;
    note.textContent = this.notes.length
      ? "链接中的部分参数无效，已忽略 Ignored from the link: " + this.notes.slice(0, 10).join("; ") : "";
  };

  /** Search hits under the box, and the results: the features shown (hits first, with why
   * they matched), then the places named without a site. */
  Page.prototype.lists = function (state, view) {
    var data = this.data, hits = GzSite.hits(data, state, view.rows), reg = data.index.register;
    var box = $("gzs-hits");
    box.textContent = "";
    if (state.q) {
      if (!hits.length && !view.register.length) {
        box.appendChild(el("p", "gzs-caption", "没有找到。Nothing found."));
      } else {
        box.appendChild(el("p", "gzs-caption",
          "搜索结果 " + (hits.length + view.register.length) + " 处（按匹配程度）Hits, best first"));
        var ul = el("ul", "gzs-hitlist");
        hits.slice(0, MAX_HITS).forEach(function (h) {
          ul.appendChild(item(data.f[h.i].id, data.f[h.i].name, h.reason));
        });
        view.register.slice(0, Math.max(0, MAX_HITS - hits.length)).forEach(function (i) {
          ul.appendChild(item(data.reg[i].id, data.reg[i].name, reg.role));
        });
        box.appendChild(ul);
        var more = hits.length + view.register.length - MAX_HITS;
        if (more > 0) {
          box.appendChild(el("p", "gzs-caption", "另有 " + more + " 处见“结果”。" + more + " more in Results."));
        }
      }
    }
    this.hitsShown = hits;
    var count = view.rows.length + view.register.length;
    $("gzs-results-n").textContent = "（" + count + "）";
    var counts = view.unsited.map(function (p) { return p[0] + " " + p[1]; }).join("、");
    $("gzs-results-count").textContent = "共 " + count + " 处。" +
      (view.register.length ? "另有 " + view.register.length + " 处规划提及、尚无确定位置的地点（不在地图上）：" +
        counts + "。" : "");
    this.results();
  };

  /** The results list, made only while it is open (a long list costs the map its frame). */
  Page.prototype.results = function () {
    var list = $("gzs-results"), data = this.data, view = this.view, hits = this.hitsShown;
    list.textContent = "";
    if (!$("gzs-results-box").open) { return; }
    var reasons = {}, names = data.roleNames, reg = data.index.register;
    hits.forEach(function (h) { reasons[h.i] = h.reason; });
    var order = hits.map(function (h) { return h.i; }).concat(view.rows.filter(function (i) {
      return reasons[i] === undefined;
    }));
    order.forEach(function (i) {
      var f = data.f[i], role = view.views[i][0], r = names[role];
      list.appendChild(item(f.id, f.name, [reasons[i], r ? (r[0] + " " + r[1]).trim() : role]
        .filter(Boolean).join(" · ")));
    });
    view.register.forEach(function (i) {
      list.appendChild(item(data.reg[i].id, data.reg[i].name, reg.role));
    });
  };

  function item(id, name, why) {
    var li = el("li"), b = el("button", "gzs-link");
    b.type = "button";
    b.setAttribute("data-open", id);
    b.appendChild(el("span", "gzs-name", name));
    if (why) { b.appendChild(el("span", "gzs-why", why)); }
    li.appendChild(b);
    return li;
  }

  /** The axis walk: the segment's nodes in axis order, previous/next, where the place is. */
  Page.prototype.walkList = function (state) {
    var data = this.data, seg = state.segment ? data.index.segments[state.segment] : null;
    var walk = this.walk = seg ? seg.walk : data.index.walk;
    var list = $("gzs-walk-list"), at = -1;
    list.textContent = "";
    walk.forEach(function (i, k) {
      var f = data.f[i], li = item(f.id, (f.ax !== undefined ? f.ax + "." : "·") + " " + f.name);
      if (f.id === state.node) { li.className = "gzs-current"; li.setAttribute("aria-current", "true"); at = k; }
      list.appendChild(li);
    });
    $("gzs-where").textContent = walk.length ? (at >= 0 ? at + 1 : "–") + " / " + walk.length
      : "此段暂无轴上节点。No axis nodes here yet.";
    $("gzs-prev").disabled = $("gzs-next").disabled = !walk.length;
  };

  /** The open place's panel (fetched with every panel the first time one opens). */
  Page.prototype.place = function (state, view) {
    var box = $("gzs-place"), node = state.node, data = this.data;
    if (!node) {
      box.removeAttribute("data-open-id");
      box.innerHTML = "<p class='gzs-hint'>点击地图上的地点，或在列表中选择，查看规划原文。<br>" +
        "Click a place on the map or pick one from a list to read what the plans say.</p>";
      return;
    }
    var i = data.byId[node], outside = i !== undefined ? view.rows.indexOf(i) < 0
      : view.register.indexOf(data.regById[node]) < 0;
    var self = this;
    this.loadPanels().then(function (panels) {
      if (self.state.node !== node) { return; }
      box.innerHTML = (outside ? "<p class='gzs-outside'>此地点不在当前筛选结果中，仍为您打开。" +
        "This place is outside the current filters; opened anyway.</p>" : "") +
        (panels[node] || "");
      box.setAttribute("data-open-id", node);
      var panel = $("gzs-panel"), top = box.offsetTop - panel.offsetTop;
      // the place in view when the panel had been scrolled past it (to the results)
      if (panel.scrollTop > top || top > panel.scrollTop + panel.clientHeight - 80) {
        panel.scrollTop = top;
      }
    }).catch(function (err) {
      box.textContent = "地点资料加载失败 The place could not be loaded: " + err;
    });
  };

  Page.prototype.loadPanels = function () {
    if (!this.panels) { this.panels = GzMap.fetchJson(this.config.panels); }
    return this.panels;
  };

  GzSite.Page = Page;
  GzSite.fromQuery = fromQuery;

  var ID_MARK = /⟦([a-z0-9][a-z0-9_-]{0,79})⟧/;  // a feature's id in its tooltip (pagemap.js)

  /** A 规划衔接 page: the district's map (a folium map the client runs); a click on a place
   * opens it on the site's map. */
  function alignmentPage(config) {
    var box = $("gzs-align-map");
    if (!box || !config.message) { return; }
    GzMap.mount(box, config.message, { report: function (event, text) {
      var id = event === "last_object_clicked_tooltip" && ID_MARK.exec(String(text || ""));
      if (id) { location.href = config.home + "?node=" + encodeURIComponent(id[1]); }
    } });
  }

  function boot() {
    performance.mark("gzsite:boot");
    var config = JSON.parse($("gzs-config").textContent);
    if (config.page === "alignment") { alignmentPage(config); return; }
    var page = window.gzSite = new Page(config);
    page.start().then(function () {
      var idle = window.requestIdleCallback || function (fn) { setTimeout(fn, 500); };
      idle(function () { page.loadPanels(); });  // the first panel then opens at once
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", boot); }
  else { boot(); }
})();
