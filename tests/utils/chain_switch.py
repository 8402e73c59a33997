"""Run a block of in-process (boa) EVM work as if on another chain.

Inside the block the ``CHAINID`` opcode, and the chain id ape signs with, read the given id;
deployed code and storage stay where they are. That is how the tests put a hub and its
domain chains, or an origin and a destination, in one in-process EVM.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def chain_id_of(env: Any, chain_id: int) -> Iterator[None]:
    """``with chain_id_of(env, 31338): ...`` (``env``: the boa provider's ``env``)."""
    previous = env.evm.patch.chain_id
    env.evm.patch.chain_id = chain_id
    try:
        yield
    finally:
        env.evm.patch.chain_id = previous
