"""The local chains every trustspace tool knows by name, below the SDK and the dev tooling.

The hub (31337) and two domain chains, customs (31338) and tax (31339), listen
on 127.0.0.1; ``trustspace chains up`` starts them (:mod:`trustspace.devnet.chains`)
and ``ape-config.yaml`` names them ``ethereum:hub:node`` and so on. Commands treat
these chain ids on this machine as local: no confirmation is asked before sending.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_CHAINS", "HOST", "LOCAL_CHAIN_IDS", "ChainSpec"]

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ChainSpec:
    """One local chain: its network name in ape-config.yaml, chain id and port."""

    name: str
    chain_id: int
    port: int

    @property
    def url(self) -> str:
        """The JSON-RPC URL of the node."""
        return f"http://{HOST}:{self.port}"


DEFAULT_CHAINS: tuple[ChainSpec, ...] = (
    ChainSpec("hub", 31337, 8545),
    ChainSpec("customs", 31338, 8546),
    ChainSpec("tax", 31339, 8547),
)

#: Chain ids of the local chains (and 1337, ape's in-process default).
LOCAL_CHAIN_IDS = frozenset({1337, *(spec.chain_id for spec in DEFAULT_CHAINS)})
