"""The local chains every trustspace tool knows by name, below the SDK and the dev tooling.

The hub (31337) and two domain chains, customs (31338) and tax (31339), listen
on 127.0.0.1; ``trustspace chains up`` starts them (:mod:`trustspace.devnet.chains`)
and ape knows them as ``ethereum:hub:node`` and so on: ``ape-config.yaml`` names
them inside the checkout, and :func:`install_in_ape` registers them in any other
folder (under the user's own ape configuration, which wins where both speak).
Both ask for no confirmations: anvil mines a block only when a transaction
arrives, so waiting for one more block would wait forever. Commands treat these
chain ids on this machine as local: no confirmation is asked before sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_CHAINS",
    "HOST",
    "LOCAL_CHAIN_IDS",
    "LOCAL_VALIDATOR_INDICES",
    "LOCAL_VALIDATOR_THRESHOLD",
    "TEST_MNEMONIC",
    "ChainSpec",
    "ape_settings",
    "install_in_ape",
    "local_spec",
]

HOST = "127.0.0.1"
#: The mnemonic of anvil's (and ape's) well-known development accounts.
TEST_MNEMONIC = "test test test test test test test test test test test junk"


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

#: The local validator committee: test accounts 11-15, one key per local agency; 3 of the
#: 5 organisations sign a checkpoint (the demo and ``trustspace deploy wire`` locally).
LOCAL_VALIDATOR_INDICES = (11, 12, 13, 14, 15)
LOCAL_VALIDATOR_THRESHOLD = 3

#: Chain ids of the local chains (and 1337, ape's in-process default).
LOCAL_CHAIN_IDS = frozenset({1337, *(spec.chain_id for spec in DEFAULT_CHAINS)})


def local_spec(name: str) -> ChainSpec | None:
    """The built-in local chain called ``name`` (``customs``), None for any other name."""
    return next((spec for spec in DEFAULT_CHAINS if spec.name == name), None)


def ape_settings(specs: Sequence[ChainSpec] = DEFAULT_CHAINS) -> dict[str, Any]:
    """ape configuration naming ``specs`` as ``ethereum:<name>:node`` with no confirmations."""
    return {
        "networks": {
            "custom": [
                {
                    "name": s.name,
                    "chain_id": s.chain_id,
                    "ecosystem": "ethereum",
                    "default_provider": "node",
                }
                for s in specs
            ]
        },
        "ethereum": {
            s.name: {"default_provider": "node", "required_confirmations": 0} for s in specs
        },
        "node": {"ethereum": {s.name: {"uri": s.url} for s in specs}},
        # The dev accounts anvil funds (TEST::0 … TEST::19), as in ape-config.yaml.
        "test": {"mnemonic": TEST_MNEMONIC, "number_of_accounts": 20},
    }


def install_in_ape(specs: Sequence[ChainSpec] = DEFAULT_CHAINS) -> None:
    """Make ape know the local chains in every folder, before it first reads its configuration.

    The settings go *under* the user's global ape configuration (``~/.ape/ape-config.yaml``),
    which in turn sits under a project's ``ape-config.yaml``: a user who defines ``customs``
    differently keeps their definition. Custom network lists are joined by name, not replaced.
    """
    from ape import config as ape_config
    from ape.api.config import ApeConfig
    from ape.managers.config import merge_configs

    user = ape_config.load_global_config().model_dump(by_alias=True)
    ours = ape_settings(specs)
    merged = merge_configs(ours, user)
    theirs = list(user.get("networks", {}).get("custom") or [])
    named = {(n.get("ecosystem"), n.get("name")) for n in theirs}
    merged.setdefault("networks", {})["custom"] = theirs + [
        n for n in ours["networks"]["custom"] if (n["ecosystem"], n["name"]) not in named
    ]
    ape_config.__dict__["global_config"] = ApeConfig.model_validate(merged)
