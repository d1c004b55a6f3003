/* gzmap · preboot.js — the app's map drawn by Streamlit's page before Streamlit's front end.
 *
 * A new page of the app spent ~1.1 s bringing up Streamlit's front end (2.7 MB of scripts on
 * the main thread) before the map's component existed. This script is put inline into
 * Streamlit's page (spatial/webmap/preboot.py; by the st.App middleware of asgi.py under
 * `make app`, into nginx's copy of the page under `make serve`) in place of Streamlit's main
 * module, which it starts once the map is drawn, and of the links that fetch Streamlit's
 * modules ahead, which it adds once the map's own files are asked for (a browser opens six
 * connections to a server: the map's files go first).
 *
 * It reads the view from the URL and takes what the app's last map of that basemap was drawn
 * from (its *manifest*, kept by app/map.py: the client's files, the basemap's script, the
 * layers' data files and view index; written into the page by the app's own server, fetched
 * from ``preboot.json`` behind nginx), computes the view with the published site's code
 * (siteview.js) and draws it with the map client in a box where the map's component will
 * stand. When the component mounts, its loader (loader.js) takes the map over
 * (``GzPreboot.take``): the same client and Leaflet map move into the component, the events
 * the map had while alone (a click on a place) are sent then, and the server's first message
 * settles what was drawn as it settles a foreseen click (predict.js: ``match``, or drawn
 * anew).
 *
 * Left to Streamlit, at once: a search, a place opened (``node``), linked places, another page
 * (``view``), a value the layers do not have, a window under 1000 px wide (the page is laid
 * out otherwise), a basemap without a manifest yet, any failure; Streamlit starts after
 * HOLD_MS whatever happens. A map no component has taken after Streamlit's first run of the
 * page goes: 2 s after it on a page without the map's element, 15 s on one with it (its code
 * may still be loading). ``data-gz-preboot`` on the map's element says "drawn", then
 * "taken"; ``window.GzPreboot.state`` also "skip: <why>", or "gone" (the component came first,
 * or never).
 */
