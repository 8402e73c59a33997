# trustspace: the two commands a newcomer needs are `make demo` and `make test`.
# Both set everything up first (idempotent, seconds when nothing changed).

SHELL := /bin/bash
VENV := .venv/bin
export PATH := $(CURDIR)/.venv/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# pydantic-settings warns about one of ape-solidity's config fields on every start.
export PYTHONWARNINGS := ignore:Field 'import_remapping' has an incomplete definition

.PHONY: setup demo test lint typecheck unit fuzz compile bench chains-up chains-down clean abi deploy coverage slither

setup:
	@tools/setup.sh

demo: setup
	$(VENV)/ape run demo

# Two pytest runs side by side, one per core (tools/test.sh says how the suite is split).
test: setup lint typecheck
	tools/test.sh $(TEST_ARGS)

lint: setup
	$(VENV)/ruff check trustspace tests scripts bench tools
	$(VENV)/ruff format --check trustspace tests scripts bench tools

# The package strictly, tests/, scripts/ and bench/ without required annotations: the set and
# the flags are in pyproject.toml ([tool.mypy] files and overrides).
typecheck: setup
	$(VENV)/mypy

unit: setup
	$(VENV)/ape test tests/unit

fuzz: setup
	HYPOTHESIS_PROFILE=deep $(VENV)/ape test tests/fuzz

# Statement coverage on anvil (tracing) by tools/contract_coverage.py: Solidity statements
# and Vyper executable lines, from one set of traces (.trustspace/coverage-solidity.json).
# ape's own --coverage is not used: it has no Solidity support, its Vyper pcmap does not
# match the code, and it keeps every trace in memory (OOM-killed at 22 GB here).
# Figures: docs/security-evidence.md. Not part of `make test`.
coverage: setup
	$(VENV)/ape test tests/unit tests/security --network ethereum:local:foundry \
		-k "not 1000_changes" -p tools.contract_coverage -p no:cacheprovider

# Static analysis of the Solidity contracts (slither in its own venv; docs/security-evidence.md).
slither: setup
	tools/slither.sh

compile: setup
	$(VENV)/ape compile

# abi/*.json and the manifest shipped in the package, from a fresh build (CI checks both).
abi: setup
	$(VENV)/python -m trustspace.devnet.abi_export

# Deploy (or complete) the suite on NETWORK, e.g. `make deploy NETWORK=ethereum:customs:node`.
NETWORK ?= ethereum:hub:node
deploy: setup
	$(VENV)/ape run deploy suite --network $(NETWORK) $(DEPLOY_ARGS)

# Every benchmark (tx rate, gas of every contract, relayer, tooling) into bench/results.json,
# rendered to docs/performance.md (several minutes). BENCH_SKIP_TESTS=1 leaves out the
# test-suite timing; BENCH_ARGS=--quick shrinks every size.
bench: setup
	$(VENV)/python -m bench.run $(BENCH_ARGS)

chains-up: setup
	$(VENV)/trustspace chains up

chains-down:
	$(VENV)/trustspace chains down

clean:
	rm -rf .build contracts/.cache .trustspace .hypothesis
