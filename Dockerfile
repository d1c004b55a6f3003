# gzplan-map in a container: nginx in front of GZMAP_REPLICAS app processes (deploy/run.sh),
# and the OGC API at /ogc/.
#
#   docker build -t gzplan-map .
#   docker run --rm -p 8080:8080 -e GZMAP_REPLICAS=2 gzplan-map      # http://localhost:8080
#   ... -e GZMAP_OGC_URL=http://HOST:8080/ogc    # the OGC API's public URL (its links use it)
#   ... -v gzplan-cache:/var/cache/gzplan-map   # keep the brotli copies and fonts between runs
#   docker run --rm -v "$PWD/site:/srv/site" gzplan-map gzmap publish /srv/site   # static site
#
# Give the container one CPU and ~0.6 GB of memory per replica (README "Serving a bureau").
# Several containers behind the bureau's own load balancer must keep a browser on one
# container (sticky sessions), and should share STREAMLIT_SERVER_COOKIE_SECRET.
FROM python:3.11-slim-bookworm

# nginx, and its brotli_static module that deploy/run.sh loads when it is there (it then sends
# the brotli copies of the files it serves; without it, the gzip ones).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nginx libnginx-mod-http-brotli-static \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/gzplan-map
# uv installs exactly what uv.lock pins, as the Makefile does, into .venv beside the code
# (deploy/run.sh's default interpreter); the image's own Python, never a downloaded one.
ENV UV_PROJECT_ENVIRONMENT=/srv/gzplan-map/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1
ARG EXTRAS="--extra tiles --extra ogc --extra serve"

# The locked packages first, in a layer of their own (built again only when the lock changes),
# with the uv release uv.lock itself pins.
COPY pyproject.toml uv.lock ./
RUN uv_version="$(sed -n '/^name = "uv"$/{n;s/^version = "\(.*\)"$/\1/p;}' uv.lock)" \
 && test -n "$uv_version" \
 && pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore \
      "uv==$uv_version" \
 && uv lock --check \
 && uv sync --frozen --no-install-project $EXTRAS

# Then the project itself, installed in place (its code finds static/, layers/ and data/
# beside it). The app writes the map client's data files into static/data as it starts, and
# its caches (brotli copies, the cut icon font, matplotlib's font list) under GZMAP_CACHE_DIR:
# the only places the server's user may write.
COPY . .
RUN uv sync --frozen $EXTRAS \
 && .venv/bin/python -m compileall -q spatial app \
 && useradd --system --no-create-home --home-dir /var/cache/gzplan-map \
      --shell /usr/sbin/nologin gzmap \
 && mkdir -p static/data /var/cache/gzplan-map/matplotlib \
 && chown gzmap static/data \
 && chown -R gzmap /var/cache/gzplan-map

USER gzmap
ENV PATH=/srv/gzplan-map/.venv/bin:$PATH \
    HOME=/var/cache/gzplan-map \
    GZMAP_CACHE_DIR=/var/cache/gzplan-map \
    MPLCONFIGDIR=/var/cache/gzplan-map/matplotlib \
    GZMAP_PORT=8080 \
    GZMAP_LISTEN=0.0.0.0 \
    GZMAP_REPLICAS=2
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8080/_stcore/health', timeout=4).read() != b'ok')"
CMD ["bash", "deploy/run.sh"]
