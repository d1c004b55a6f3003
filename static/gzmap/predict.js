/* gzmap · predict.js — the app's map redrawn at a filter's click, before the server answers.
 *
 * In the app (app/map.py) a filter change goes to the server, which reruns the page's script
 * and sends the map its new selection; on the way Streamlit's front end redraws the page's
 * ~40 elements, and the map would wait ~200 ms for its turn. It does not wait: when the user
 * changes a filter, the client reads the widgets, computes the view as a published site does
 * (siteview.js, held to the app's answers by tests/test_site_parity.py, with the layers' view
 * index the app writes, spatial.webmap.siteindex.view_index) and draws it at once, with the
 * count beside the page's title. The server's selection still comes and is the truth: when it
 * is what was drawn, only its keys are taken (no second restyle, no second framing); when it
 * is not, it is drawn as always.
 *
 * Foreseen: the four filters, 清除筛选, the colour rule (the sidebar) and the axis walk's
 * segment (the panel), once the index has loaded (fetched when the browser is idle after the
 * first map). Left to the server: a search, linked places with plans chosen, and a widget
 * whose label is unknown here. The widgets are read from Streamlit's page, by the class
 * Streamlit gives a keyed widget (``st-key-<key>``), the text of a multiselect's chips and the
 * value of the segment's box; should a Streamlit release change that, nothing is foreseen
 * (``data-gz-predicted="unread"``) and the map waits for the server as before.
 *
 * Only a user's input in the sidebar or the segment's box arms the prediction, until the
 * server's next map message: widgets the server redraws (its answer to 清除筛选, Back, a
 * link) are not read half-drawn.
 *
 * The map element says what became of the last change (``data-gz-predicted``): "match" (the
 * server's answer was what had been drawn), "differ" (it was not, and was drawn), "skip" (not
 * foreseeable), "loading" (the index was not there yet), "unread".
 */
