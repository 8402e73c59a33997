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

# Statement coverage on anvil (tracing), in two runs: ape's coverage for the Vyper contracts
# (terminal + .build/coverage.xml), then tools/solidity_coverage.py for the Solidity ones
# (.trustspace/coverage-solidity.json). One combined run keeps every trace ape fetches in
# memory and was OOM-killed at 22 GB. Figures: docs/security-evidence.md. Not in `make test`.
coverage: setup
	APE_TEST_XML=true $(VENV)/ape test tests/unit/consortium tests/unit/did \
		tests/security/test_governance_races.py tests/security/test_did_replay.py \
		--network ethereum:local:foundry --coverage -k "not 1000_changes" -p no:cacheprovider
	$(VENV)/ape test tests/unit/notary tests/unit/bus tests/security \
		--network ethereum:local:foundry -p tools.solidity_coverage -p no:cacheprovider

# Static analysis of the Solidity contracts (slither in its own venv; docs/security-evidence.md).
slither: setup
	tools/slither.sh

compile: setup
	$(VENV)/ape compile

# abi/*.json and the manifest shipped in the package, from a fresh build (CI checks both).
abi: setup
	$(VENV)/python -m trustspace.abi_export

# Deploy (or complete) the suite on NETWORK, e.g. `make deploy NETWORK=ethereum:customs:node`.
NETWORK ?= ethereum:hub:node
deploy: setup
	$(VENV)/ape run deploy suite --network $(NETWORK) $(DEPLOY_ARGS)

bench: setup
	$(VENV)/python bench/tx_rate.py
	$(VENV)/python bench/gas_bus.py
	$(VENV)/python bench/relay_rate.py

chains-up: setup
	$(VENV)/trustspace chains up

chains-down:
	$(VENV)/trustspace chains down

clean:
	rm -rf .build contracts/.cache .trustspace .hypothesis
