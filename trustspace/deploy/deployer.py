"""Deploy the trustspace suite on one network, idempotently, and record it.

Order and wiring (each contract is recorded the moment its transaction is mined):

1. ``Consortium`` seeded from a :class:`SuiteConfig` (the deployer keeps no power);
2. ``DIDRegistryFactory``, then ``DIDRegistry`` through the factory (CREATE2 salted
   by the chain id, so the registry address differs on every chain, see docs/did.md);
3. ``Notary(consortium)``.

Re-running reads the record (:mod:`trustspace.deploy.records`), checks every recorded
address still holds the recorded code, and deploys only what is missing. A
contract recorded as *pending* (transaction signed and sent, receipt not yet
seen) is completed from the chain instead of being deployed twice. A record
for another chain id, or whose contracts have no code (a reset chain), is
reported and nothing is sent, unless ``replace_stale`` moves the old record aside.

This is the one deployer: the ape paths (``ape run deploy``, the demo, the console
and single-chain tests) and the web3.py paths (the multi-chain bus set-ups) reach
it through the two ports of :mod:`trustspace.deploy.stacks`; an unrecorded deploy
(:func:`deploy_contract`, :func:`deploy_did_registry`) takes the same steps
without the record. Nothing here assumes anvil: any EVM JSON-RPC node works.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast
from urllib.parse import urlparse

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.consortium.governance import constructor_args
from trustspace.deploy.config import (
    CONTRACT_NAMES,
    RECIPIENT_GAS,
    SUITE,
    ZERO_ADDRESS,
    SuiteConfig,
    local_config,
)
from trustspace.deploy.records import (
    DEPLOYED,
    PENDING,
    ContractRecord,
    DeploymentError,
    DeploymentRecord,
    archive,
    check_chain_id,
    default_folder,
    find,
    load,
    record_path,
    save,
    utc_now,
)
from trustspace.deploy.stacks import (
    ApeChain,
    DeployChain,
    Mined,
    SignedTx,
    Web3Chain,
    create_address,
    hex0x,
)
from trustspace.networks import LOCAL_CHAIN_IDS

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI
    from ape.contracts import ContractInstance
    from ape.managers.project import ProjectManager
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
    from web3.contract import Contract

    from trustspace.bus.web3tx import TxSender

__all__ = [
    "Reporter",
    "Suite",
    "SuiteConfig",
    "SuiteDeployer",
    "bind_suite",
    "deploy_contract",
    "deploy_did_registry",
    "did_registry_address",
    "is_local_network",
    "load_suite",
    "local_config",
    "network_key",
    "silent",
    "suite_contract",
]

ContractT = TypeVar("ContractT")

Reporter = Callable[[str, str, str], None]
"""``report(event, contract, detail)``; events: exists, pending, deployed, completed,
stale, skipped, wiring."""


def silent(event: str, name: str, detail: str) -> None:
    """The default reporter: say nothing."""


def network_key(provider: ProviderAPI) -> tuple[str, str]:
    """(ecosystem, network) names of the connected provider."""
    network = provider.network
    return str(network.ecosystem.name), str(network.name)


def is_local_network(provider: ProviderAPI) -> bool:
    """True for in-process chains and local anvil chains: no confirmation is asked there.

    A chain id alone is not enough (permissioned networks often use 1337 too): the
    node must also listen on this machine.
    """
    _, name = network_key(provider)
    uri = str(getattr(provider, "uri", "") or getattr(provider, "http_uri", "") or "")
    host = urlparse(uri).hostname or ""
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if name == "local":
        # In-process (no URL), or a node on this machine: `ethereum:local:https://…` names
        # ape's local network but may point anywhere, and local means test keys, no questions.
        return not uri.startswith(("http://", "https://", "ws://", "wss://")) or loopback
    return int(provider.chain_id) in LOCAL_CHAIN_IDS and loopback


def _in_pool(chain: DeployChain[Any], tx_hash: str) -> bool:
    """True if the node knows ``tx_hash`` but has not mined it (it waits in its pool).

    The :class:`DeployChain` port has no such question yet, so the web3 connection of
    either stack is asked directly; a stack without one is taken to have forgotten it.
    """
    w3 = getattr(chain, "w3", None) or getattr(getattr(chain, "provider", None), "web3", None)
    if w3 is None:
        return False
    try:
        found = w3.eth.get_transaction(tx_hash)
    except Exception:  # unknown to this node (web3 raises TransactionNotFound)
        return False
    return found is not None and found.get("blockNumber") is None


# ---------------------------------------------------------------------- unrecorded


def _mine(chain: DeployChain[Any], name: str, signed: SignedTx) -> Mined:
    mined = chain.send(signed)
    if mined.failed:
        raise DeploymentError(f"{name}: transaction {signed.tx_hash} failed")
    return mined


def _create(chain: DeployChain[Any], name: str, args: Sequence[Any]) -> str:
    """Sign, send and mine the deployment of ``name(*args)``; the new contract's address."""
    signed = chain.sign_create(name, args)
    mined = _mine(chain, name, signed)
    return mined.contract_address or create_address(chain.deployer, signed.nonce)


