"""What ``deploy/run.sh`` needs besides the shell: the files nginx serves, and its checks.

    python deploy/serving.py publish WWW STREAMLIT_STATIC APP_STATIC
    python deploy/serving.py wait SECONDS PID PORT...
    python deploy/serving.py check URL ERROR_LOG
    python deploy/serving.py inline-scripts INDEX_HTML
    python deploy/serving.py tile-servers
    python deploy/serving.py replicas FIRST_PORT COUNT

``publish`` copies Streamlit's front end (its ``index.html``, JavaScript, CSS and fonts) into
WWW and the app's ``static/`` into WWW/app/static, readable by everyone, so that nginx's worker
processes can read them wherever the checkout and the virtual environment are (see run.sh),
each text file with a gzip twin beside it (``x.js.gz``, sent as it is by nginx's gzip_static:
no compressing per request). It copies only what is new or changed, each file under a
temporary name that is then renamed, so it can run again while nginx serves WWW. ``wait`` returns once the replicas on PORT... answer
``/_stcore/health`` (failing if PID, when not 0, exits first). ``check`` fetches the page and
a script of Streamlit's front end through the proxy and, when nginx cannot read them, says
which file and which folder stop its workers. ``inline-scripts`` and ``tile-servers`` print
the two lists the proxy's Content-Security-Policy needs: the sha256 hash of each inline script
of Streamlit's page, and the servers of the app's basemaps. ``replicas`` prints the part of
nginx's configuration that names the replicas (``replicas.conf``, see nginx.conf.template).

Standard library only (``tile-servers`` reads the app's basemaps): it runs with the app's
interpreter before anything else is up.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

FILE_MODE = 0o644
DIR_MODE = 0o755
#: Files worth a gzip twin (fonts and images are compressed already).
COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".json", ".geojson", ".svg", ".txt", ".wasm",
                ".map", ".xml"}
MIN_COMPRESS = 1024  # as nginx's gzip_min_length


def _write_atomically(dst: Path, data: bytes, mtime: float) -> None:
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, FILE_MODE)
    os.utime(tmp, (mtime, mtime))
    os.replace(tmp, dst)


def _gzip_twin(path: Path) -> bool:
    """Write ``path``.gz beside a compressible file unless it is there for this version."""
    st = path.stat()
    twin = path.with_name(path.name + ".gz")
    if path.suffix not in COMPRESSIBLE or st.st_size < MIN_COMPRESS:
        return False
    try:
        if int(twin.stat().st_mtime) == int(st.st_mtime):
            return False
    except FileNotFoundError:
        pass
    packed = gzip.compress(path.read_bytes(), compresslevel=9, mtime=int(st.st_mtime))
    if len(packed) > 0.9 * st.st_size:
        return False
    _write_atomically(twin, packed, st.st_mtime)
    return True


def _copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy ``src`` to ``dst`` (mode 0644, same mtime) unless ``dst`` has its size and mtime."""
    st = src.stat()
    try:
        have = dst.stat()
        if have.st_size == st.st_size and int(have.st_mtime) == int(st.st_mtime):
            return False
    except FileNotFoundError:
        pass
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    shutil.copyfile(src, tmp)
    os.chmod(tmp, FILE_MODE)
    os.utime(tmp, (st.st_atime, st.st_mtime))
    os.replace(tmp, dst)
    return True


def publish_tree(src: Path, dst: Path) -> int:
    """Mirror the files of ``src`` into ``dst`` (hidden files left out); how many were copied."""
    copied = 0
    for folder, dirs, files in os.walk(src, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        target = dst / Path(folder).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        os.chmod(target, DIR_MODE)
        for name in sorted(files):
            if not name.startswith("."):
                copied += _copy_if_changed(Path(folder) / name, target / name)
                if name + ".gz" not in files:  # the source's own twin wins
                    _gzip_twin(target / name)
    return copied


def publish(www: Path, streamlit_static: Path, app_static: Path) -> None:
    """Streamlit's front end at the root of ``www``, the app's ``static/`` at www/app/static."""
    www.mkdir(parents=True, exist_ok=True)
    os.chmod(www, DIR_MODE)
    publish_tree(streamlit_static, www)
    if app_static.is_dir():
        publish_tree(app_static, www / "app" / "static")
        os.chmod(www / "app", DIR_MODE)


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
        found = re.search(rb'src="\./(static/js/[^"]+\.js)"', body)
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
        www, streamlit_static, app_static = map(Path, args)
        publish(www, streamlit_static, app_static)
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
