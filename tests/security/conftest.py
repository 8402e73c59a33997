"""Fixtures of the attack tests: a second "chain" (the Notary and bus fixtures come from
tests/utils/fixtures/, registered in tests/conftest.py).

``as_chain(chain_id)`` runs a block as if the in-process EVM were another chain: the
``CHAINID`` opcode (and the chain id ape signs with) reads ``chain_id`` inside the block.
Deployed code and storage stay where they are, which is exactly the situation replay
attacks exploit: the same contract at the same address on two chains (a fork, or one
deployer key used on several chains). Only the in-process provider (boa) supports it.
"""

from __future__ import annotations

import pytest

from tests.utils.chain_switch import chain_id_of

CUSTOMS_CHAIN = 31338
TAX_CHAIN = 31339


@pytest.fixture
def as_chain(chain):
    """Context manager: ``with as_chain(31338): ...`` runs the block with that chain id."""
    env = getattr(chain.provider, "env", None)
    if env is None:
        pytest.skip("needs the in-process provider (boa) to switch chain ids")

    return lambda chain_id: chain_id_of(env, chain_id)
