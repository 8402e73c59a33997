"""Deploy the trustspace suite on one network, idempotently, and record it.

Order and wiring (each contract is recorded the moment its transaction is mined):

1. ``Consortium`` seeded from a :class:`SuiteConfig` (the deployer keeps no power);
2. ``DIDRegistryFactory``, then ``DIDRegistry`` through the factory (CREATE2 salted
   by the chain id, so the registry address differs on every chain, see docs/did.md);
3. ``Notary(consortium)``.

Re-running reads the record (:mod:`trustspace.deployments`), checks every recorded
address still holds the recorded code, and deploys only what is missing. A
contract recorded as *pending* (transaction signed and sent, receipt not yet
seen) is completed from the chain instead of being deployed twice. A record
for another chain id, or whose contracts have no code (a reset chain), is
reported and nothing is sent, unless ``replace_stale`` moves the old record aside.

Nothing here assumes anvil: any EVM JSON-RPC node that ape can connect to works.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.deployments import (
    DEPLOYED,
    EPHEMERAL_CHAIN_IDS,
    PENDING,
    ContractRecord,
    DeploymentError,
    DeploymentRecord,
    archive,
    check_chain_id,
    default_folder,
    load,
    record_path,
    save,
    utc_now,
)
from trustspace.governance import OrgSeed, constructor_args
from trustspace.roles import OrgKind

#: Deployable contracts in deployment order, with the ones each needs first.
SUITE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Consortium", ()),
    ("DIDRegistryFactory", ()),
    ("DIDRegistry", ("DIDRegistryFactory",)),
    ("Notary", ("Consortium",)),
    ("MessageBus", ("Consortium",)),
)
CONTRACT_NAMES: tuple[str, ...] = tuple(name for name, _ in SUITE)

#: Agencies of the local default consortium, admins from anvil's test accounts 1-5.
LOCAL_AGENCIES: tuple[tuple[str, OrgKind], ...] = (
    ("Customs Authority", OrgKind.CUSTOMS),
    ("Tax Administration", OrgKind.TAX),
    ("Maritime Authority", OrgKind.MARITIME),
    ("Foreign Exchange Office", OrgKind.FOREX),
    ("Ministry of Trade", OrgKind.MINISTRY),
)
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: Gas the bus gives a recipient per delivered message (its constructor argument).
RECIPIENT_GAS = 200_000

Reporter = Callable[[str, str, str], None]
"""``report(event, contract, detail)``; events: exists, pending, deployed, completed,
stale, skipped, wiring."""


def _silent(event: str, name: str, detail: str) -> None:
    """The default reporter: say nothing."""


@dataclass(frozen=True)
class OrgSpec:
    """A founding organisation: name, kind, admin accounts, DID identity address."""

    name: str
    kind: OrgKind
    admins: tuple[str, ...]
    did: str = ZERO_ADDRESS

    def seed(self) -> OrgSeed:
        """The governance seed for the Consortium constructor."""
        return OrgSeed(self.name, self.kind, list(self.admins), self.did)


@dataclass(frozen=True)
class SuiteConfig:
    """What the Consortium is seeded with (and later suite-wide settings)."""

    organisations: tuple[OrgSpec, ...]
    threshold: int
    proposal_lifetime: int = 7 * 86400
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SuiteConfig:
        """Parse the JSON form (see ``deployments/consortium.example.json``)."""
        try:
            orgs = tuple(
                OrgSpec(
                    name=str(o["name"]),
                    kind=OrgKind[str(o["kind"]).upper()],
                    admins=tuple(to_checksum_address(a) for a in o["admins"]),
                    did=to_checksum_address(o.get("did") or ZERO_ADDRESS),
                )
                for o in data["organisations"]
            )
            config = cls(
                organisations=orgs,
                threshold=int(data["threshold"]),
                proposal_lifetime=int(data.get("proposal_lifetime", 7 * 86400)),
                extra={
                    k: v
                    for k, v in data.items()
                    if k not in ("organisations", "threshold", "proposal_lifetime")
                },
            )
        except (KeyError, TypeError, ValueError) as err:
            raise DeploymentError(f"bad suite config: {err!r}") from err
        config.check()
        return config

    @classmethod
    def load(cls, path: Path | str) -> SuiteConfig:
        """Read a JSON suite config file."""
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as err:
            raise DeploymentError(f"cannot read suite config {path}: {err}") from err
        return cls.from_json(data)

    @property
    def recipient_gas(self) -> int:
        """Gas the MessageBus gives each recipient (``recipient_gas`` in the JSON)."""
        return int(self.extra.get("recipient_gas", RECIPIENT_GAS))

    def check(self) -> None:
        """Refuse what the Consortium constructor would reject, before paying for it."""
        if not self.organisations:
            raise DeploymentError("the suite config names no organisation")
        with_admins = sum(1 for org in self.organisations if org.admins)
        if not 1 <= self.threshold <= with_admins:
            raise DeploymentError(
                f"threshold {self.threshold} must be between 1 and the {with_admins} "
                "organisations that have admins"
            )

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "organisations": [
                {
                    "name": o.name,
                    "kind": o.kind.name.lower(),
                    "admins": list(o.admins),
                    "did": o.did,
                }
                for o in self.organisations
            ],
            "threshold": self.threshold,
            "proposal_lifetime": self.proposal_lifetime,
            **dict(self.extra),
        }


def local_config(
    admins: Sequence[Any], dids: Sequence[Any] | None = None, threshold: int = 3
) -> SuiteConfig:
    """Five agencies (customs, tax, maritime, forex, ministry), one admin each, k of 5."""
    dids = dids if dids is not None else [ZERO_ADDRESS] * len(LOCAL_AGENCIES)
    return SuiteConfig(
        organisations=tuple(
            OrgSpec(name, kind, (_address(admin),), _address(did))
            for (name, kind), admin, did in zip(LOCAL_AGENCIES, admins, dids, strict=True)
        ),
        threshold=threshold,
    )


def _address(value: Any) -> str:
    return to_checksum_address(str(getattr(value, "address", value)))


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()


def network_key(provider: Any) -> tuple[str, str]:
    """(ecosystem, network) names of the connected provider."""
    network = provider.network
    return str(network.ecosystem.name), str(network.name)


def is_local_network(provider: Any) -> bool:
    """True for in-process chains and local anvil chains: no confirmation is asked there.

    A chain id alone is not enough (permissioned networks often use 1337 too): the
    node must also listen on this machine.
    """
    _, name = network_key(provider)
    if name == "local":
        return True
    uri = str(getattr(provider, "uri", "") or getattr(provider, "http_uri", "") or "")
    host = urlparse(uri).hostname or ""
    return int(provider.chain_id) in EPHEMERAL_CHAIN_IDS and host in ("127.0.0.1", "localhost")


def compiler_versions(project: Any) -> dict[str, str]:
    """``{"solidity": "0.8.37+commit…", "vyper": "0.4.3"}`` from the build manifest."""
    return {str(c.name): str(c.version) for c in project.manifest.compilers or []}


def compiler_of(project: Any, contract_type: str) -> str | None:
    """``"vyper 0.4.3"`` for a contract type, from the build manifest."""
    for compiler in project.manifest.compilers or []:
        if contract_type in (compiler.contractTypes or []):
            return f"{compiler.name} {compiler.version}"
    return None


@dataclass
class Suite:
    """The deployed suite on one network: the record plus ape contract objects."""

    record: DeploymentRecord
    path: Path
    contracts: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        # suite.consortium, suite.notary, suite.did_registry …
        lookup = {
            "consortium": "Consortium",
            "notary": "Notary",
            "did_registry": "DIDRegistry",
            "did_factory": "DIDRegistryFactory",
            "bus": "MessageBus",
        }
        if name in lookup and lookup[name] in self.contracts:
            return self.contracts[lookup[name]]
        raise AttributeError(name)


class SuiteDeployer:
    """Deploys what is missing of the suite on the connected network and records it."""

    def __init__(
        self,
        project: Any,
        provider: Any,
        sender: Any,
        config: SuiteConfig | None,
        folder: Path | None = None,
        report: Reporter = _silent,
        replace_stale: bool = False,
    ) -> None:
        """``provider`` is ape's connected provider; ``sender`` an ape account that pays.

        ``config`` seeds the Consortium; it may be None when the Consortium is
        already recorded (re-runs, deploying a single contract).
        """
        self.project = project
        self.provider = provider
        self.sender = sender
        self.config = config
        self.folder = folder or default_folder()
        self.report = report
        self.replace_stale = replace_stale
        self.chain_id = int(provider.chain_id)
        ecosystem, network = network_key(provider)
        self.network = f"{ecosystem}:{network}"
        self.path = record_path(self.folder, ecosystem, network, self.chain_id)
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
        for name, entry in record.deployed():
            code = bytes(self.provider.get_code(entry.address))
            if not code:
                problems.append(f"{name} at {entry.address} has no code")
            elif entry.codehash and _hex(keccak(code)) != entry.codehash:
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

    def deploy(self, only: Sequence[str] | None = None) -> Suite:
        """Deploy every missing contract (or only those named, whose needs must exist)."""
        wanted = list(CONTRACT_NAMES) if not only else list(only)
        unknown = [name for name in wanted if name not in CONTRACT_NAMES]
        if unknown:
            raise DeploymentError(
                f"unknown contract(s) {', '.join(unknown)}; known: {', '.join(CONTRACT_NAMES)}"
            )
        self.record.compilers = compiler_versions(self.project)
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

    def suite(self) -> Suite:
        """Contract objects for everything recorded as deployed."""
        contracts = {
            name: getattr(self.project, entry.contract_type).at(entry.address)
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
            self._deploy_contract(name, self._constructor_args(name))

    def _constructor_args(self, name: str) -> list[Any]:
        if name == "Consortium":
            if self.config is None:
                raise DeploymentError("deploying the Consortium needs a suite config (--config)")
            self.config.check()
            seeds = [org.seed() for org in self.config.organisations]
            return list(
                constructor_args(seeds, self.config.threshold, self.config.proposal_lifetime)
            )
        if name == "Notary":
            return [self.record.address("Consortium")]
        if name == "MessageBus":
            gas = RECIPIENT_GAS if self.config is None else self.config.recipient_gas
            return [self.record.address("Consortium"), gas]
        return []

    def _deploy_contract(self, name: str, args: list[Any]) -> None:
        container = getattr(self.project, name)
        txn = container.constructor.serialize_transaction(*args, sender=self.sender)
        nonce = int(self.provider.get_nonce(self.sender.address))
        predicted = _create_address(self.sender.address, nonce)
        self._send(name, name, txn, predicted, _jsonable(args))

    def _deploy_registry(self) -> None:
        from trustspace.did.deploy import registry_initcode

        factory = self.project.DIDRegistryFactory.at(self.record.address("DIDRegistryFactory"))
        initcode = registry_initcode()
        predicted = to_checksum_address(str(factory.registry_address(keccak(initcode))))
        if bytes(self.provider.get_code(predicted)):
            # The factory already made it (by an earlier run that lost its record).
            self._record_deployed("DIDRegistry", "DIDRegistry", predicted, None, None, [])
            self.report("completed", "DIDRegistry", f"{predicted} found on chain")
            return
        txn = factory.deploy.as_transaction(initcode, sender=self.sender)
        self._send("DIDRegistry", "DIDRegistry", txn, predicted, [factory.address])

    def _send(
        self, name: str, contract_type: str, txn: Any, predicted: str, args: list[Any]
    ) -> None:
        txn = self.sender.prepare_transaction(txn)
        signed = self.sender.sign_transaction(txn)
        if signed is None:
            raise DeploymentError(f"{name}: the transaction was not signed")
        tx_hash = _hex(signed.txn_hash)
        self.record.contracts[name] = ContractRecord(
            contract_type=contract_type,
            address=predicted,
            tx_hash=tx_hash,
            deployer=_address(self.sender),
            status=PENDING,
            args=args,
            compiler=compiler_of(self.project, contract_type),
        )
        save(self.record, self.path)
        self.report("pending", name, f"{predicted} tx {tx_hash}")
        receipt = self.provider.send_transaction(signed)
        if getattr(receipt, "failed", False):
            raise DeploymentError(f"{name}: deployment transaction {tx_hash} failed")
        self._record_deployed(
            name, contract_type, predicted, receipt, tx_hash, args, nonce_checked=True
        )
        entry = self.record.contracts[name]
        self.report(
            "deployed", name, f"{entry.address} (block {entry.block}, gas {entry.gas_used})"
        )

    def _complete_pending(self, name: str, entry: ContractRecord) -> bool:
        """Finish the record of a contract an earlier run sent; False if it must be sent again."""
        if bytes(self.provider.get_code(entry.address)):
            receipt = self._receipt_or_none(entry.tx_hash)
            self._record_deployed(
                name, entry.contract_type, entry.address, receipt, entry.tx_hash, entry.args
            )
            self.report("completed", name, f"{entry.address} (sent by an earlier run)")
            return True
        receipt = self._receipt_or_none(entry.tx_hash)
        if receipt is not None and not getattr(receipt, "failed", False):
            self._record_deployed(
                name, entry.contract_type, entry.address, receipt, entry.tx_hash, entry.args
            )
            return True
        self.report("pending", name, f"earlier transaction {entry.tx_hash} never landed; resending")
        return False

    def _receipt_or_none(self, tx_hash: str) -> Any:
        web3 = getattr(self.provider, "web3", None)
        if web3 is None:
            return None
        try:
            web3.eth.get_transaction_receipt(tx_hash)
        except Exception:  # not mined or unknown to this node
            return None
        return self.provider.get_receipt(tx_hash)

    def _record_deployed(
        self,
        name: str,
        contract_type: str,
        address: str,
        receipt: Any,
        tx_hash: str | None,
        args: list[Any],
        nonce_checked: bool = False,
    ) -> None:
        address = to_checksum_address(address)
        if receipt is not None:
            mined = getattr(receipt, "contract_address", None)
            if mined and nonce_checked and to_checksum_address(str(mined)) != address:
                # A deployment lands at the predicted address unless the nonce moved under us.
                address = to_checksum_address(str(mined))
        code = bytes(self.provider.get_code(address))
        if not code:
            raise DeploymentError(f"{name}: no code at {address} after deployment")
        self.record.contracts[name] = ContractRecord(
            contract_type=contract_type,
            address=address,
            tx_hash=tx_hash or "",
            deployer=_address(self.sender),
            status=DEPLOYED,
            block=None if receipt is None else int(receipt.block_number),
            codehash=_hex(keccak(code)),
            compiler=compiler_of(self.project, contract_type),
            args=args,
            gas_used=None if receipt is None else int(receipt.gas_used),
            deployed_at=utc_now(),
        )
        save(self.record, self.path)


def _create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` at ``nonce`` gets (RLP of [sender, nonce])."""
    import rlp

    raw = keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:]
    return to_checksum_address(raw)


