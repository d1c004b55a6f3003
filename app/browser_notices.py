"""What the browser would say by itself in English, said by the app in Chinese and English.

A lost connection shows a bilingual notice, and the page comes back by itself; a file over the
transport cap (``server.maxUploadSize``), which the uploader refuses before sending it, gets
the app's own wording.

When the server stops answering (a replica restarted, the network dropped), Streamlit's page
shows its own English dialog ("Connection error … Are you connected to the internet?") and,
once a new server answers, reconnects to a new session whose page may fail to load the
scripts it asked for meanwhile. :func:`watch_connection` puts a small script on the page (a
``st.components.v2`` component: Streamlit runs its code from a ``blob:`` URL in the page
itself, which the proxy's Content-Security-Policy allows, where an inline script in a
``components.html`` frame is refused) that, when that dialog appears, covers the
page with 正在重新连接 Reconnecting, asks the server's health check every
:data:`POLL_MS` milliseconds and, once it answers, reloads the page: every view keeps its
choices in the URL, so the reloaded page opens where the user was. The dialog is found by its
role and its title as Streamlit 1.67 writes them; a later Streamlit that words it otherwise
only leaves its own dialog in place.

The uploader's "File must be 6.0MB or smaller." (its check of ``server.maxUploadSize``, made in
the browser) is rewritten as :data:`TOO_BIG`, the reader's own message for a file over 5 MiB.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

__all__ = ["NOTICE", "POLL_MS", "TOO_BIG", "watch_connection"]

#: Milliseconds between health checks while the server is away.
POLL_MS = 2000

#: The notice shown while the server is away (Chinese first).
NOTICE = (
    "正在重新连接 Reconnecting…",
    "与服务器的连接中断。恢复后页面将自动重新打开当前视图。"
    "The connection to the server was lost; the page reopens this view when it is back.",
)

#: The uploader's refusal of a file over the transport cap, in the app's words.
TOO_BIG = "文件过大（上限 5 MiB），未上传 — the file is over the 5 MiB limit for an upload: not sent"

_SCRIPT = r"""export default function () {
  const top = window, doc = top.document;
  if (top.__gzReconnect) return;  // one watcher per page, whatever the reruns
  top.__gzReconnect = true;
  const health = top.location.origin
    + top.location.pathname.replace(/[^/]*$/, "") + "_stcore/health";
  let away = false;
  const lostDialogs = () => [...doc.querySelectorAll('[role="dialog"]')].filter(
    (d) => /Connection error|not responding/.test(d.textContent || ""));
  function notice() {
    const box = doc.createElement("div");
    box.id = "gz-reconnect";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;display:flex;"
      + "align-items:center;justify-content:center;background:#fff;"
      + "font-family:sans-serif;color:#222;text-align:center";
    const inner = doc.createElement("div");
    const title = doc.createElement("div");
    title.style.cssText = "font-size:1.4rem;font-weight:600;margin-bottom:0.6rem";
    title.textContent = __TITLE__;
    const text = doc.createElement("div");
    text.style.cssText = "font-size:0.95rem;max-width:34rem;line-height:1.5";
    text.textContent = __TEXT__;
    inner.append(title, text);
    box.append(inner);
    doc.body.append(box);
  }
  async function poll() {
    try {
      const r = await fetch(health, {cache: "no-store"});
      if (r.ok) { top.location.reload(); return; }
    } catch (e) { /* still away */ }
    setTimeout(poll, __POLL_MS__);
  }
  function tooBig() {  // the uploader's own English refusal, in the app's words
    doc.querySelectorAll('[data-testid="stFileUploader"] [role="alert"]').forEach((el) => {
      if (el.children.length === 0 && /File must be .* or smaller[.]/.test(el.textContent)) {
        el.textContent = __TOO_BIG__;
      }
    });
  }
  new MutationObserver(() => {
    tooBig();
    const dialogs = lostDialogs();
    dialogs.forEach((d) => {  // ours says it, Chinese first: the dialog and its backdrop go
      const modal = d.closest('[data-testid="stDialog"]') || d;
      if (modal.style.display !== "none") modal.style.display = "none";
    });
    if (!away && dialogs.length) { away = true; notice(); setTimeout(poll, __POLL_MS__); }
  }).observe(doc.body, {childList: true, subtree: true});
}"""


@st.cache_resource(show_spinner=False)
def _watcher() -> Callable[..., Any]:
    """The watcher component (registered once per process). Its code is inline, not a static
    file it imports: it must be running before the server can go away, and a page whose server
    died while the import was on its way had no watcher. A rerun sends it as a reference to
    what the browser holds (``global.minCachedMessageSize``), not again."""
    script = (
        _SCRIPT.replace("__TITLE__", json.dumps(NOTICE[0], ensure_ascii=False))
        .replace("__TEXT__", json.dumps(NOTICE[1], ensure_ascii=False))
        .replace("__POLL_MS__", str(POLL_MS))
        .replace("__TOO_BIG__", json.dumps(TOO_BIG, ensure_ascii=False))
    )
    return st.components.v2.component("gzplan.watcher", html="<span></span>", js=script)


def watch_connection() -> None:
    """Put the watcher on the page (once per page; hidden by its key's class,
    ``.st-key-gz_watcher``, so it costs no space)."""
    _watcher()(key="gz_watcher")
