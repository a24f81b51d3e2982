# EstateDesk. `make run` and `make test` work on a fresh clone (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=
XDIST ?= -n 2

.PHONY: install run test test-pg lint format bench bench-scale bench-tools backup-check fuzz messages clean

# The development machine's local settings (gitignored), read by estate/settings.py so that
# `.venv/bin/python manage.py …` runs as the README writes it. Never on a server.
.env:
	@printf '%s\n' '# Local development settings written by `make run`; never commit, never on a server.' 'DEBUG=1' > .env

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) .env

run: $(STAMP) .env
	@$(BIN)/python manage.py migrate --noinput -v 0
	@$(BIN)/python manage.py seed_demo --if-empty --estates 2 --months 6 --seed 1
	@echo ""
	@echo "  EstateDesk: http://127.0.0.1:$(PORT)/"
	@echo "  Log in as hy01-manager / demo1234 (front desk: hy01-frontdesk, finance: hy01-finance; admin: admin)"
	@echo "  API docs:   http://127.0.0.1:$(PORT)/api/v1/docs"
	@echo ""
	@$(BIN)/python manage.py run_huey -q & huey=$$!; \
	  trap 'kill $$huey 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test-pg: $(STAMP)
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks (QUALITY.md). Each builds its own PostgreSQL database on the local server.
# `make bench`: every bench/*.py on small data (`--small`), a few minutes, a smoke run.
# `make bench-scale`: the scale data set and every figure of QUALITY.md (a quiet machine).
BENCH_LOG := var/bench
BENCH_SEED_URL ?= postgres://postgres@127.0.0.1:5432/ed_bench_seed

# hey or wrk (compiled HTTP clients) drive bench/api_load.py; installed from Debian as root.
bench-tools:
	@if command -v hey >/dev/null || command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q hey wrk >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && apt-get install -y -q hey wrk >/dev/null; }; \
	else echo "hey/wrk missing (as root: apt-get install -y hey wrk); api_load.py uses its own client"; fi

bench: $(STAMP) bench-tools
	@failed=""; skipped=""; \
	for f in bench/*.py; do \
	  if ! grep -q -- '--small' $$f; then skipped="$$skipped $$f"; echo "== $$f: no --small, skipped"; continue; fi; \
	  echo "== $$f --small"; $(BIN)/python $$f --small || failed="$$failed $$f"; \
	done; \
	if [ -n "$$skipped" ]; then echo "without --small (not run):$$skipped"; fi; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi

# The scale data first (kept for the plans), then every bench at full size; at the end every
# `name: value` figure again, with the load average each bench printed beside its own.
bench-scale: $(STAMP) bench-tools
	@mkdir -p $(BENCH_LOG); failed=""; \
	run() { name=$$(basename $$1 .py); echo "== $$*"; \
	  { $(BIN)/python "$$@"; echo $$? >$(BENCH_LOG)/$$name.rc; } 2>&1 | tee $(BENCH_LOG)/$$name.log; \
	  [ "$$(cat $(BENCH_LOG)/$$name.rc)" = 0 ] || failed="$$failed $$1"; }; \
	run bench/seed_scale.py; \
	run bench/plans.py --database $(BENCH_SEED_URL); \
	for f in bench/*.py; do \
	  case $$f in bench/seed_scale.py|bench/plans.py) continue;; esac; run $$f; \
	done; \
	echo ""; echo "== every figure (also in $(BENCH_LOG)/)"; \
	for log in $(BENCH_LOG)/*.log; do grep -E '^[a-z0-9_]+: ' $$log; done; \
	if [ -n "$$failed" ]; then echo "MISSED or FAILED:$$failed"; exit 1; fi

# pg_dump / pg_restore of a small seeded database into a new one, every table's rows compared.
PG_SERVER ?= postgres://postgres@127.0.0.1:5432
BACKUP_CHECK_URL := $(PG_SERVER)/ed_backup_check
backup-check: $(STAMP)
	@psql "$(PG_SERVER)/postgres" -XAq -c 'DROP DATABASE IF EXISTS ed_backup_check WITH (FORCE)' -c 'CREATE DATABASE ed_backup_check'
	@DATABASE_URL=$(BACKUP_CHECK_URL) DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 0
	@DATABASE_URL=$(BACKUP_CHECK_URL) DEBUG=1 $(BIN)/python manage.py seed_demo --estates 2 --months 2 --units-per-estate 40 --seed 1 >/dev/null
	ops/backup_restore_check.sh $(BACKUP_CHECK_URL)

messages: $(STAMP)
	@for d in estate residents repairs fees renovation community; do \
	  (cd $$d && mkdir -p locale && DEBUG=1 ../$(BIN)/python ../manage.py makemessages -l zh_Hans -l en --no-obsolete -i 'migrations/*' >/dev/null); done
	DEBUG=1 $(BIN)/python manage.py compilemessages -v 0

# Many more API fuzz examples than `make test` runs (random, not the fixed sample).
FUZZ_EXAMPLES ?= 500
fuzz: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest $(XDIST) tests/estate/test_api_fuzz.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
