"""Fixtures of the attack tests: the Notary and bus fixtures of the unit tests, a second "chain".

``as_chain(chain_id)`` runs a block as if the in-process EVM were another chain: the
``CHAINID`` opcode (and the chain id ape signs with) reads ``chain_id`` inside the block.
Deployed code and storage stay where they are, which is exactly the situation replay
attacks exploit: the same contract at the same address on two chains (a fork, or one
deployer key used on several chains). Only the in-process provider (boa) supports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

# The Notary and bus fixtures the attack tests share with the unit tests and the machines
# (defined once in tests/utils/fixtures/; drop these imports once tests/conftest.py lists those
# modules in ``pytest_plugins``).
from tests.utils.fixtures.bus import (  # noqa: F401  (fixtures)
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
from tests.utils.fixtures.notary import (  # noqa: F401  (fixtures)
    client,
    digest,
    enroll,
    maritime_notary,
    notary,
    notary_consortium,
    notary_gov,
    notary_wallet,
    schema_id,
    wallet_owner,
)

CUSTOMS_CHAIN = 31338
TAX_CHAIN = 31339


@pytest.fixture
def as_chain(chain):
    """Context manager: ``with as_chain(31338): ...`` runs the block with that chain id."""
    env = getattr(chain.provider, "env", None)
    if env is None:
        pytest.skip("needs the in-process provider (boa) to switch chain ids")

    @contextmanager
    def switch(chain_id: int) -> Iterator[None]:
        previous = env.evm.patch.chain_id
        env.evm.patch.chain_id = chain_id
        try:
            yield
        finally:
            env.evm.patch.chain_id = previous

    return switch
