#!/usr/bin/env bash
# Start N replicas of the app and nginx in front of them, on this machine, in the foreground.
#
#   deploy/run.sh                  # 2 replicas behind http://127.0.0.1:8080 (this machine only)
#   GZMAP_LISTEN=0.0.0.0 GZMAP_REPLICAS=4 GZMAP_PORT=80 deploy/run.sh   # open to the network
#
# Settings (environment):
#   GZMAP_REPLICAS      replicas to start (default 2: one per core)
#   GZMAP_PORT          the proxy's port (default 8080)
#   GZMAP_LISTEN        the proxy's address (default 127.0.0.1: this machine only; 0.0.0.0 for
#                       every interface, or one address of this machine)
#   GZMAP_REPLICA_PORT  first replica's port on 127.0.0.1 (default 8601; then 8602, ...)
#   GZMAP_PAGES_PER_CLIENT  pages (websockets) one client address may hold open at once, and open
#                       in a burst (default 50; an office behind one NAT address may need more)
#   GZMAP_RUN_DIR       where the rendered nginx.conf, logs, pid files and the files nginx serves
#                       go (default: a new folder in /tmp); nginx's workers must be able to enter it
#   GZMAP_CACHE_DIR     the project's cache folder (default ~/.cache/gzplan-map): its serving/
#                       keeps the brotli-compressed copies and the cut icon font between runs (the
#                       run folder does when it is not writable)
#   PYTHON              the interpreter with the app installed (default .venv/bin/python)
#   GZMAP_OGC_URL       the public URL of the OGC API at /ogc/ (default http://<host>:PORT/ogc)
#   GZMAP_OGC_PORT      its server's port on 127.0.0.1 (default 8701)
#   STREAMLIT_*         any Streamlit option for every replica, e.g.
#                       STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL=30
# The replicas read .streamlit/config.toml (production settings). They share one cookie
# secret (STREAMLIT_SERVER_COOKIE_SECRET, made up here when unset).
# Ctrl-C (or SIGTERM) stops everything.
#
# Faults: a replica (or the OGC API's server) that exits or is killed is started again (after
# 1 s; after up to 30 s when it keeps failing as it starts), and nginx meanwhile sends its
# browsers to the others, where they start a new session and stay (their routing cookie now
# names that replica: see "Sticky sessions" in nginx.conf.template). Pages on the other
# replicas never notice. If nginx itself exits, everything is stopped, for a service manager
# (systemd, a container runtime) to start the set again. The supervision is the loop in
# supervise() below rather than supervisord or systemd units: it needs no daemon, control
# socket or config of its own, keeps every process in this script's process group (Ctrl-C, or
# a service manager stopping the group, stops them all), and can refresh nginx's copy of
# static/ once a restarted replica is up, which supervisord could do only through an event
# listener.
#
# What nginx reads: run as root, nginx's master process reads the configuration and opens the
# logs, but its worker processes, which serve the files, run as an unprivileged user (nobody).
# A checkout in a home directory or a `mktemp -d` folder (mode 0700) is closed to that user, so
# the files nginx serves itself (Streamlit's index.html, JavaScript, CSS and fonts from the
# virtual environment, and the app's static/) are copied, readable by all, into the run folder
# ($GZMAP_RUN_DIR/www, by `deploy/serving.py publish`), and nginx serves them from there. Not
# `user root` for the workers: they parse every request from the network. Not hard links: they
# keep the source's own permissions and fail across file systems. The copy is refreshed once the
# replicas are up (the app may write files into static/ as it starts), and a file of static/
# that is not in the copy yet is served by a replica. Once nginx is up, the page and a script of
# Streamlit's front end are fetched through it; if that fails the script stops, naming the file
# nginx could not read and the folder that is closed to its workers.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"

replicas="${GZMAP_REPLICAS:-2}"
port="${GZMAP_PORT:-8080}"
listen="${GZMAP_LISTEN:-127.0.0.1}"
pages_per_client="${GZMAP_PAGES_PER_CLIENT:-50}"
first="${GZMAP_REPLICA_PORT:-8601}"
python="${PYTHON:-$root/.venv/bin/python}"
nginx="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
mime_types="${NGINX_MIME_TYPES:-/etc/nginx/mime.types}"
brotli_module="${NGINX_MODULES:-/usr/lib/nginx/modules}/ngx_http_brotli_static_module.so"

fail() { echo "deploy/run.sh: $*" >&2; exit 2; }
[[ "$replicas" =~ ^[1-9][0-9]?$ ]] || fail "GZMAP_REPLICAS must be 1-99, not '$replicas'"
[[ "$pages_per_client" =~ ^[1-9][0-9]{0,4}$ ]] \
  || fail "GZMAP_PAGES_PER_CLIENT must be a whole number from 1, not '$pages_per_client'"
