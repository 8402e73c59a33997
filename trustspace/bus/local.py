"""A bus deployment on local chains for tests, benches and demos (anvil's test mnemonic).

On every chain: a Consortium of five organisations (customs, tax, maritime,
forex, ministry) with one admin each and threshold 2, one validator key per
organisation holding VALIDATOR, and a MessageBus. Every bus knows every other
chain as an origin with the five validators and threshold 3, and addresses its
messages to every other chain's bus.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from trustspace.bus.config import BusConfig, ChainConfig
from trustspace.bus.web3tx import TxSender, connect
from trustspace.chains import MNEMONIC, RunningChain
from trustspace.governance import OrgSeed, constructor_args, encode_args, reason_hash
from trustspace.roles import Action, OrgKind, Role
from trustspace.toolchain import project_root

Account.enable_unaudited_hdwallet_features()

ORG_NAMES = ("Customs Authority", "Tax Administration", "Maritime Authority", "Forex Office",
             "Ministry of Trade")  # fmt: skip
ORG_KINDS = (OrgKind.CUSTOMS, OrgKind.TAX, OrgKind.MARITIME, OrgKind.FOREX, OrgKind.MINISTRY)
# Mnemonic indices: 0 deployer, 1-5 admins, 11-15 validators, 17 sender, 18 relayer.
ADMIN_INDICES = (1, 2, 3, 4, 5)
VALIDATOR_INDICES = (11, 12, 13, 14, 15)
SENDER_INDEX = 17
RELAYER_INDEX = 18
RECIPIENT_GAS = 200_000
THRESHOLD = 3


def mnemonic_key(index: int) -> LocalAccount:
    """Key ``index`` of anvil's test mnemonic (local chains only)."""
    account: LocalAccount = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return account


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


class LocalBus:
    """Deploys and governs the bus on several local chains."""

    def __init__(self, chains: Sequence[RunningChain]) -> None:
        self.chains = list(chains)
        self.deployer = mnemonic_key(0)
        self.admins = [mnemonic_key(i) for i in ADMIN_INDICES]
        self.validators = [mnemonic_key(i) for i in VALIDATOR_INDICES]
        self.deployments: dict[str, ChainDeployment] = {}

    def sender(self, name: str, key: LocalAccount | None = None) -> TxSender:
        return TxSender(self.deployments[name].w3, key or self.deployer)

    def govern(self, name: str, action: Action, **values: Any) -> None:
        """Propose by the customs admin, approve by the tax admin, execute."""
        dep = self.deployments[name]
        first, second = TxSender(dep.w3, self.admins[0]), TxSender(dep.w3, self.admins[1])
        c = dep.consortium
        receipt = first.transact(
            c.functions.propose(int(action), encode_args(action, **values), reason_hash("bus"))
        )
        (event,) = c.events.Proposed().process_receipt(receipt, errors=DISCARD)
        pid = event["args"]["proposal_id"]
        second.transact(c.functions.approve(pid))
        first.transact(c.functions.execute(pid))

    def call_bus(self, name: str, fn: str, *args: Any) -> None:
        """Governance makes the Consortium call the bus."""
        bus = self.deployments[name].bus
        data = getattr(bus.functions, fn)(*args)._encode_transaction_data()
        self.govern(name, Action.CALL, target=bus.address, data=data)

    def deploy(self) -> dict[str, ChainDeployment]:
        """Deploy on every chain and connect every pair."""
        seeds = [
            OrgSeed(n, k, [a.address])
            for n, k, a in zip(ORG_NAMES, ORG_KINDS, self.admins, strict=True)
        ]
        for chain in self.chains:
            w3 = connect(chain.url)
            tx = TxSender(w3, self.deployer)
            consortium = tx.deploy("Consortium", *constructor_args(seeds, 2, 7 * 86400))
            bus = tx.deploy("MessageBus", consortium.address, RECIPIENT_GAS)
            self.deployments[chain.name] = ChainDeployment(
                chain.name, chain.chain_id, chain.url, w3, consortium, bus
            )
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

    def allow_sender(self, name: str, sender: str) -> None:
        """Let ``sender`` dispatch on chain ``name``."""
        self.call_bus(name, "setSender", Web3.to_checksum_address(sender), True)


def write_config(deployments: dict[str, ChainDeployment], folder: Path) -> Path:
    """A bus config for these deployments, with signatures and database in ``folder``."""
    config = BusConfig(
        chains={
            name: ChainConfig(name, dep.url, str(dep.bus.address))
            for name, dep in deployments.items()
        },
        signatures=folder / "signatures",
        database=folder / "relay.sqlite",
    )
    path = folder / "bus.json"
    config.write(path)
    return path


def _daemon_env(key: LocalAccount, variable: str) -> dict[str, str]:
    env = dict(os.environ)
    root = str(project_root())
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env[variable] = key.key.hex()
    return env


def spawn_validator(
    config: Path, chain: str, key: LocalAccount, confirmations: int = 0, poll: float = 0.2
) -> subprocess.Popen[bytes]:
    """Start ``trustspace validator run`` as its own process."""
    command = [
        sys.executable, "-m", "trustspace.bus", "validator", "run", "--config", str(config),
        "--chain", chain, "--confirmations", str(confirmations), "--poll", str(poll),
    ]  # fmt: skip
    log = (config.parent / f"validator-{chain}-{key.address[:8]}.log").open("ab")
    return subprocess.Popen(
        command, env=_daemon_env(key, "TRUSTSPACE_VALIDATOR_KEY"), cwd=project_root(),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def spawn_relayer(
    config: Path, key: LocalAccount, *extra: str, poll: float = 0.2
) -> subprocess.Popen[bytes]:
    """Start ``trustspace relay run`` as its own process."""
    command = [sys.executable, "-m", "trustspace.bus", "relay", "run", "--config", str(config),
               "--poll", str(poll), *extra]  # fmt: skip
    log = (config.parent / "relayer.log").open("ab")
    return subprocess.Popen(
        command, env=_daemon_env(key, "TRUSTSPACE_RELAYER_KEY"), cwd=project_root(),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a daemon started here with SIGTERM, SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
