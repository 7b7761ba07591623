# Rapport: build, run and check. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=
PIP    := $(PY) -m pip --quiet --disable-pip-version-check
# makemessages/compilemessages must not walk into the virtualenv, collected static files or benchmarks.
I18N_IGNORE := --ignore='.*' --ignore=var --ignore=node_modules --ignore=bench --ignore=tests --ignore=docs

# A .venv whose Python is missing, broken or older than 3.12 is not "installed", whatever its stamp says.
ifneq ($(shell $(PY) -c 'import sys; print(sys.version_info >= (3, 12))' 2>/dev/null),True)
$(shell rm -f $(STAMP))
endif

.PHONY: help venv run test lint typecheck messages lock clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv (Python >= 3.12) and install the locked requirements

# Rebuilt when a lock file changes. A missing .venv, or one made with a Python older than 3.12,
# is (re)created with the interpreter scripts/find-python picks.
$(STAMP): requirements.txt requirements-dev.txt
	@set -euo pipefail; \
	if ! [ -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python="$$(scripts/find-python)"; \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV); \
		"$$python" -m venv $(VENV); \
	fi; \
	echo "Installing requirements into $(VENV) (requirements-dev.txt)..."; \
	$(PIP) install --upgrade pip; \
	$(PIP) install -r requirements-dev.txt; \
	touch $@

run: venv ## serve Rapport like production on http://127.0.0.1:8000 (PORT=... to change)
	@scripts/run

test: venv ## run the test suite (ARGS="-k name" etc. are passed to pytest)
	$(PY) -m pytest $(ARGS)

lint: venv ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv ## mypy with django-stubs
	$(VENV)/bin/mypy

messages: venv ## update the Polish catalogue and compile all catalogues (.mo files are committed)
	$(PY) manage.py makemessages -l pl $(I18N_IGNORE)
	$(PY) manage.py compilemessages $(I18N_IGNORE)

lock: ## re-resolve requirements*.in into the pinned requirements*.txt (needs PyPI)
	scripts/lock

clean: ## remove .venv and collected static files (keeps the database in var/)
	rm -rf $(VENV) var/static