def _jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return _hex(value)
    if isinstance(value, bool | int | str) or value is None:
        return value
    return str(getattr(value, "address", value))


def load_suite(
    project: Any, provider: Any, folder: Path | None = None, network: str | None = None
) -> Suite:
    """The suite recorded for the connected chain, checked against it.

    Raises ``DeploymentError`` with a readable message when there is no record
    for this chain or the chain contradicts it.
    """
    from trustspace.deployments import find

    folder = folder or default_folder()
    chain_id = int(provider.chain_id)
    ecosystem, name = network_key(provider)
    record = find(folder, chain_id, network or f"{ecosystem}:{name}")
    if record is None:
        raise DeploymentError(
            f"no trustspace deployment recorded for {ecosystem}:{name} (chain id {chain_id}) "
            f"in {folder}; deploy with `ape run deploy suite --network {ecosystem}:{name}`"
        )
    rec_ecosystem, _, rec_network = record.network.partition(":")
    path = record_path(folder, rec_ecosystem, rec_network, chain_id)
    missing = [
        f"{n} at {e.address}"
        for n, e in record.deployed()
        if not bytes(provider.get_code(e.address))
    ]
    if missing:
        raise DeploymentError(
            f"{path.name} records contracts with no code on chain {chain_id}: "
            f"{', '.join(missing)} (the chain was reset?); redeploy with --replace-stale"
        )
    contracts = {n: getattr(project, e.contract_type).at(e.address) for n, e in record.deployed()}
    return Suite(record, path, contracts)


