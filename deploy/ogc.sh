#!/usr/bin/env bash
# OGC API - Features for the built layers: pygeoapi under gunicorn, in the foreground.
#
#   deploy/ogc.sh                   # http://127.0.0.1:5000/ (make ogc)
#   GZMAP_OGC_URL=http://HOST:8080/ogc GZMAP_OGC_PORT=8701 deploy/ogc.sh   # behind nginx (run.sh)
#
# Writes the pygeoapi configuration, its OpenAPI document and the served data with
# `gzmap ogc-config` first (so they match the layers as built now), then replaces itself with
# gunicorn (pygeoapi's Flask app; a production WSGI server, not Flask's development server).
# Settings (environment):
#   GZMAP_OGC_HOST     address to listen on (default 127.0.0.1)
#   GZMAP_OGC_PORT     port (default 5000)
#   GZMAP_OGC_URL      the URL clients use; every link pygeoapi writes starts with it
#                      (default http://HOST:PORT; behind make serve http://<host>:8080/ogc)
#   GZMAP_OGC_DIR      folder for the configuration and data (default: a new temporary folder)
#   GZMAP_OGC_WORKERS  gunicorn worker processes (default 1; each runs 4 threads)
#   PYTHON             the interpreter with the project and its ogc extra (default .venv/bin/python)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python="${PYTHON:-$root/.venv/bin/python}"
host="${GZMAP_OGC_HOST:-127.0.0.1}"
port="${GZMAP_OGC_PORT:-5000}"
url="${GZMAP_OGC_URL:-http://$host:$port}"
workers="${GZMAP_OGC_WORKERS:-1}"
dir="${GZMAP_OGC_DIR:-$(mktemp -d -t gzmap-ogc.XXXXXX)}"

fail() { echo "deploy/ogc.sh: $*" >&2; exit 2; }
[[ -x "$python" ]] || fail "no Python at $python (make app creates .venv, or set PYTHON)"
"$python" -c 'import pygeoapi, gunicorn' 2>/dev/null \
  || fail "pygeoapi or gunicorn missing: $python -m pip install -e '.[ogc]'"
[[ "$port" =~ ^[0-9]{1,5}$ ]] || fail "GZMAP_OGC_PORT must be a port number, not '$port'"
[[ "$workers" =~ ^[1-9][0-9]?$ ]] || fail "GZMAP_OGC_WORKERS must be 1-99, not '$workers'"

mkdir -p "$dir"
"$python" -m spatial.cli ogc-config "$dir/pygeoapi.yml" --url "$url" --host "$host" --port "$port"
export PYGEOAPI_CONFIG="$dir/pygeoapi.yml" PYGEOAPI_OPENAPI="$dir/pygeoapi.openapi.yml"
echo "gzplan-map OGC API - Features: $url/ (listening on $host:$port; configuration in $dir)"
exec "$python" -m gunicorn --no-control-socket --workers "$workers" --threads 4 \
  --bind "$host:$port" --access-logfile - pygeoapi.flask_app:APP