def deploy_contract(chain: DeployChain[ContractT], name: str, *args: Any) -> ContractT:
    """Deploy contract type ``name(*args)`` without a record (tests, benches, set-ups);
    the same signing and sending steps as :class:`SuiteDeployer`."""
    return chain.bind(name, _create(chain, name, args))


def did_registry_address(chain: DeployChain[Any], factory: str) -> str:
    """Where ``factory`` (a DIDRegistryFactory address) puts this chain's DIDRegistry."""
    digest = keccak(chain.initcode("DIDRegistry"))
    return to_checksum_address(str(chain.read("DIDRegistryFactory", factory, "registry_address",
                                              digest)))  # fmt: skip


def _sign_did_registry(chain: DeployChain[Any], factory: str) -> SignedTx:
    initcode = chain.initcode("DIDRegistry")
    return chain.sign_call("DIDRegistryFactory", factory, "deploy", [initcode])


def deploy_did_registry(chain: DeployChain[ContractT], factory: str | None = None) -> ContractT:
    """This chain's DIDRegistry through ``factory`` (a new factory if None), unrecorded.

    The factory's CREATE2 salt is derived from the chain id, so the registry's
    address differs on every chain (docs/did.md). Re-running with the same factory
    returns the registry already there.
    """
    if factory is None:
        factory = _create(chain, "DIDRegistryFactory", ())
    address = did_registry_address(chain, factory)
    if not chain.code(address):
        _mine(chain, "DIDRegistry", _sign_did_registry(chain, factory))
    return chain.bind("DIDRegistry", address)


# ---------------------------------------------------------------------- the suite


@dataclass
class Suite(Generic[ContractT]):
    """The deployed suite on one network: the record plus the stack's contract objects."""

    record: DeploymentRecord
    path: Path
    contracts: dict[str, ContractT] = field(default_factory=dict)

    def contract(self, name: str) -> ContractT:
        """The contract ``name`` (``Notary`` …); ``DeploymentError`` if it is not deployed."""
        if name not in self.contracts:
            raise DeploymentError(
                f"{self.path.name} has no deployed {name} (chain {self.record.chain_id})"
            )
        return self.contracts[name]

    @property
    def consortium(self) -> ContractT:
        """The Consortium."""
        return self.contract("Consortium")

    @property
    def notary(self) -> ContractT:
        """The Notary."""
        return self.contract("Notary")

    @property
    def did_registry(self) -> ContractT:
        """The DIDRegistry."""
        return self.contract("DIDRegistry")

    @property
    def did_factory(self) -> ContractT:
        """The DIDRegistryFactory."""
        return self.contract("DIDRegistryFactory")

    @property
    def bus(self) -> ContractT:
        """The MessageBus."""
        return self.contract("MessageBus")


def bind_suite(
    chain: DeployChain[ContractT], folder: Path | None = None, network: str | None = None
) -> Suite[ContractT]:
    """The suite recorded for ``chain``, checked against it (every contract has code).

    ``network`` (``"ethereum:customs"``) picks the record file; else the record of
    the chain's network, else any record of its chain id. Raises ``DeploymentError``
    with a readable message when there is none or the chain contradicts it.
    """
    folder = folder or default_folder()
    chain_id = chain.chain_id
    ecosystem, name = chain.ecosystem, chain.network
    record = find(folder, chain_id, network or f"{ecosystem}:{name}")
    if record is None:
        raise DeploymentError(
            f"no trustspace deployment recorded for {ecosystem}:{name} (chain id {chain_id}) "
            f"in {folder}; deploy with `trustspace deploy suite --network {name}`"
        )
    rec_ecosystem, _, rec_network = record.network.partition(":")
    path = record_path(folder, rec_ecosystem, rec_network, chain_id)
    missing = [f"{n} at {e.address}" for n, e in record.deployed() if not chain.code(e.address)]
    if record.genesis and record.genesis != chain.genesis():
        missing.insert(0, "block 0 differs from the recorded chain's")
    if missing:
        raise DeploymentError(
            f"{path.name} records contracts with no code on chain {chain_id}: "
            f"{', '.join(missing)} (the chain was reset?); redeploy with --replace-stale"
        )
    contracts = {n: chain.bind(e.contract_type, e.address) for n, e in record.deployed()}
    return Suite(record, path, contracts)


