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

.PHONY: install run test test-pg lint format bench fuzz messages clean

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

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/python $$f || exit 1; done

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