(function () {
  "use strict";

  var MAIN = "@MAIN@";          // Streamlit's main module (spatial/webmap/preboot.py)
  var MODULES = "@MODULES@";    // it and the modules it imports, fetched ahead
  var MANIFEST = "@MANIFEST@";  // ./app/static/data/preboot
  // the app's own server writes in the manifests of its own maps ({default, basemaps: {key:
  // manifest}}); null behind nginx, where the page fetches them (MANIFEST.json)
  var INLINE = "@INLINE@";
  var HOLD_MS = 2500;           // Streamlit starts by then whatever became of the map
  var MIN_WIDTH = 1000;         // narrower windows lay the page out otherwise
  var GIVE_UP_MS = 2000;        // after the page's first run, a map untaken goes;
  var LOADING_MS = 15000;       // or this long after, when the page has the map's element
  var LISTS = ["plans", "industries", "roles", "clusters"];
  var P = window.GzPreboot = { state: "loading", events: {} };
  var booted = false;

  /** Streamlit's modules fetched ahead (not run): after the map's files, which the browser
   * then fetches first. */
  var preloaded = false;
  function preload() {
    if (preloaded) { return; }
    preloaded = true;
    MODULES.forEach(function (url) {
      var link = document.createElement("link");
      link.rel = "modulepreload";
      link.crossOrigin = "";
      link.href = url;
      document.head.appendChild(link);
    });
  }

  /** Streamlit's front end, started once. */
  function boot() {
    preload();
    if (booted) { return; }
    booted = true;
    clearTimeout(P.timer);
    var s = document.createElement("script");
    s.type = "module";
    s.crossOrigin = "";
    s.src = MAIN;
    document.head.appendChild(s);
  }
  P.timer = setTimeout(boot, HOLD_MS);

  function skip(why) {
    P.state = "skip: " + why;
    boot();
  }

  // -- what the client's loader shares (loader.js) -----------------------------------------------

  var loads = window.GzMapLoads = window.GzMapLoads || {};

  function script(url) {
    if (!loads[url]) {
      loads[url] = new Promise(function (ok, fail) {
        var s = document.createElement("script");
        s.src = url;
        s.async = false;  // downloaded side by side, run in order
        s.fetchPriority = "high";  // before Streamlit's modules (a script made so is "low")
        s.onload = ok;
        s.onerror = function () { delete loads[url]; fail(new Error("cannot load " + url)); };
        document.head.appendChild(s);
      });
    }
    return loads[url];
  }

  function style(url) {
    if (loads[url]) { return; }
    loads[url] = true;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    document.head.appendChild(link);
  }

  function json(url) {
    var early = window.GzMapPrefetch = window.GzMapPrefetch || {};
    if (!early[url]) {
      early[url] = fetch(url, { priority: "high" }).then(function (r) {
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.json();
      });
    }
    return early[url];
  }

  // -- the view of the URL ---------------------------------------------------------------------

  /** The URL's view when every value in it is one the layers have (else null: the app says
   * what it dropped, in its notes). */
  function readView(query, data, cfg) {
    var opts = data.index.options, state = { q: "", linked: false };
    for (var k = 0; k < LISTS.length; k++) {
      var key = LISTS[k], raw = query.get(key), values = [];
      if (query.getAll(key).length > 1) { return null; }
      (raw ? raw.split(",") : []).forEach(function (v) {
        v = v.trim();
        if (v && values.indexOf(v) < 0) { values.push(v); }
      });
      for (var j = 0; j < values.length; j++) {
        if ((opts[key] || []).indexOf(values[j]) < 0) { return null; }
      }
      state[key] = values;
    }
    state.segment = (query.get("segment") || "").trim();
    if (state.segment && !data.index.segments[state.segment]) { return null; }
    var rules = cfg.labels.colour_by || {}, colour = query.get("colour");
    var known = Object.keys(rules).map(function (label) { return rules[label]; });
    if (colour && known.indexOf(colour) < 0) { return null; }
    state.colour = colour || cfg.colour;
    return state;
  }

  // -- the map ---------------------------------------------------------------------------------

  /** Where the map's component will stand (app.layout's columns, measured in Chromium from
   * 1100 to 2560 px wide): right of the 300 px sidebar, below the title's row (one line from
   * 1320 px; where it wraps depends on the fonts, so near that width the map may move 32 px
   * when the component takes it), 60 % of the main column wide, as high as ``--gz-h``. */
  function box() {
    var w = window.innerWidth, div = document.createElement("div");
    div.className = "gz-preboot";
    div.style.cssText = "position:fixed;z-index:999990;background:#fff;" +
      "left:319px;top:" + (w >= 1320 ? 115 : 147) + "px;" +
      "width:calc(0.6 * (100vw - 300px) - 31px);" +
      "--gz-h:max(440px, calc(100vh - 7rem));height:var(--gz-h)";
    var host = document.createElement("div");
    host.className = "gz-host";
    div.appendChild(host);
    document.body.appendChild(div);
    return host;
  }

  function draw(m, data, state) {
    var made = window.GzMap.predict.selection(data, state, "preboot", "preboot");
    var sel = made.sel, bounds = made.bounds;
    var host = P.host = box();
    var client = P.client = window.GzMap.create(host, {
      report: function (event, value) { P.events[event] = value; }  // sent once taken
    });
    window.GzMap.hold(host, client);
    var msg = { v: m.v, mode: "features", height: m.height, base: m.base, data: m.data,
      selection: sel, own: null, url: null };
    return client.apply(msg).then(function () {
      if (P.state !== "loading") { return; }  // the component came while it drew: "gone"
      window.GzMap.predict.preboot(client, m.predict, data, state, sel, bounds);
      host.setAttribute("data-gz-preboot", "drawn");
      P.state = "drawn";
    });
  }

  /** The map and its box gone: the component came first, or never came. */
  function discard() {
    P.state = "gone";
    if (P.client) { P.client.destroy(); }
    if (P.host && P.host.parentNode) { P.host.parentNode.remove(); }
  }

  /** Once Streamlit has run the page's script, a map nobody took within GIVE_UP_MS is not on
   * this page (a page without the app's map): it goes. */
  function watchUntaken() {
    var ran = false, timer = null;
    var watch = new MutationObserver(function () {
      var app = document.querySelector("[data-testid='stApp']");
      var state = app && app.getAttribute("data-test-script-state");
      if (state === "running") { ran = true; }
      clearTimeout(timer);
      if (ran && state === "notRunning") {
        // the page has the map's element: its code may still be loading (a slow machine)
        var wait = document.querySelector(".st-key-map") ? LOADING_MS : GIVE_UP_MS;
        timer = setTimeout(function () {
          watch.disconnect();
          if (P.state === "drawn") { discard(); }
        }, wait);
      }
      if (P.state !== "drawn") { watch.disconnect(); }
    });
    watch.observe(document.documentElement, { subtree: true, attributes: true,
      attributeFilter: ["data-test-script-state"] });
  }

  /** The component's element takes the map (loader.js, on its first message): the pre-booted
   * host (the client's element) in place of the component's own, the box gone, the events
   * the map had meanwhile reported with ``report``. Null when there is nothing to take. */
  P.take = function (host, report) {
    if (P.state !== "drawn") {
      if (P.state === "loading") { P.state = "gone"; }
      return null;
    }
    P.state = "taken";
    var mine = P.host, box = mine.parentNode;
    host.replaceWith(mine);
    if (box) { box.remove(); }
    mine.setAttribute("data-gz-preboot", "taken");
    Object.keys(P.events).forEach(function (event) { report(event, P.events[event]); });
    P.events = {};
    return mine;
  };

  function start() {
    var query = new URLSearchParams(location.search);
    if (window.innerWidth < MIN_WIDTH) { return skip("narrow window"); }
    if (query.get("q") || query.get("node") || query.get("linked") ||
        (query.get("view") && query.get("view") !== "map")) {  // app.viewparams
      return skip("left to the server");
    }
    var basemap = query.get("basemap") || "";
    if (basemap && !/^[a-z0-9_-]{1,40}$/.test(basemap)) { return skip("basemap"); }
    var all = INLINE ? Promise.resolve(INLINE)
      : fetch(MANIFEST + ".json", { cache: "no-cache" }).then(function (r) {
        if (!r.ok) { throw new Error("no manifests"); }
        return r.json();
      });
    all
      .then(function (held) {  // {default, basemaps: {key: manifest}}
        var key = basemap || held["default"], maps = held.basemaps || {};
        if (!Object.prototype.hasOwnProperty.call(maps, key)) {
          throw new Error("no manifest of " + key);
        }
        return maps[key];
      })
      .then(function (m) {
        m.styles.forEach(style);
        var index = json(m.predict.index);
        json(m.data.features);
        if (m.data.districts) { json(m.data.districts); }
        var scripts = m.scripts.concat([m.url, m.predict.script]).map(script);
        preload();
        return Promise.all(scripts.concat([index])).then(function (got) {
          if (P.state !== "loading") { return; }  // the component came first
          var data = window.GzSite.data(got[got.length - 1]);
          var state = readView(query, data, m.predict);
          if (!state) { return skip("a value the layers lack"); }
          return draw(m, data, state);
        });
      })
      .then(function () {
        if (P.state === "gone") { discard(); }  // the component came while it drew
        if (P.state === "drawn") { watchUntaken(); }
        // Streamlit after the frame that shows the map
        requestAnimationFrame(function () { setTimeout(boot, 0); });
      })
      .catch(function (err) {
        if (P.state === "taken") { return; }
        if (P.host && P.host.parentNode) { P.host.parentNode.remove(); }
        skip(err && err.message || String(err));
      });
  }

  try { start(); } catch (err) { skip(String(err)); }
})();