def load_suite(
    project: ProjectManager | None,
    provider: ProviderAPI | None = None,
    folder: Path | None = None,
    network: str | None = None,
) -> Suite[ContractInstance]:
    """The suite recorded for ape's connected chain as ape contracts (see :func:`bind_suite`):
    what ``ape console``, ``ape run deploy`` and the CLI bind. Without ``project`` the
    ABIs come from the shipped manifest (an installed package needs no checkout)."""
    return bind_suite(ApeChain(None, provider, project), folder, network)


def suite_contract(
    name: str, address: str | None = None, folder: Path | None = None
) -> ContractInstance:
    """Contract ``name`` on ape's connected chain: at ``address`` when given (a
    ``--notary``-style override), else the one its deployment record names."""
    if address:
        return ApeChain().bind(name, address)
    return load_suite(None, folder=folder).contract(name)


class SuiteDeployer(Generic[ContractT]):
    """Deploys what is missing of the suite on one chain and records it."""

    #: Seconds a run waits for a transaction an earlier run left in the node's pool.
    pool_wait: float = 120.0

    def __init__(
        self: SuiteDeployer[ContractInstance],
        project: ProjectManager | None,
        provider: ProviderAPI,
        sender: AccountAPI,
        config: SuiteConfig | None,
        folder: Path | None = None,
        report: Reporter = silent,
        replace_stale: bool = False,
    ) -> None:
        """Over ape: ``provider`` is ape's connected provider, ``sender`` an ape account
        that pays, ``project`` the checkout's build (None: the shipped manifest).

        ``config`` seeds the Consortium; it may be None when the Consortium is
        already recorded (re-runs, deploying a single contract). For any other
        stack use :meth:`on` (and :meth:`over_web3`).
        """
        self._start(
            cast("DeployChain[ContractT]", ApeChain(sender, provider, project)),
            config, folder, report, replace_stale,
        )  # fmt: skip

    @classmethod
    def on(
        cls,
        chain: DeployChain[ContractT],
        config: SuiteConfig | None,
        folder: Path | None = None,
        report: Reporter = silent,
        replace_stale: bool = False,
    ) -> SuiteDeployer[ContractT]:
        """A deployer over any :class:`~trustspace.deploy.stacks.DeployChain`."""
        deployer: SuiteDeployer[ContractT] = object.__new__(cls)
        deployer._start(chain, config, folder, report, replace_stale)
        return deployer

    @classmethod
    def over_web3(
        cls,
        w3: Web3,
        key: LocalAccount | TxSender | str | bytes,
        config: SuiteConfig | None,
        folder: Path | None = None,
        report: Reporter = silent,
        replace_stale: bool = False,
    ) -> SuiteDeployer[Contract]:
        """A deployer over web3.py: ``key`` signs, code from the shipped manifest."""
        return SuiteDeployer.on(Web3Chain(w3, key), config, folder, report, replace_stale)

    def _start(
        self,
        chain: DeployChain[ContractT],
        config: SuiteConfig | None,
        folder: Path | None,
        report: Reporter,
        replace_stale: bool,
    ) -> None:
        self.chain = chain
        self.config = config
        self.folder = folder or default_folder()
        self.report = report
        self.replace_stale = replace_stale
        self.chain_id = chain.chain_id
        self.network = f"{chain.ecosystem}:{chain.network}"
        self.path = record_path(self.folder, chain.ecosystem, chain.network, self.chain_id)
        self.record = self._load_checked()

    # ------------------------------------------------------------------ checks

    def _load_checked(self) -> DeploymentRecord:
        record = load(self.path)
        if record is None:
            return DeploymentRecord(network=self.network, chain_id=self.chain_id)
        check_chain_id(record, self.chain_id, self.path)
        problems = self.stale_contracts(record)
        if not problems:
            return record
        detail = "; ".join(problems)
        if not self.replace_stale:
            raise DeploymentError(
                f"{self.path} does not match chain {self.chain_id}: {detail}. "
                "If the chain was reset, run again with --replace-stale (the old record is "
                "kept beside it as *.stale-*.json)."
            )
        moved = archive(self.path)
        self.report("stale", "", f"{detail}; old record moved to {moved.name}")
        return DeploymentRecord(network=self.network, chain_id=self.chain_id)

    def stale_contracts(self, record: DeploymentRecord) -> list[str]:
        """What in ``record`` the chain contradicts: no code, or other code, at an address."""
        problems = []
        if record.genesis and record.genesis != self.chain.genesis():
            problems.append(
                f"block 0 of the chain is not the recorded {record.genesis[:12]}… "
                "(the chain was restarted from nothing)"
            )
        for name, entry in record.deployed():
            code = self.chain.code(entry.address)
            if not code:
                problems.append(f"{name} at {entry.address} has no code")
            elif entry.codehash and hex0x(keccak(code)) != entry.codehash:
                problems.append(f"{name} at {entry.address} holds other code than recorded")
        return problems

    # ------------------------------------------------------------------ plan

    def status(self) -> dict[str, str]:
        """``{contract: "deployed" | "pending" | "missing"}`` for the whole suite."""
        return {
            name: (
                self.record.contracts[name].status if name in self.record.contracts else "missing"
            )
            for name in CONTRACT_NAMES
        }

    def deploy(self, only: Sequence[str] | None = None) -> Suite[ContractT]:
        """Deploy every missing contract (or only those named, whose needs must exist)."""
        wanted = list(CONTRACT_NAMES) if not only else list(only)
        unknown = [name for name in wanted if name not in CONTRACT_NAMES]
        if unknown:
            raise DeploymentError(
                f"unknown contract(s) {', '.join(unknown)}; known: {', '.join(CONTRACT_NAMES)}"
            )
        self.record.compilers = self.chain.compilers()
        self.record.genesis = self.record.genesis or self.chain.genesis()
        needs = dict(SUITE)
        for name in CONTRACT_NAMES:
            if name not in wanted:
                continue
            for need in needs[name]:
                if self.record.contracts.get(need, None) is None or (
                    self.record.contracts[need].status != DEPLOYED and need not in wanted
                ):
                    raise DeploymentError(f"{name} needs {need}: deploy {need} first")
            self._ensure(name)
        return self.suite()

    def suite(self) -> Suite[ContractT]:
        """Contract objects for everything recorded as deployed."""
        contracts = {
            name: self.chain.bind(entry.contract_type, entry.address)
            for name, entry in self.record.deployed()
        }
        return Suite(self.record, self.path, contracts)

    # ------------------------------------------------------------------ steps

    def _ensure(self, name: str) -> None:
        entry = self.record.contracts.get(name)
        if entry is not None and entry.status == DEPLOYED:
            self.report("exists", name, f"{entry.address} (block {entry.block})")
            return
        if entry is not None and entry.status == PENDING and self._complete_pending(name, entry):
            return
        if name == "DIDRegistry":
            self._deploy_registry()
        else:
            args = self._constructor_args(name)
            signed = self.chain.sign_create(name, args)
            predicted = create_address(self.chain.deployer, signed.nonce)
            self._send(name, signed, predicted, _jsonable(args))

    def _constructor_args(self, name: str) -> list[Any]:
        if name == "Consortium":
            if self.config is None:
                raise DeploymentError("deploying the Consortium needs a suite config (--config)")
            self.config.check()
            seeds = [org.seed() for org in self.config.organisations]
            return list(
                constructor_args(seeds, self.config.threshold, self.config.proposal_lifetime)
            )
        if name in ("Notary", "Computations", "CredentialRegistry", "DataService"):
            return [self.record.address("Consortium")]
        if name == "MessageBus":
            gas = RECIPIENT_GAS if self.config is None else self.config.recipient_gas
            return [self.record.address("Consortium"), gas]
        if name == "HubLink":
            hub_chain = 0 if self.config is None else self.config.hub_chain
            return [
                self.record.address("Consortium"),
                self.record.address("MessageBus"),
                hub_chain,
                self._hub_link(hub_chain) if hub_chain else ZERO_ADDRESS,
            ]
        return []

    def _hub_link(self, hub_chain: int) -> str:
        """The hub's HubLink: from the config, else from the hub's record in this folder."""
        if self.config is not None and self.config.hub_link:
            return self.config.hub_link
        hub = find(self.folder, hub_chain, self.config.hub_network if self.config else None)
        entry = None if hub is None else hub.contracts.get("HubLink")
        if entry is None or entry.status != DEPLOYED:
            raise DeploymentError(
                f"this chain follows the hub {hub_chain}, whose HubLink is not recorded in "
                f"{self.folder}: deploy the hub's suite first, or set hub_link in the config"
            )
        return entry.address

    def _deploy_registry(self) -> None:
        factory = self.record.address("DIDRegistryFactory")
        predicted = did_registry_address(self.chain, factory)
        if self.chain.code(predicted):
            # The factory already made it (by an earlier run that lost its record).
            self._record_deployed("DIDRegistry", "DIDRegistry", predicted, None, None, [])
            self.report("completed", "DIDRegistry", f"{predicted} found on chain")
            return
        signed = _sign_did_registry(self.chain, factory)
        self._send("DIDRegistry", signed, predicted, [factory])

    def _send(self, name: str, signed: SignedTx, predicted: str, args: list[Any]) -> None:
        self.record.contracts[name] = ContractRecord(
            contract_type=name,
            address=predicted,
            tx_hash=signed.tx_hash,
            deployer=self.chain.deployer,
            status=PENDING,
            args=args,
            compiler=self.chain.compiler_of(name),
        )
        save(self.record, self.path)
        self.report("pending", name, f"{predicted} tx {signed.tx_hash}")
        mined = _mine(self.chain, name, signed)
        self._record_deployed(
            name, name, predicted, mined, signed.tx_hash, args, nonce_checked=True
        )
        entry = self.record.contracts[name]
        self.report(
            "deployed", name, f"{entry.address} (block {entry.block}, gas {entry.gas_used})"
        )

    def _complete_pending(self, name: str, entry: ContractRecord) -> bool:
        """Finish the record of a contract an earlier run sent; False if it must be sent again."""
        if self.chain.code(entry.address):
            mined = self.chain.receipt(entry.tx_hash)
            self._record_deployed(
                name, entry.contract_type, entry.address, mined, entry.tx_hash, entry.args
            )
            self.report("completed", name, f"{entry.address} (sent by an earlier run)")
            return True
        mined = self.chain.receipt(entry.tx_hash)
        if mined is None and _in_pool(self.chain, entry.tx_hash):
            # Sending another transaction now could deploy the contract twice (a node that
            # counts pending nonces signs the next one): wait for this one instead.
            self.report("pending", name, f"earlier transaction {entry.tx_hash} is waiting "
                        "in the node's pool; waiting for it")  # fmt: skip
            mined = self._wait_for(entry.tx_hash)
            if mined is None:
                raise DeploymentError(
                    f"{name}: the transaction {entry.tx_hash} an earlier run sent is still "
                    f"waiting in the node's pool after {self.pool_wait:.0f} s; run again once "
                    "it is mined (sending another could deploy it twice)"
                )
        if mined is not None and not mined.failed and self.chain.code(entry.address):
            self._record_deployed(
                name, entry.contract_type, entry.address, mined, entry.tx_hash, entry.args
            )
            self.report("completed", name, f"{entry.address} (sent by an earlier run)")
            return True
        if mined is not None:
            self.report("pending", name, f"earlier transaction {entry.tx_hash} failed; resending")
            return False
        self.report("pending", name, f"earlier transaction {entry.tx_hash} never landed; resending")
        return False

    def _wait_for(self, tx_hash: str) -> Mined | None:
        """The receipt of ``tx_hash`` once mined, None if not within :attr:`pool_wait`."""
        deadline = time.monotonic() + self.pool_wait
        while True:
            mined = self.chain.receipt(tx_hash)
            if mined is not None or time.monotonic() >= deadline:
                return mined
            time.sleep(0.25)

    def _record_deployed(
        self,
        name: str,
        contract_type: str,
        address: str,
        mined: Mined | None,
        tx_hash: str | None,
        args: list[Any],
        nonce_checked: bool = False,
    ) -> None:
        address = to_checksum_address(address)
        if mined is not None and mined.contract_address and nonce_checked:
            # A deployment lands at the predicted address unless the nonce moved under us.
            address = mined.contract_address
        code = self.chain.code(address)
        if not code:
            raise DeploymentError(f"{name}: no code at {address} after deployment")
        self.record.contracts[name] = ContractRecord(
            contract_type=contract_type,
            address=address,
            tx_hash=tx_hash or "",
            deployer=self.chain.deployer,
            status=DEPLOYED,
            block=None if mined is None else mined.block,
            codehash=hex0x(keccak(code)),
            compiler=self.chain.compiler_of(contract_type),
            args=args,
            gas_used=None if mined is None else mined.gas_used,
            deployed_at=utc_now(),
        )
        save(self.record, self.path)


def _jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return hex0x(value)
    if isinstance(value, bool | int | str) or value is None:
        return value
    return str(getattr(value, "address", value))
