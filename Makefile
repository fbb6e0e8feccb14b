# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint checklist install install-test assets clean bench load sbom audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# npm packages: accessible-autocomplete (the type-ahead pickers, served from static/) and
# axe-core (accessibility rules the browser tests inject into pages).
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

## make assets: copy the pickers' accessible-autocomplete JS and CSS into static/vendor/
## (git-ignored; production builds it once, docs/deployment.md)
AUTOCOMPLETE := static/vendor/accessible-autocomplete
$(AUTOCOMPLETE)/.copied: node_modules/.installed
	mkdir -p $(AUTOCOMPLETE)
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js \
	   node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css \
	   node_modules/accessible-autocomplete/LICENSE.txt $(AUTOCOMPLETE)/
	touch $@

assets: $(AUTOCOMPLETE)/.copied
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test assets

## make run: install, migrate, seed the demo school when empty, serve on 127.0.0.1:$(PORT);
## beside it a local SMTP server (aiosmtpd, 127.0.0.1:$(MAIL_PORT)) that keeps every e-mail in
## instance/mail/ (a Maildir: open instance/mail/new/), and the mail worker; both stop with it.
MAIL_PORT ?= 8025
run: export MAIL_SERVER ?= 127.0.0.1
run: export MAIL_PORT := $(MAIL_PORT)
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install assets
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	mkdir -p instance/mail/new instance/mail/cur instance/mail/tmp
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(MAIL_PORT) -c aiosmtpd.handlers.Mailbox instance/mail & \
	smtp=$$!; $(BIN)/flask send-mail --watch & worker=$$!; \
	trap 'kill $$smtp $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## make test: install test dependencies and run the whole suite (TEST_DATABASE_URL for PostgreSQL)
## on every core (pytest-xdist; one file per worker, each worker with its own database);
## TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

## make bench: time docs/design.md section 12's targets on the trust dataset (built once into
## bench/cache/);
## PostgreSQL too when BENCH_DATABASE_URL names a database of its own. Writes bench/results.json.
## Its "tasks" step drives everyday tasks in Debian's Chromium (the pickers' assets served from
## static/vendor/) and writes bench/tasks.json.
bench: $(VENV)/.installed-test assets
	$(BIN)/python -m bench.run

## make load: 50 signed-in staff for 60 s against gunicorn (4 workers) on 127.0.0.1, rate limits
## in Redis (127.0.0.1:6379/15), then again while a leader downloads the whole-year export every
## 10 s; SQLite, and PostgreSQL with BENCH_DATABASE_URL. No errors, nothing lost.
load: $(VENV)/.installed-test
	$(BIN)/python -m bench.load.run

## make sbom: a CycloneDX bill of materials of the installed packages (offline) in sbom.cdx.json
# Both tools live in a venv of their own so they never appear in the list they make.
TOOLS := .venv-tools/bin
$(TOOLS)/python:
	$(PYTHON) -m venv .venv-tools
	$(TOOLS)/pip install --quiet cyclonedx-bom pip-audit

sbom: $(VENV)/.installed $(TOOLS)/python
	$(TOOLS)/cyclonedx-py environment --pyproject pyproject.toml --output-file sbom.cdx.json $(BIN)/python

## make audit: check the installed packages against known vulnerabilities (needs the internet)
audit: $(VENV)/.installed $(TOOLS)/python
	$(TOOLS)/pip-audit --skip-editable --path $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m tests.checklist --check
	$(BIN)/ruff format --check .

## make checklist: rewrite docs/security-checklist.md from the tests' @pytest.mark.requirement markers
checklist: $(VENV)/.installed-test
	$(BIN)/python -m tests.checklist

clean:
	rm -rf $(VENV) .venv-tools $(AUTOCOMPLETE) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .hypothesis
