# gzplan-map in a container: nginx in front of GZMAP_REPLICAS app processes (deploy/run.sh).
#
#   docker build -t gzplan-map .
#   docker run --rm -p 8080:8080 -e GZMAP_REPLICAS=2 gzplan-map      # http://localhost:8080
#   ... -e GZMAP_OGC_URL=http://HOST:8080/ogc    # the OGC API's public URL (its links use it)
#
# Give the container one CPU and ~0.6 GB of memory per replica (README "Serving a bureau").
# Several containers behind the bureau's own load balancer must keep a browser on one
# container (sticky sessions), and should share STREAMLIT_SERVER_COOKIE_SECRET.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/gzplan-map
COPY . .
RUN pip install --no-cache-dir '.[tiles,ogc]' \
 && useradd --system --home-dir /srv/gzplan-map gzmap \
 && mkdir -p static/data && chown gzmap static/data  # the map client's data files, written at start

USER gzmap
ENV PYTHON=/usr/local/bin/python \
    GZMAP_PORT=8080 \
    GZMAP_LISTEN=0.0.0.0 \
    GZMAP_REPLICAS=2
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8080/_stcore/health', timeout=4).read() != b'ok')"
CMD ["bash", "deploy/run.sh"]