# ---------------------------------------------------------------------- wiring
# What the constructors cannot do: the deployer holds no power, so the links between
# contracts and chains are Consortium `call` proposals, recorded under "wiring".


@dataclass(frozen=True)
class WiringCall:
    """One governance call that links the suite: ``<contract>.<function>(*args)``."""

    key: str
    description: str
    contract: str
    function: str
    args: tuple[Any, ...]


def wiring_calls(
    record: DeploymentRecord,
    peers: Mapping[int, DeploymentRecord],
    validators: Sequence[str] = (),
    threshold: int = 0,
) -> list[WiringCall]:
    """The calls that let this chain's Notary mirror over its bus to and from ``peers``.

    With ``validators`` (keys holding VALIDATOR on this chain) the bus also accepts
    each peer's checkpoints signed by ``threshold`` of their organisations.
    """
    notary, bus = record.address("Notary"), record.address("MessageBus")
    calls = [
        WiringCall("bus.sender.Notary", "the Notary may dispatch", "MessageBus", "setSender",
                   (notary, True)),
        WiringCall("notary.bus", "the Notary mirrors over this chain's bus", "Notary", "setBus",
                   (bus,)),
    ]  # fmt: skip
    keys = sorted((to_checksum_address(v) for v in validators), key=lambda a: int(a, 16))
    for chain_id, peer in sorted(peers.items()):
        calls.append(
            WiringCall(f"notary.peer.{chain_id}", f"trust the Notary of chain {chain_id}",
                       "Notary", "setPeer", (chain_id, peer.address("Notary")))
        )  # fmt: skip
        calls.append(
            WiringCall(f"bus.destination.{chain_id}",
                       f"address messages for chain {chain_id} to its bus",
                       "MessageBus", "setDestinationBus", (chain_id, peer.address("MessageBus")))
        )  # fmt: skip
        if keys:
            calls.append(
                WiringCall(
                    f"bus.validators.{chain_id}",
                    f"accept chain {chain_id} checkpoints signed by {threshold} of "
                    f"{len(keys)} validator organisations",
                    "MessageBus", "setValidators",
                    (chain_id, peer.address("MessageBus"), keys, threshold),
                )
            )  # fmt: skip
    return calls