(function () {
  "use strict";

  var GzMap = window.GzMap;
  var LISTS = ["plans", "industries", "roles", "clusters"];
  var ARMED_MS = 5000;  // an input this long ago no longer arms a redraw
  // a URL no page has: the client writes no view into the URL for a foreseen selection
  var FORESEEN_URL = { query: { "gz-foreseen": "1" }, keys: [] };
  var P = GzMap.predict = {};
  // {client, cfg, data (GzSite.data), server: {state, sel} of the last message, drawn (the
  //  state key on the map), pending (the views foreseen since that message), armed}
  var at = null;

  function canonical(value) {
    if (Array.isArray(value)) { return "[" + value.map(canonical).join(",") + "]"; }
    if (value && typeof value === "object") {
      var keys = Object.keys(value).sort().filter(function (k) { return value[k] !== undefined; });
      return "{" + keys.map(function (k) {
        return JSON.stringify(k) + ":" + canonical(value[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(value === undefined ? null : value);
  }

  /** What a selection looks like on the map, whatever its keys. */
  function look(client, sel) {
    var show = GzMap.decodeShow(sel.show, client.features.length), on = [];
    for (var i = 0; i < show.length; i++) { if (show[i]) { on.push(i); } }
    return canonical([on, sel.roles || {}, sel.colour || null, sel.numbered || {},
      sel.legend || null, sel.unsited || [], sel.highlight === undefined ? -1 : sel.highlight]);
  }

  function mark(client, what) {
    client.element.setAttribute("data-gz-predicted", what);
  }

  /** The view a message of the app shows, from its URL query (appstate.AppState.to_query). */
  function stateOf(msg, cfg) {
    var q = (msg.url && msg.url.query) || {}, state = {};
    LISTS.forEach(function (key) { state[key] = q[key] ? String(q[key]).split(",") : []; });
    state.segment = q.segment || "";
    state.q = q.q || "";
    state.linked = q.linked === "1";
    state.colour = q.colour || cfg.colour;
    return state;
  }

  function stateKey(s) {
    return canonical([s.plans, s.industries, s.roles, s.clusters, s.segment, s.q, s.linked,
      s.colour]);
  }

  /** The filters as the widgets hold them now, or null when they cannot be read. */
  function readWidgets(cfg, server) {
    var state = Object.assign({}, server), labels = cfg.labels;
    for (var k = 0; k < LISTS.length; k++) {
      var key = LISTS[k], known = labels[key] || {};
      var box = document.querySelector(
        ".st-key-" + key + " [data-testid='stMultiSelectTagsContainer']");
      if (!box) { return null; }
      var values = [], chips = box.querySelectorAll("[data-tag]");
      for (var j = 0; j < chips.length; j++) {
        var text = chips[j].textContent.trim().replace(/\s*\(\d+\)$/, "");
        if (!Object.prototype.hasOwnProperty.call(known, text)) { return null; }
        values.push(known[text]);
      }
      state[key] = values;
    }
    var rule = document.querySelector(".st-key-colour_by [role='radio'][aria-checked='true']");
    var colours = labels.colour_by || {};
    if (rule) {
      var name = rule.textContent.trim();
      if (!Object.prototype.hasOwnProperty.call(colours, name)) { return null; }
      state.colour = colours[name];
    }
    var linked = document.querySelector(".st-key-linked input");
    if (linked) { state.linked = linked.checked; }
    // the axis walk's segment (the panel's selectbox), once its list has closed on a choice
    var segment = document.querySelector(".st-key-segment input[role='combobox']");
    if (segment && segment.getAttribute("aria-expanded") !== "true") {
      var segments = labels.segment || {}, shown = segment.value.trim();
      if (!Object.prototype.hasOwnProperty.call(segments, shown)) { return null; }
      state.segment = segments[shown];
    }
    return state;
  }

  /** The selection the server will send for ``state`` (its frame the whole segment when one
   * is chosen, as app/map.py does; nothing highlighted or centred), keyed ``key`` and framed
   * under ``frameKey``; with the view it came from and the bounds it frames. */
  function selection(data, state, key, frameKey) {
    var view = GzSite.view(data, state), sel = Object.assign({}, view.selection);
    var bounds = sel.bounds;
    delete sel.bounds;
    if (state.segment && data.index.segments[state.segment]) {
      bounds = GzSite.frameBounds(data, data.index.segments[state.segment].ids);
    }
    Object.assign(sel, { key: key, highlight: -1, focus: null, unsited: view.unsited,
      frame: bounds ? { key: frameKey, bounds: bounds } : null });
    return { view: view, sel: sel, bounds: bounds };
  }
  P.selection = selection;

  /** Draw the view of ``state`` now, as the server will draw it. */
  function foresee(state, cleared) {
    var client = at.client;
    if (!at.data) { mark(client, "loading"); return; }
    if (state.q || (state.plans.length && state.linked)) { mark(client, "skip"); return; }
    var key = stateKey(state);
    if (key === at.drawn) { return; }
    var data = at.data, server = at.server.sel;
    var made = selection(data, state, "foreseen", "foreseen|" + key);
    var view = made.view, sel = made.sel, bounds = made.bounds;
    if (!cleared) { Object.assign(sel, { highlight: server.highlight, focus: server.focus }); }
    at.drawn = key;
    at.pending.push({ key: key, look: look(client, sel), bounds: bounds, data: client.dataKey });
    // the loader hands the next message over even when it is the last one again (a change
    // undone before its answer came): it settles what was foreseen
    client.element.gzForeseen = true;
    client._restyle(sel);
    client._view(sel.frame, sel.focus, FORESEEN_URL);
    count(view.rows.length, data.f.length);
    client.element.setAttribute("data-gz-selection", "foreseen");
    client.element.dispatchEvent(new CustomEvent("gzmap:foreseen", { detail: key }));
  }

  /** The page's count beside its title, for the view foreseen (``cfg.count``, app/map.py's
   * COUNT_TEXT); the text it replaced is kept, for an answer that differs and leaves the
   * title as it was. */
  function count(shown, total) {
    var span = document.querySelector(".gz-title span"), text = at.cfg.count;
    if (!span || !text) { return; }
    var mine = text.replace("{shown}", shown).replace("{total}", total);
    if (!at.title || at.title.span !== span) {  // the page's own text, not a foreseen one
      at.title = { span: span, was: span.textContent };
    }
    at.title.mine = mine;
    span.textContent = mine;
  }

  /** After an answer that differs: the title's count back to the page's own, unless the page
   * has written it since. */
  function uncount() {
    var t = at.title;
    at.title = null;
    if (t && t.span.isConnected && t.span.textContent === t.mine) { t.span.textContent = t.was; }
  }

  function sameBounds(a, b) {
    if (!a || !b) { return a === b; }
    for (var i = 0; i < 2; i++) {
      for (var j = 0; j < 2; j++) { if (Math.abs(a[i][j] - b[i][j]) > 1e-5) { return false; } }
    }
    return true;
  }

  /** What to do with a message of the app, given the views foreseen since the last one:
   * "taken" when it shows what was drawn at the last click (its frame is taken as framed,
   * nothing is drawn again); "stale" when it answers an earlier click whose view was foreseen
   * too, the user having changed it since (not drawn: the next answer is awaited); else
   * "draw" (nothing foreseen, or the message says otherwise: the server is the truth). */
  P.verdict = function (client, msg) {
    if (!at || at.client !== client || !at.pending.length) { return "draw"; }
    var key = stateKey(stateOf(msg, msg.predict || at.cfg)), last = at.pending.length - 1;
    var mine = -1;
    at.pending.forEach(function (p, k) { if (p.key === key) { mine = k; } });
    if (mine >= 0 && mine < last) {
      at.pending = at.pending.slice(mine + 1);
      return "stale";
    }
    var was = mine === last ? at.pending[last] : null, sel = msg.selection || {};
    at.pending = [];
    client.element.gzForeseen = false;
    var same = Boolean(was) && was.data === client.dataKey && was.look === look(client, sel);
    mark(client, same ? "match" : "differ");
    if (!same) {
      uncount();
      return "draw";
    }
    at.title = null;
    var frame = sel.frame && sel.frame.bounds ? sel.frame : null;
    if (frame && sameBounds(frame.bounds, was.bounds)) { client.last.frameKey = frame.key; }
    return "taken";
  };

  /** A new page's first view, drawn from its URL before the app's first message
   * (preboot.js): that message settles it as it settles a foreseen click. */
  P.preboot = function (client, cfg, data, state, sel, bounds) {
    var key = stateKey(state);
    at = { client: client, cfg: cfg, data: data, server: { state: state, sel: sel },
      drawn: key, armed: 0,
      pending: [{ key: key, look: look(client, sel), bounds: bounds, data: client.dataKey }] };
    client.element.gzForeseen = true;
    mark(client, "preboot");
  };

  /** Whether a filter's click can be foreseen yet (the index has loaded); the index itself
   * (tests and benchmarks read it). */
  P.ready = function () { return Boolean(at && at.data); };
  P.data = function () { return at ? at.data : null; };

  /** Each message of the app, drawn: the view the server holds, and the index to load. */
  P.served = function (client, msg) {
    var cfg = msg.predict;
    if (!cfg || msg.mode !== "features") { return; }
    if (!at || at.client !== client) { at = { client: client, pending: [] }; }
    at.server = { state: stateOf(msg, cfg), sel: msg.selection || {} };
    at.drawn = stateKey(at.server.state);
    at.armed = 0;
    if (!at.cfg || at.cfg.index !== cfg.index || at.cfg.script !== cfg.script) {
      at.cfg = cfg;
      at.data = null;
      load(cfg);
    }
    at.cfg = cfg;
    listen();
  };

  function load(cfg) {
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 200); };
    idle(function () {
      Promise.all([script(cfg.script), GzMap.fetchJson(cfg.index)]).then(function (got) {
        if (at && at.cfg === cfg && window.GzSite) { at.data = GzSite.data(got[1]); }
      }).catch(function () { /* nothing foreseen: the map waits for the server, as before */ });
    });
  }

  var scripts = {};
  function script(url) {
    if (!scripts[url]) {
      scripts[url] = new Promise(function (ok, fail) {
        var s = document.createElement("script");
        s.src = url;
        s.onload = ok;
        s.onerror = function () { delete scripts[url]; fail(new Error("cannot load " + url)); };
        document.head.appendChild(s);
      });
    }
    return scripts[url];
  }

  // -- the sidebar and the axis walk's segment --------------------------------------------------

  // what is read: the sidebar, the panel's segment box; and the popovers their lists open in
  var WATCHED = ["[data-testid='stSidebar']", ".st-key-segment"];
  var POPOVER = "[role='listbox'], [role='option']";
  var listening = false, watched = [], observer = null, queued = false;

  function inWatched(node) {
    if (!node || !node.closest) { return null; }
    for (var k = 0; k < WATCHED.length; k++) {
      var root = node.closest(WATCHED[k]);
      if (root) { return root; }
    }
    return null;
  }

  /** After the widget has had the event (React has its value, Streamlit sent it). */
  function later(fn) { setTimeout(fn, 0); }

  function check() {
    queued = false;
    if (!at || !at.server || !at.armed || Date.now() - at.armed > ARMED_MS) { return; }
    if (!at.client.base) { return; }
    var state = readWidgets(at.cfg, at.server.state);
    if (!state) { mark(at.client, "unread"); return; }
    // a new segment closes the place open (app.state.on_segment)
    foresee(state, state.segment !== at.server.state.segment);
  }

  function queue() {
    if (!queued) { queued = true; later(check); }
  }

  function arm(e) {
    var t = e.target, root = inWatched(t);
    if (!at || !(root || (t && t.closest && t.closest(POPOVER)))) { return; }
    if (root && watched.indexOf(root) < 0) { listen(); }
    at.armed = Date.now();
    var clear = e.type === "click" && e.target.closest(".st-key-" + at.cfg.clear);
    if (clear) {
      later(function () {
        if (!at.client.base) { return; }
        var state = Object.assign({}, at.server.state, { segment: "", q: "" });
        LISTS.forEach(function (key) { state[key] = []; });
        foresee(state, true);
      });
    } else if (e.type === "click" || e.type === "change") {
      queue();
    }
  }

  function listen() {
    if (!listening) {
      listening = true;
      ["pointerdown", "keydown", "click", "change"].forEach(function (name) {
        document.addEventListener(name, arm, true);
      });
      observer = new MutationObserver(queue);
    }
    var roots = WATCHED.map(function (sel) { return document.querySelector(sel); })
      .filter(Boolean);
    if (roots.some(function (r) { return watched.indexOf(r) < 0; })) {
      observer.disconnect();
      roots.forEach(function (root) {
        observer.observe(root, { subtree: true, childList: true, attributes: true,
          attributeFilter: ["aria-checked", "aria-expanded", "value"] });
      });
      watched = roots;
    }
  }
})();
