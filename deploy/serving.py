"""What ``deploy/run.sh`` needs besides the shell: the files nginx serves, and its checks.

    python deploy/serving.py publish WWW STREAMLIT_STATIC APP_STATIC CACHE
    python deploy/serving.py refresh WWW APP_STATIC CACHE
    python deploy/serving.py wait SECONDS PID PORT...
    python deploy/serving.py check URL ERROR_LOG
    python deploy/serving.py inline-scripts INDEX_HTML
    python deploy/serving.py tile-servers
    python deploy/serving.py replicas FIRST_PORT COUNT

``publish`` copies Streamlit's front end into WWW and the app's ``static/`` into
WWW/app/static, readable by everyone, with gzip twins and Streamlit's icon font cut to the
icons it can name. ``refresh`` copies what is new in the app's ``static/`` (files the app
writes as it runs) and adds brotli twins where they are missing (slow the first time: run.sh
runs it in the background). CACHE keeps what both made, by content (see deploy/publish.py). ``wait`` returns once the
replicas on PORT... answer ``/_stcore/health`` (failing if PID, when not 0, exits first).
``check`` fetches the page and a script of Streamlit's front end through the proxy and, when
nginx cannot read them, says which file and which folder stop its workers.
``inline-scripts`` and ``tile-servers`` print the two lists the proxy's
Content-Security-Policy needs: the sha256 hash of each inline script of Streamlit's page, and
the servers of the app's basemaps. ``replicas`` prints the part of nginx's configuration that
names the replicas (``replicas.conf``, see nginx.conf.template).

It runs with the app's interpreter before anything else is up: the standard library, the
app's basemaps (``tile-servers``), fontTools and ``brotli`` (``publish``, ``compress``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from publish import compress, publish, publish_tree


def _healthy(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/_stcore/health"
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait(seconds: float, pid: int, ports: list[int]) -> str | None:
    """None once every port answers its health check, else why not."""
    deadline = time.monotonic() + seconds
    for port in ports:
        while not _healthy(port):
            if pid and not _alive(pid):
                return f"the replica on port {port} exited while starting"
            if time.monotonic() > deadline:
                return f"the replica on port {port} was not healthy after {seconds:g} s"
            time.sleep(0.3)
    return None


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except OSError as exc:
        return 0, str(exc).encode()


def _closed_folder(path: Path) -> Path | None:
    """The first folder above ``path`` that users other than its owner may not enter."""
    for folder in reversed(path.parents):
        try:
            if not folder.stat().st_mode & 0o001:
                return folder
        except OSError:
            return folder
    return None


def _worker_user(error_log: Path) -> str:
    """The user nginx's worker processes run as (from /proc), or a description."""
    pid_file = error_log.parent / "nginx.pid"
    try:
        master = pid_file.read_text().strip()
        import pwd

        for status in Path("/proc").glob("[0-9]*/status"):
            text = status.read_text()
            if re.search(rf"^PPid:\s+{master}$", text, re.M):
                uid = int(re.search(r"^Uid:\s+(\d+)", text, re.M)[1])
                return pwd.getpwuid(uid).pw_name
    except (OSError, KeyError, TypeError, ValueError):
        pass
    return "an unprivileged user"


def check(url: str, error_log: Path) -> str | None:
    """None when the proxy serves the page and Streamlit's script, else a one-line reason."""
    deadline = time.monotonic() + 15
    status, body = _fetch(url.rstrip("/") + "/")
    while status == 0 and time.monotonic() < deadline:  # nginx not listening yet
        time.sleep(0.2)
        status, body = _fetch(url.rstrip("/") + "/")
    paths = [url.rstrip("/") + "/"]
    if status == 200 and b"<html" in body:
        # Streamlit's main module: started by the page, or by its pre-boot script (MAIN)
        found = re.search(rb'(?:src=|var MAIN = )"\./(static/js/[^"]+\.js)"', body)
        if found is None:
            return f"the page at {url} names no script of Streamlit's front end"
        script = url.rstrip("/") + "/" + found[1].decode()
        status, _ = _fetch(script)
        paths = [script]
        if status == 200:
            return None
    try:
        said = error_log.read_text(errors="replace")
    except OSError:
        said = ""
    denied = re.findall(r'"([^"]+)" failed \(13: Permission denied\)', said)
    if denied:
        where = Path(denied[-1])
        closed = _closed_folder(where)
        user = _worker_user(error_log)
        folder = f"; {closed} is closed to them" if closed else ""
        return (
            f"nginx cannot read {where}: its workers run as {user}{folder}. "
            "Set GZMAP_RUN_DIR to a folder every user can enter (e.g. under /tmp or /srv)."
        )
    return f"{paths[0]} answered {status or 'nothing'} through the proxy (see {error_log})"