[[ -x "$nginx" ]] || fail "nginx not found (Debian: apt-get install nginx, or make sysdeps)"
[[ -r "$mime_types" ]] || fail "no $mime_types (set NGINX_MIME_TYPES)"
[[ -x "$python" ]] || fail "no Python at $python (make app creates .venv, or set PYTHON)"
streamlit_static="$("$python" -c 'import os, streamlit; print(os.path.join(os.path.dirname(streamlit.__file__), "static"))')" \
  || fail "$python cannot import streamlit"

run_dir="${GZMAP_RUN_DIR:-$(mktemp -d -t gzmap-serve.XXXXXX)}"
mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
chmod 755 "$run_dir"  # nginx's workers read the files below it and write their temporary files there
www="$run_dir/www"
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$python" -c 'import secrets; print(secrets.token_hex(32))')}"

# The project's cache folder (as spatial.plot.fonts finds it), or the run folder.
cache="${GZMAP_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/gzplan-map}/serving"
mkdir -p "$cache" 2>/dev/null && [[ -w "$cache" ]] || cache="$run_dir/cache"

publish() { "$python" "$here/serving.py" publish "$www" "$streamlit_static" "$root/static" "$cache"; }
# In the background while the service runs, every 30 s: what the app wrote into static/ since
# (the map client's data files, made when a page first needs them; a replica serves them
# until then), and brotli twins of every file nginx serves (a minute or two of CPU the first
# time on a machine, then from the cache; nginx sends the gzip twins meanwhile).
follow() {
  local child=0
  trap 'kill -TERM "$child" 2>/dev/null; exit 0' TERM
  while :; do
    nice -n 10 "$python" "$here/serving.py" refresh "$www" "$root/static" "$cache" &
    child=$!
    wait "$child"
    sleep 30 &
    child=$!
    wait "$child"
  done
}

# Run "$@" as the server named $1 (replica-<port>, ogc), and again whenever it stops, until
# this script stops it. Its process id is in $run_dir/<name>.pid, its output in <name>.log.
supervise() {
  local name=$1 child=0 status started delay=1 restarted=0
  shift
  set +e
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM
  while :; do
    started=$SECONDS
    "$@" >>"$run_dir/$name.log" 2>&1 &
    child=$!
    echo "$child" >"$run_dir/$name.pid"
    if ((restarted)) && [[ "$name" == replica-* ]]; then
      # Once it is up: the files it may have written into static/ as it started.
      { "$python" "$here/serving.py" wait 120 "$child" "${name#replica-}" && publish; } \
        >/dev/null 2>&1 &
    fi
    { wait "$child"; } 2>/dev/null  # the exit status says it; not bash's "Killed" line too
    status=$?
    [[ -e "$run_dir/stopping" ]] && exit 0
    if ((SECONDS - started < 30)); then delay=$((delay * 2 > 30 ? 30 : delay * 2)); else delay=1; fi
    ((restarted)) || delay=1
    echo "deploy/run.sh: $name stopped (status $status); starting it again in $delay s" >&2
    restarted=1
    sleep "$delay" &
    wait $!
  done
}

loops=()
nginx_pid=""
follow_pid=""
stop() {
  trap - EXIT INT TERM
  touch "$run_dir/stopping"
  [[ -n "$follow_pid" ]] && kill -TERM "$follow_pid" 2>/dev/null
  [[ -n "$nginx_pid" ]] && kill -TERM "$nginx_pid" 2>/dev/null
  for pid in "${loops[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${loops[@]}" $nginx_pid $follow_pid; do wait "$pid" 2>/dev/null || true; done
  rm -f "$run_dir/stopping"
}
rm -f "$run_dir/stopping"
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ((i = 0; i < replicas; i++)); do
  p=$((first + i))
  supervise "replica-$p" "$python" -m streamlit run asgi.py \
    --server.address 127.0.0.1 --server.port "$p" &
  loops+=("$!")
done

# While the replicas start: the files nginx serves, where its workers can read them.
publish || fail "could not copy the files nginx serves into $www"

# Wait until every replica answers /_stcore/health (first start imports geopandas & co.).
"$python" "$here/serving.py" wait 120 0 $(seq "$first" $((first + replicas - 1))) \
  || fail "a replica did not start; logs in $run_dir"
publish || fail "could not copy the files nginx serves into $www"  # what the app wrote starting
# The Content-Security-Policy's two lists: the page's inline scripts and the tile servers.
inline_scripts="$("$python" "$here/serving.py" inline-scripts "$www/index.html")" \
  || fail "could not read the inline scripts of $www/index.html"
