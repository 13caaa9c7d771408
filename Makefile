# ModelPress. `make run` serves the demo site; `make test` runs every check CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/modelpress
HOST ?= 127.0.0.1
PORT ?= 8000
EDGE_PORT ?= 6081
# pytest-xdist processes per pass, one per core: the suite keeps both busy.
TEST_WORKERS ?= 2
# The workers steal queued tests from each other; the long ones are collected first (tests/conftest.py).
PYTEST = $(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The first interpreter that is Python 3.12 or newer: python3.13, python3.12, python3, then any
# pyenv-installed 3.12+ (pyenv shims exist for versions that are installed but not selected).
FIND_PYTHON = for c in python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$c"; break; fi; done

.PHONY: run serve serve-edge test test-fast test-sqlite test-postgres lint format install bench bench-quick clean

$(PY):
	@py="$$($(FIND_PYTHON))"; \
	if [ -z "$$py" ]; then echo "ModelPress needs Python 3.12 or newer; none found (tried python3.13, python3.12, python3)." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" --version))"; "$$py" -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(PY)
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

# The local settings that manage.py (and wsgi/asgi) read, so every command in README works in
# a plain shell: DJANGO_DEBUG=1 and a secret key of this checkout's own (config/local_env.py).
# Written once, never overwritten, never committed; a variable exported in the shell wins.
.env: | $(VENV)/.installed
	$(PY) -m config.local_env

run: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

.secret_key:
	$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# The same site production-style: gunicorn, DEBUG off, static files hashed and compressed
# by whitenoise, and a task worker (mail, edge purges) beside it, stopped with it. Plain HTTP
# on 127.0.0.1, so no redirect to HTTPS and no Secure-only cookies.
serve: install .secret_key
	export DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(cat .secret_key)" \
		DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 EMAIL_URL="$${EMAIL_URL:-console://}"; \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py load_demo --no-accounts && \
	{ $(PY) manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn config.wsgi --workers 2 --bind $(HOST):$(PORT) --access-logfile -; }

# Varnish (config/edge/modelpress.vcl, Debian's varnish + varnish-modules for xkey) on
# $(HOST):$(EDGE_PORT) in front of `make serve`'s gunicorn on 127.0.0.1:$(PORT); every write
# purges the keys it changed there (EDGE_PURGE_URLS, through the task worker).
serve-edge: install .secret_key
	@command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ] || { echo "varnishd not found: apt-get install varnish varnish-modules" >&2; exit 1; }
	export DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(cat .secret_key)" \
		DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 EMAIL_URL="$${EMAIL_URL:-console://}" \
		EDGE_PURGE_URLS="http://127.0.0.1:$(EDGE_PORT)/"; \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py load_demo --no-accounts && \
	{ edge="$$(mktemp -d)"; \
	  sed -e 's/BACKEND_HOST/127.0.0.1/' -e 's/BACKEND_PORT/$(PORT)/' config/edge/modelpress.vcl > "$$edge/modelpress.vcl"; \
	  $(PY) manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	  $(VENV)/bin/gunicorn config.wsgi --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - & web=$$!; \
	  trap 'kill $$worker $$web 2>/dev/null; rm -rf "$$edge"' EXIT INT TERM; \
	  echo "Varnish on http://$(HOST):$(EDGE_PORT)/ in front of gunicorn on 127.0.0.1:$(PORT)"; \
	  "$$(command -v varnishd || echo /usr/sbin/varnishd)" -F -j none -n "$$edge/n" -a $(HOST):$(EDGE_PORT) \
		-f "$$edge/modelpress.vcl" -s malloc,256m -p http_req_hdr_len=16k -p default_grace=0; }

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test-sqlite: install
	$(PYTEST)

# PostgreSQL is where production runs. Locally, an unreachable server skips this step with a
# warning; in CI (CI=true) it fails the run instead.
test-postgres: install
	@if $(PY) -c 'import psycopg, sys; psycopg.connect("$(PG_URL:modelpress=postgres)", connect_timeout=3).close()' 2>/dev/null; then \
		echo "== PostgreSQL =="; DATABASE_URL="$(PG_URL)" $(PYTEST); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is not reachable and CI=true: failing." >&2; exit 1; \
	else \
		echo "WARNING: PostgreSQL at $(PG_URL) is not reachable; the PostgreSQL run was skipped." >&2; \
	fi

# The edit loop: SQLite only; no browser, no load test, nothing that needs Java (vnu.jar).
FAST_SKIP := --ignore=tests/browser --ignore=tests/test_html_valid.py \
	--ignore=tests/performance/test_load_with_writes.py --ignore=tests/performance/test_two_servers.py
test-fast: install
	env -u DATABASE_URL $(PYTEST) -m "not browser" $(FAST_SKIP)

test: lint
	@echo "== SQLite =="
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Benchmarks (bench/README.md): a generated site, gunicorn with 2 workers, wrk on 127.0.0.1.
BENCH_ARTICLES ?= 100000
BENCH_MODELS ?= 10000
BENCH_TAGS ?= 5000
BENCH_AUTHORS ?= 50
BENCH_DATABASES ?= sqlite,postgres
BENCH_DURATION ?= 10s
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/modelpress_bench
BENCH_ARGS = --articles $(BENCH_ARTICLES) --models $(BENCH_MODELS) --tags $(BENCH_TAGS) \
	--authors $(BENCH_AUTHORS) --databases $(BENCH_DATABASES) --duration $(BENCH_DURATION) \
	--pg-url $(BENCH_PG_URL) $(if $(BENCH_REUSE),--reuse)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

bench-quick:
	$(MAKE) --no-print-directory bench BENCH_ARTICLES=1000

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
