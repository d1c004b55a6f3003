# Two commands do all the set-up on a fresh machine (Python >= 3.11 with venv):
#   make app   - create .venv if needed, install, start the Streamlit app (production settings)
#                on http://127.0.0.1:8501 (make app PORT=8600; ADDRESS=0.0.0.0 opens it to the network)
#   make app-dev - the same with the development settings (reload on save, full tracebacks)
#   make serve - nginx + 2 replicas of the app on http://127.0.0.1:8080 (deploy/run.sh;
#                GZMAP_LISTEN=0.0.0.0 make serve opens it to the network)
#   make test  - create .venv if needed, install with dev extras, lint, run the whole test suite
#                (then the perf tests apart, with a margin on their bounds)
#   make ogc   - OGC API - Features of the layers for GIS software on http://127.0.0.1:5000/
#   make lock  - write uv.lock anew after a change of the dependencies in pyproject.toml
#   make mutation - mutation testing of the core modules (slow; not in make test or CI)
#   make site  - the map as a static site in site/ (gzmap publish): python -m http.server -d site
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Where make app and make app-dev listen: this machine only unless told otherwise.
ADDRESS ?= 127.0.0.1
PORT ?= 8501
# uv installs exactly what uv.lock pins (versions and hashes of every package, uv's own
# included); the first uv comes from PyPI at the locked version.
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' uv.lock)
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(BIN)/uv
EXTRAS := --extra dev --extra build --extra tiles --extra ogc --extra serve

.PHONY: app app-dev serve ogc test lint lock layers validate sysdeps bench bench-load bench-site site mutation clean

$(BIN)/uv:
	@echo "gzplan-map: creating $(VENV) and installing the locked packages (about a minute the first time)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --compile-bytecode: the packages' .pyc files are written once here, so neither the app nor a
# CLI verb compiles them on start (nor every time, where PYTHONDONTWRITEBYTECODE is set).
$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	@$(UV) lock --check --quiet || { \
	  echo "uv.lock does not match pyproject.toml (a dependency changed): run 'make lock' and commit uv.lock"; \
	  exit 1; }
	$(UV) sync --frozen --compile-bytecode $(EXTRAS)
	@touch $(STAMP)

# After a change of the dependencies in pyproject.toml (or to take newer releases within its
# ranges: make lock UPGRADE=--upgrade), write uv.lock anew; commit it with pyproject.toml.
lock: | $(BIN)/uv
	$(UV) lock $(UPGRADE)

# .streamlit/config.toml holds the production settings; app-dev turns the conveniences back on.
app: $(STAMP)
	$(BIN)/streamlit run asgi.py --server.address $(ADDRESS) --server.port $(PORT)

app-dev: $(STAMP)
	$(BIN)/streamlit run asgi.py --server.address $(ADDRESS) --server.port $(PORT) \
	  --server.fileWatcherType auto --server.runOnSave true \
	  --runner.magicEnabled true --client.showErrorDetails full --logger.level info

# One machine serving a bureau: nginx in front of GZMAP_REPLICAS (default 2) app processes.
serve: $(STAMP)
	PYTHON=$(abspath $(BIN))/python deploy/run.sh

# OGC API - Features alone (pygeoapi under gunicorn), for development: deploy/ogc.sh.
ogc: $(STAMP)
	PYTHON=$(abspath $(BIN))/python deploy/ogc.sh

# The suite, then the perf tests (bounds on time and memory) on their own, each bound times
# PERF_MARGIN as the machine may be shared (pytest --perf-margin 1 checks the stated bounds).
PERF_MARGIN ?= 2
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not perf"
	$(BIN)/python -m pytest -m perf --perf-margin $(PERF_MARGIN)

lint: $(STAMP)
	$(BIN)/ruff check .

# Rebuild layers/*.geojson from layers/src/*.yaml, then check them against the contract.
layers: $(STAMP)
	$(BIN)/gzmap build-layers
	$(BIN)/gzmap validate

validate: $(STAMP)
	$(BIN)/gzmap validate

# Debian packages the browser and PDF-rendering tests use (run as root; CI does):
# headless Chromium, a CJK font for its screenshots, poppler and MuPDF renderers, and nginx
# with its brotli_static module (make serve, the load test through the proxy).
sysdeps:
	@missing=""; \
	test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	test -r /usr/lib/nginx/modules/ngx_http_brotli_static_module.so \
	  || missing="$$missing libnginx-mod-http-brotli-static"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v mutool >/dev/null || missing="$$missing mupdf-tools"; \
	test -d /usr/share/fonts/opentype/noto || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Mutation testing of the core modules (mutmut, configured in pyproject.toml): slow, so not part
# of make test or CI; run it on a quiet machine. It resumes where it stopped; rm -r mutants/
# starts afresh. Ends with the score of each module (README "Mutation testing").
# MUTANTS='spatial.symbology.*' limits a run to some modules or functions (mutmut's name
# patterns; the mutants named are run again even if they have a result).
MUTATION_JOBS ?= 2
MUTANTS ?=
mutation: $(STAMP)
	nice -n 19 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(BIN)/python tests/mutation_report.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-load: $(STAMP)
	$(BIN)/python -m benchmarks --load

bench-site: $(STAMP)
	$(BIN)/python -m benchmarks.site

# The map as a static site in site/ (see README "A static site"): python -m http.server -d site
site: $(STAMP)
	$(BIN)/gzmap publish site

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
