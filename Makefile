# trustspace: the two commands a newcomer needs are `make demo` and `make test`.
# Both set everything up first (idempotent, seconds when nothing changed).

SHELL := /bin/bash
VENV := .venv/bin
export PATH := $(CURDIR)/.venv/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# pydantic-settings warns about one of ape-solidity's config fields on every start.
export PYTHONWARNINGS := ignore:Field 'import_remapping' has an incomplete definition

.PHONY: setup demo test lint typecheck unit fuzz compile bench chains-up chains-down clean coverage slither

setup:
	@tools/setup.sh

demo: setup
	$(VENV)/ape run demo

test: setup lint typecheck
	$(VENV)/ape test tests -p no:cacheprovider

lint: setup
	$(VENV)/ruff check trustspace tests scripts bench
	$(VENV)/ruff format --check trustspace tests scripts bench

typecheck: setup
	$(VENV)/mypy trustspace

unit: setup
	$(VENV)/ape test tests/unit

fuzz: setup
	HYPOTHESIS_PROFILE=deep $(VENV)/ape test tests/fuzz

# Statement coverage on anvil (tracing): ape's for Vyper (terminal + .build/coverage.xml),
# tools/solidity_coverage.py for Solidity (.trustspace/coverage-solidity.json).
# Figures and uncovered lines: docs/security-evidence.md. Not part of `make test`.
coverage: setup
	APE_TEST_XML=true $(VENV)/ape test tests/unit tests/security --network ethereum:local:foundry \
		--coverage -p tools.solidity_coverage -p no:cacheprovider

# Static analysis of the Solidity contracts (slither in its own venv; docs/security-evidence.md).
slither: setup
	tools/slither.sh

compile: setup
	$(VENV)/ape compile

bench: setup
	$(VENV)/python bench/tx_rate.py

chains-up: setup
	$(VENV)/trustspace chains up

chains-down:
	$(VENV)/trustspace chains down

clean:
	rm -rf .build contracts/.cache .trustspace .hypothesis