def inline_scripts(index_html: Path) -> str:
    """CSP sources allowing each inline ``<script>`` of ``index_html`` (by its sha256 hash)."""
    html = index_html.read_text(encoding="utf-8")
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in bodies
    )


def tile_servers() -> str:
    """CSP sources for every basemap's tile servers (``{s}`` spelt out for each subdomain)."""
    from spatial.geo.basemaps import BASEMAPS

    servers: list[str] = []
    for basemap in BASEMAPS.values():
        parts = urllib.parse.urlsplit(basemap.url)
        hosts = [parts.netloc]
        if "{s}" in parts.netloc:
            hosts = [parts.netloc.replace("{s}", sub) for sub in basemap.subdomains]
        servers += [f"{parts.scheme}://{h}" for h in hosts]
    return " ".join(dict.fromkeys(servers))


def replicas_conf(first_port: int, count: int) -> str:
    """nginx's upstreams and maps for ``count`` replicas on 127.0.0.1 from ``first_port``.

    Replica ``i`` is tagged ``r<i>`` (the value of a browser's routing cookie) and is the
    upstream ``gzmap_r<i>``; ``gzmap_replicas`` holds them all. ``$gzmap_upstream`` is the
    upstream a cookie names (all of them for none or an unknown tag), ``$gzmap_answered`` the tag
    of the replica that answered (the last address of ``$upstream_addr``, which lists every one
    tried), ``$gzmap_first`` a first visit's replica, spread evenly.
    """
    ports = {f"r{i}": first_port + i - 1 for i in range(1, count + 1)}
    lines = [f"upstream gzmap_{tag} {{ server 127.0.0.1:{port}; keepalive 16; }}"
             for tag, port in ports.items()]
    lines += ["upstream gzmap_replicas {"]
    lines += [f"    server 127.0.0.1:{port} max_fails=2 fail_timeout=10s;" for port in ports.values()]
    lines += ["    keepalive 32;", "}", "map $cookie_gzmap_replica $gzmap_upstream {",
              "    default gzmap_replicas;"]
    lines += [f"    {tag} gzmap_{tag};" for tag in ports]
    lines += ["}", "map $upstream_addr $gzmap_answered {", '    default "";']
    lines += [f'    "~(^| )127\\.0\\.0\\.1:{port}$" {tag};' for tag, port in ports.items()]
    lines += ["}", "split_clients $request_id $gzmap_first {"]
    share = 100 / count
    lines += [f"    {share:.2f}% {tag};" for tag in list(ports)[:-1]]
    lines += [f"    * {list(ports)[-1]};", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "publish":
        www, streamlit_static, app_static, cache = map(Path, args)
        publish(www, streamlit_static, app_static, cache)
        return 0
    if command == "refresh":
        www, app_static, cache = map(Path, args)
        if app_static.is_dir():
            publish_tree(app_static, www / "app" / "static")
        compress(www, cache)
        return 0
    if command == "wait":
        seconds, pid, *ports = args
        why = wait(float(seconds), int(pid), [int(p) for p in ports])
    elif command == "check":
        why = check(args[0], Path(args[1]))
    elif command == "inline-scripts":
        print(inline_scripts(Path(args[0])))
        return 0
    elif command == "tile-servers":
        print(tile_servers())
        return 0
    elif command == "replicas":
        print(replicas_conf(int(args[0]), int(args[1])), end="")
        return 0
    else:
        why = f"unknown command {command!r}"
    if why:
        print(why, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
