"""A bus deployment on local chains for tests, benches and demos (anvil's test mnemonic).

On every chain: a Consortium of five organisations (customs, tax, maritime,
forex, ministry) with one admin each and threshold 2, one validator key per
organisation holding VALIDATOR, and a MessageBus. Every bus knows every other
chain as an origin with the five validators and threshold 3, and addresses its
messages to every other chain's bus.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from trustspace.bus.config import BusConfig, ChainConfig
from trustspace.bus.web3tx import TxSender, connect
from trustspace.consortium.constants import Action, OrgKind, Role
from trustspace.consortium.governance import Decision, Governance
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import SuiteDeployer
from trustspace.devnet.chains import RunningChain, mnemonic_key
from trustspace.devnet.daemons import spawn_relayer, spawn_validator, stop

ORG_NAMES = ("Customs Authority", "Tax Administration", "Maritime Authority", "Forex Office",
             "Ministry of Trade")  # fmt: skip
ORG_KINDS = (OrgKind.CUSTOMS, OrgKind.TAX, OrgKind.MARITIME, OrgKind.FOREX, OrgKind.MINISTRY)
# Mnemonic indices: 0 deployer, 1-5 admins, 11-15 validators, 17 sender, 18 relayer.
ADMIN_INDICES = (1, 2, 3, 4, 5)
VALIDATOR_INDICES = (11, 12, 13, 14, 15)
SENDER_INDEX = 17
RELAYER_INDEX = 18
#: Validator organisations whose checkpoints every bus accepts (of five).
THRESHOLD = 3
#: Admin organisations a proposal needs on every chain (customs and tax approve).
GOVERNANCE_THRESHOLD = 2


@dataclass
class ChainDeployment:
    """What was deployed on one chain."""

    name: str
    chain_id: int
    url: str
    w3: Web3
    consortium: Contract
    bus: Contract
    extra: dict[str, Contract] = field(default_factory=dict)
    #: The deployment record, as :class:`SuiteDeployer` wrote it.
    record_path: Path | None = None


class LocalBus:
    """Deploys and governs the bus on several local chains (over web3.py, the daemons' stack).

    Deployment goes through the one deployer (:class:`SuiteDeployer` over web3.py,
    records in ``folder``, a temporary folder by default) and every governance
    change through the one loop (:class:`Governance` over web3.py).
    """

    def __init__(self, chains: Sequence[RunningChain], folder: Path | None = None) -> None:
        self.chains = list(chains)
        self.deployer = mnemonic_key(0)
        self.admins = [mnemonic_key(i) for i in ADMIN_INDICES]
        self.validators = [mnemonic_key(i) for i in VALIDATOR_INDICES]
        self.deployments: dict[str, ChainDeployment] = {}
        self.governance: dict[str, Governance[LocalAccount | TxSender, TxReceipt]] = {}
        self._tmp = (
            tempfile.TemporaryDirectory(prefix="trustspace-bus-") if folder is None else None
        )
        self.folder = Path(self._tmp.name) if self._tmp is not None else folder

    def sender(self, name: str, key: LocalAccount | None = None) -> TxSender:
        """A sender on chain ``name`` (the deployer key unless ``key`` is given)."""
        return TxSender(self.deployments[name].w3, key or self.deployer)

    def govern(
        self, name: str, action: Action, reason: str | bytes = "bus", **values: Any
    ) -> Decision[TxReceipt]:
        """Propose by the customs admin, approve by the tax admin, execute."""
        approvers = self.admins[:GOVERNANCE_THRESHOLD]
        return self.governance[name].decide(action, approvers=approvers, reason=reason, **values)

    def call_bus(
        self, name: str, fn: str, *args: Any, reason: str | bytes = "bus"
    ) -> Decision[TxReceipt]:
        """Governance makes the Consortium call the bus."""
        approvers = self.admins[:GOVERNANCE_THRESHOLD]
        return self.governance[name].decide_call(
            self.deployments[name].bus, fn, *args, approvers=approvers, reason=reason
        )

    def deploy(self) -> dict[str, ChainDeployment]:
        """Deploy on every chain and connect every pair."""
        agencies = tuple(zip(ORG_NAMES, ORG_KINDS, strict=True))
        config = local_config(self.admins, threshold=GOVERNANCE_THRESHOLD, agencies=agencies)
        for chain in self.chains:
            w3 = connect(chain.url)
            deployer = SuiteDeployer.over_web3(
                w3, self.deployer, config, folder=self.folder, replace_stale=True
            )
            suite = deployer.deploy(["Consortium", "MessageBus"])
            self.deployments[chain.name] = ChainDeployment(
                chain.name, chain.chain_id, chain.url, w3, suite.consortium, suite.bus,
                record_path=suite.path,
            )  # fmt: skip
            self.governance[chain.name] = Governance(suite.consortium)
            for org_id, key in enumerate(self.validators, start=1):
                self.govern(chain.name, Action.ADD_ACCOUNT, org_id=org_id, account=key.address)
                self.govern(
                    chain.name, Action.GRANT_ROLE, account=key.address, roles=Role.VALIDATOR
                )
        keys = sorted((k.address for k in self.validators), key=lambda a: int(a, 16))
        for dest in self.chains:
            for origin in self.chains:
                if origin.name != dest.name:
                    self.call_bus(
                        dest.name, "setValidators", origin.chain_id,
                        self.deployments[origin.name].bus.address, keys, THRESHOLD,
                    )  # fmt: skip
                    # Messages name the bus that may deliver them.
                    self.call_bus(
                        origin.name, "setDestinationBus", dest.chain_id,
                        self.deployments[dest.name].bus.address,
                    )  # fmt: skip
        return self.deployments

    def link_hub(self, hub: str = "hub") -> dict[str, Contract]:
        """Make chain ``hub`` govern organisations and every other chain follow it: a
        HubLink on each (deployed and recorded by the one deployer), each Consortium bound
        to its link, the hub's link allowed to dispatch and every domain registered (the
        snapshots are then dispatched, for the relayer to deliver). Returns the links."""
        agencies = tuple(zip(ORG_NAMES, ORG_KINDS, strict=True))
        hub_id = self.deployments[hub].chain_id
        links: dict[str, Contract] = {}
        order = [hub] + [name for name in self.deployments if name != hub]
        for name in order:
            dep = self.deployments[name]
            config = local_config(
                self.admins, threshold=GOVERNANCE_THRESHOLD, agencies=agencies,
                hub_chain=0 if name == hub else hub_id,
            )  # fmt: skip
            suite = SuiteDeployer.over_web3(dep.w3, self.deployer, config, folder=self.folder)
            links[name] = suite.deploy(["HubLink"]).contract("HubLink")
            dep.extra["hub_link"] = links[name]
        self.call_bus(hub, "setSender", links[hub].address, True)
        for name in order:
            self.govern(name, Action.BIND, target=links[name].address)
        for name in order[1:]:
            approvers = self.admins[:GOVERNANCE_THRESHOLD]
            self.governance[hub].decide_call(
                links[hub], "add_domain", self.deployments[name].chain_id, links[name].address,
                approvers=approvers, reason="domain",
            )  # fmt: skip
        return links

    def join(self, chain: RunningChain, hub: str = "hub") -> ChainDeployment:
        """A new domain chain joins a running consortium: its suite (Consortium, MessageBus,
        HubLink following ``hub``), the hub's validators accepted for the hub's messages,
        its Consortium bound; then the hub routes to it and registers it, which sends it the
        hub's organisation table. Only the hub's messages reach it (no other origin)."""
        agencies = tuple(zip(ORG_NAMES, ORG_KINDS, strict=True))
        hub_dep = self.deployments[hub]
        config = local_config(
            self.admins, threshold=GOVERNANCE_THRESHOLD, agencies=agencies,
            hub_chain=hub_dep.chain_id,
        )  # fmt: skip
        w3 = connect(chain.url)
        suite = SuiteDeployer.over_web3(w3, self.deployer, config, folder=self.folder).deploy(
            ["Consortium", "MessageBus", "HubLink"]
        )
        dep = ChainDeployment(
            chain.name, chain.chain_id, chain.url, w3, suite.consortium, suite.bus,
            extra={"hub_link": suite.contract("HubLink")}, record_path=suite.path,
        )  # fmt: skip
        self.deployments[chain.name] = dep
        self.governance[chain.name] = Governance(suite.consortium)
        for org_id, key in enumerate(self.validators, start=1):
            self.govern(chain.name, Action.ADD_ACCOUNT, org_id=org_id, account=key.address)
            self.govern(chain.name, Action.GRANT_ROLE, account=key.address, roles=Role.VALIDATOR)
        keys = sorted((k.address for k in self.validators), key=lambda a: int(a, 16))
        self.call_bus(
            chain.name, "setValidators", hub_dep.chain_id, hub_dep.bus.address, keys, THRESHOLD
        )
        self.govern(chain.name, Action.BIND, target=dep.extra["hub_link"].address)
        self.call_bus(hub, "setDestinationBus", chain.chain_id, suite.bus.address)
        self.governance[hub].decide_call(
            hub_dep.extra["hub_link"], "add_domain", chain.chain_id,
            dep.extra["hub_link"].address, approvers=self.admins[:GOVERNANCE_THRESHOLD],
            reason="domain joins",
        )  # fmt: skip
        return dep

    def allow_sender(self, name: str, sender: str) -> Decision[TxReceipt]:
        """Let ``sender`` dispatch on chain ``name``."""
        return self.call_bus(name, "setSender", Web3.to_checksum_address(sender), True)


def write_config(deployments: dict[str, ChainDeployment], folder: Path) -> Path:
    """A bus config for these deployments, with signatures and database in ``folder``."""
    config = BusConfig(
        chains={
            name: ChainConfig(name, dep.url, str(dep.bus.address), dep.chain_id)
            for name, dep in deployments.items()
        },
        signatures=folder / "signatures",
        database=folder / "relay.sqlite",
    )
    path = folder / "bus.json"
    config.write(path)
    return path


__all__ = [
    "ADMIN_INDICES",
    "GOVERNANCE_THRESHOLD",
    "RELAYER_INDEX",
    "SENDER_INDEX",
    "THRESHOLD",
    "VALIDATOR_INDICES",
    "ChainDeployment",
    "LocalBus",
    "mnemonic_key",
    "spawn_relayer",
    "spawn_validator",
    "stop",
    "write_config",
]
