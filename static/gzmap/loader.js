/* gzmap · loader.js — the Streamlit component's side of the map client (app/map.py).
 *
 * An ES module whose default export Streamlit calls (``st.components.v2``) when the map
 * element appears and whenever its data changes. The data is the client's message as UTF-8
 * JSON bytes. The first call loads the client's style sheets and scripts (ASSETS, which the
 * server writes at the top of this file, and the message's own, its basemap's script: they
 * download side by side and run in order) and starts fetching the data files; every call
 * hands the message to ``GzMap.mount``, with what the app sent only when it changed written
 * back (``restore``). The client's events go back as the component's trigger events. The app's
 * map may have been drawn already by the page (preboot.js): its first message then takes that
 * map into the component (``GzPreboot.take``), files and client included.
 */
// shared with preboot.js, which may have loaded the same files before this module came
var loads = window.GzMapLoads = window.GzMapLoads || {};

function load(message) {
  var waits = [];
  ASSETS.styles.concat(message.styles || []).forEach(function (url) {
    if (loads[url]) { return; }
    loads[url] = true;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    document.head.appendChild(link);
  });
  ASSETS.scripts.concat(message.scripts || []).forEach(function (url) {
    if (!loads[url]) {
      loads[url] = new Promise(function (ok, fail) {
        var script = document.createElement("script");
        script.src = url;
        script.async = false;  // downloaded side by side, run in order
        script.onload = ok;
        script.onerror = function () { delete loads[url]; fail(new Error("cannot load " + url)); };
        document.head.appendChild(script);
      });
    }
    waits.push(loads[url]);
  });
  var early = window.GzMapPrefetch = window.GzMapPrefetch || {};
  var data = message.data || {};
  [data.features, data.districts].forEach(function (url) {
    if (url && !early[url]) {
      early[url] = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.json();
      });
    }
  });
  return Promise.all(waits);
}

/** The legend's industry colours the app sends as counts (``client.compact_legend``), written
 * out as the client reads them: ``[palette[k], "tag（n）"]`` for the colour rule's tags. */
function expand(message) {
  var selection = message.selection || {}, legend = selection.legend;
  if (!legend || !legend.counts) { return message; }
  var tags = selection.colour.tags, palette = window.GzMap.style.industry_palette;
  legend.colours = legend.counts.map(function (n, k) {
    return [palette[k], tags[k] + "（" + n + "）"];
  }).concat(legend.colours || []);
  delete legend.counts;
  return message;
}

/** What the app sends only when it changes (spatial.webmap.client.KEPT: the files, the URL's
 * keys, what predict.js reads; ``url`` may come without its ``keys``): the last of each,
 * written back into a message that lacks it. False when a map's message lacks what nothing
 * here holds. */
var KEPT = ["height", "scripts", "base", "data", "url", "predict"];
var kept = {};

function restore(message) {
  if (message.mode !== "features") { return true; }
  KEPT.forEach(function (key) {
    if (!(key in message)) {
      if (key in kept) { message[key] = kept[key]; }
      return;
    }
    var url = message.url;
    if (key === "url" && url && !("keys" in url) && kept.url && kept.url.keys) {
      url.keys = kept.url.keys;
    }
    kept[key] = message[key];
  });
  return Boolean(message.data && message.base);
}

export default function (component) {
  if (!loads.started) { loads.started = true; performance.mark("gzmap:loader"); }
  var bytes = component.data, element = component.parentElement;
  var host = element.querySelector(".gz-host") || element;
  var report = function (event, value) { component.setTriggerValue(event, value); };
  var text = new TextDecoder().decode(bytes), message = null;
  if (!host.gzMessage) {  // the element's first message
    message = JSON.parse(text);
    // the app's map drawn by the page before Streamlit (preboot.js): taken over
    if (window.GzPreboot && message.mode === "features") {
      host = window.GzPreboot.take(host, report) || host;
    }
  }
  // the same again; unless a view was foreseen since (predict.js), which this message settles
  if (host.gzMessage === text && host.gzUnmount && !host.gzForeseen) { return host.gzUnmount; }
  message = message || JSON.parse(text);
  if (!restore(message)) {  // a new page's module with an old session: ask for it all
    host.gzMessage = null;
    component.setTriggerValue("need", { kept: true });
    return host.gzUnmount;
  }
  host.gzMessage = text;
  return load(message).then(function () {
    performance.mark("gzmap:scripts");
    host.gzUnmount = window.GzMap.mount(host, expand(message), { report: report });
    return host.gzUnmount;
  });
}
