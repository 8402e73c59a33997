"""MessageBus unit-test fixtures (shared with tests/security through harness.py)."""

from tests.unit.bus.harness import (  # noqa: F401  (fixtures)
    bus_approvers,
    bus_gov,
    bus_sender,
    bus_setup,
    five_org_consortium,
    noop,
    origin_sim,
    recorder,
    relayer,
    stranger_key,
    three_signers,
    validator_keys,
)
