# Thin wrappers over scripts/. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Every scale on both databases, tables into docs/PERFORMANCE.md (about 45 minutes);
# `make bench BENCH_ARGS="run --scale regional --backend sqlite"` for a quick one.
BENCH_ARGS ?= run --update-docs
# Then the multi-node test at a large size and throughput per number of app
# servers (bench/scale_out.py, about 10 minutes); SCALE_ARGS= skips it.
SCALE_ARGS ?= scale --scale province --update-docs
# Links in mails and feeds point to the public address; locally, this one.
DEV_ENV = TECHNIEKPOORT_BASE_URL="$${TECHNIEKPOORT_BASE_URL:-http://127.0.0.1:$(PORT)}"

.PHONY: run dev test lint bench install install-test vendor translations clean

run: install
	PORT=$(PORT) scripts/run.sh

dev: install
	$(DEV_ENV) $(BIN)/flask --app wsgi db upgrade
	$(DEV_ENV) $(BIN)/flask --app wsgi demo load --if-empty
	$(DEV_ENV) $(BIN)/flask --app wsgi run --debug --port $(PORT)

test: install-test
	scripts/ensure-chromium.sh
	scripts/ensure-redis.sh
	scripts/ensure-nginx.sh
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} --dist loadgroup $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts

bench: install-test
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(if $(SCALE_ARGS),scripts/ensure-nginx.sh && $(BIN)/python -m bench $(SCALE_ARGS))

install: $(VENV)/.installed vendor translations
install-test: $(VENV)/.installed-test vendor translations

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

vendor: app/static/vendor/.installed
app/static/vendor/.installed: package.json package-lock.json scripts/vendor.sh
	scripts/vendor.sh
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile --use-fuzzy -d app/translations

clean:
	rm -rf $(VENV) node_modules app/static/vendor