tile_servers="$("$python" "$here/serving.py" tile-servers)" || fail "could not list the tile servers"

# --- OGC API - Features at /ogc/: pygeoapi under gunicorn (deploy/ogc.sh), when the ogc extra is
# installed. Its links start with GZMAP_OGC_URL, the address GIS clients use: set it when the
# machine's name is not how they reach it.
ogc_port="${GZMAP_OGC_PORT:-8701}"
[[ "$ogc_port" =~ ^[0-9]{1,5}$ ]] || fail "GZMAP_OGC_PORT must be a port number, not '$ogc_port'"
if "$python" -c 'import pygeoapi, gunicorn' 2>/dev/null; then
  case "$listen" in 0.0.0.0|::|"[::]") ogc_host="$(hostname -f 2>/dev/null || hostname)" ;; *) ogc_host="$listen" ;; esac
  supervise ogc env PYTHON="$python" GZMAP_OGC_PORT="$ogc_port" GZMAP_OGC_DIR="$run_dir/ogc" \
    GZMAP_OGC_URL="${GZMAP_OGC_URL:-http://$ogc_host:$port/ogc}" "$here/ogc.sh" &
  loops+=("$!")
else
  echo "deploy/run.sh: no OGC API at /ogc/ (install the ogc extra: pip install -e '.[ogc]')" >&2
fi
# --- end OGC API

# The replicas for nginx (included by nginx.conf): one upstream each, tagged r1, r2 ... (the
# value of a browser's routing cookie), all of them together, and the maps between them.
"$python" "$here/serving.py" replicas "$first" "$replicas" >"$run_dir/replicas.conf" \
  || fail "could not write $run_dir/replicas.conf"

# Brotli: nginx sends a file's .br twin to browsers that accept it (Chromium does over HTTPS
# and to localhost; over plain HTTP to another host it asks for gzip only) when Debian's
# module is installed, and follow() made twins with the brotli package (the serve extra).
if [[ -r "$brotli_module" ]]; then
  load_modules="load_module $brotli_module;"
  brotli_static="brotli_static on;"
else
  load_modules="# no $brotli_module (Debian: apt-get install libnginx-mod-http-brotli-static)"
  brotli_static="# brotli_static: the module is not installed"
  echo "deploy/run.sh: gzip only (for brotli: apt-get install libnginx-mod-http-brotli-static)" >&2
fi
"$python" -c 'import brotli' 2>/dev/null || echo "deploy/run.sh: gzip only and the whole icon font" \
  "(for brotli and the cut font: pip install -e '.[serve]')" >&2

esc() { printf '%s' "$1" | sed -e 's/[\/&|]/\\&/g'; }
sed -e "s|@RUN_DIR@|$(esc "$run_dir")|g" \
        -e "s|@MIME_TYPES@|$(esc "$mime_types")|g" \
        -e "s|@LISTEN@|$(esc "$listen:$port")|g" \
        -e "s|@WWW@|$(esc "$www")|g" \
        -e "s|@OGC_PORT@|$ogc_port|g" \
        -e "s|@PAGES_PER_CLIENT@|$(esc "$pages_per_client")|g" \
        -e "s|@INLINE_SCRIPTS@|$(esc "$inline_scripts")|g" \
        -e "s|@TILE_SERVERS@|$(esc "$tile_servers")|g" \
        -e "s|@LOAD_MODULES@|$(esc "$load_modules")|g" \
        -e "s|@BROTLI_STATIC@|$(esc "$brotli_static")|g" \
  "$here/nginx.conf.template" >"$run_dir/nginx.conf"
"$nginx" -t -q -p "$run_dir" -c "$run_dir/nginx.conf" -e "$run_dir/error.log" \
  || fail "nginx rejected $run_dir/nginx.conf"
"$nginx" -p "$run_dir" -c "$run_dir/nginx.conf" -e "$run_dir/error.log" -g "daemon off;" &
nginx_pid=$!

# The page through the proxy, as a browser fetches it.
check_host="$listen"; [[ "$listen" == "0.0.0.0" ]] && check_host=127.0.0.1
why="$("$python" "$here/serving.py" check "http://$check_host:$port" "$run_dir/error.log" 2>&1)" \
  || fail "$why"
follow >/dev/null 2>&1 &
follow_pid=$!

echo "gzplan-map: http://$listen:$port/ -> $replicas replicas on 127.0.0.1:$first..$((first + replicas - 1)) (logs: $run_dir)"
# Run until nginx stops (or we are told to stop); then stop the replicas.
set +e
wait "$nginx_pid"
status=$?
echo "deploy/run.sh: nginx exited (status $status); stopping the replicas" >&2
exit "$status"