class Wiring:
    """Makes the wiring proposals of one chain's suite and records them."""

    def __init__(self, suite: Suite, report: Reporter = _silent) -> None:
        self.suite = suite
        self.report = report

    def pending(self, calls: Sequence[WiringCall]) -> list[WiringCall]:
        """The calls not yet executed according to the record."""
        return [
            c for c in calls if self.suite.record.wiring.get(c.key, {}).get("status") != "executed"
        ]

    def _data(self, call: WiringCall) -> tuple[str, bytes]:
        target = self.suite.contracts[call.contract]
        return str(target.address), bytes(getattr(target, call.function).encode_input(*call.args))

    def enact(self, calls: Sequence[WiringCall], approvers: Sequence[Any]) -> list[Any]:
        """Propose, approve and execute every pending call with ``approvers`` (ADMINs of
        enough distinct organisations); returns the receipts."""
        from trustspace.governance import encode_args, reason_hash
        from trustspace.roles import Action

        consortium = self.suite.contracts["Consortium"]
        receipts: list[Any] = []
        for call in self.pending(calls):
            target, data = self._data(call)
            tx = consortium.propose(
                int(Action.CALL), encode_args(Action.CALL, target=target, data=data),
                reason_hash(call.description), sender=approvers[0],
            )  # fmt: skip
            (event,) = tx.decode_logs(consortium.Proposed)
            pid = int(event.proposal_id)
            receipts.append(tx)
            receipts += [consortium.approve(pid, sender=a) for a in approvers[1:]]
            receipts.append(consortium.execute(pid, sender=approvers[0]))
            self._record(call, pid, "executed", str(receipts[-1].txn_hash))
        return receipts

    def propose(self, calls: Sequence[WiringCall], proposer: Any) -> list[int]:
        """Propose every pending call (other agencies approve and execute); returns ids."""
        from trustspace.governance import Governance

        gov = Governance(self.suite.contracts["Consortium"])
        ids = []
        for call in self.pending(calls):
            if self.suite.record.wiring.get(call.key, {}).get("status") == "proposed":
                continue
            target, data = self._data(call)
            pid = gov.propose("call", sender=proposer, reason=call.description,
                              target=target, data=data)  # fmt: skip
            self._record(call, pid, "proposed", "")
            ids.append(pid)
        return ids

    def _record(self, call: WiringCall, pid: int, status: str, tx_hash: str) -> None:
        self.suite.record.wiring[call.key] = {
            "description": call.description,
            "call": f"{call.contract}.{call.function}",
            "proposal_id": pid,
            "status": status,
            "tx_hash": tx_hash,
        }
        save(self.suite.record, self.suite.path)
        self.report("wiring", call.key, f"proposal {pid} {status}: {call.description}")
