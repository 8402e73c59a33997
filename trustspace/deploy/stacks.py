"""The two chain stacks a deployment runs over, behind one small port.

:class:`SuiteDeployer <trustspace.deploy.deployer.SuiteDeployer>`, the unrecorded
:func:`deploy_contract <trustspace.deploy.deployer.deploy_contract>` and the DID
registry's factory path are written once against :class:`DeployChain`; this module
has its two implementations:

- :class:`ApeChain`: an ape account on ape's connected provider (``ape run deploy``,
  the demo, the console, every single-chain test on the in-process chain);
- :class:`Web3Chain`: a local key through :class:`trustspace.bus.web3tx.TxSender` on
  a JSON-RPC URL (the multi-chain bus set-ups of tests and benches, which run beside
  the web3.py daemons and do not switch ape's one active provider between chains).

Both sign a deployment before sending it, so its hash and address can be recorded
first (see :mod:`trustspace.deploy.records`). Code and ABIs come from
:mod:`trustspace.artifacts` (the shipped manifest); an ape ``project`` given to
:class:`ApeChain` makes it deploy the checkout's fresh build instead, which the
ABI test keeps equal to the shipped manifest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import rlp
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.artifacts import Artifact, artifact, shipped_manifest
from trustspace.errors import TrustspaceError

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI, ReceiptAPI
    from ape.contracts import ContractContainer, ContractInstance
    from ape.managers.project import ProjectManager
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
    from web3.contract import Contract
    from web3.types import TxReceipt

    from trustspace.bus.web3tx import TxSender

__all__ = [
    "ApeChain",
    "DeployChain",
    "Mined",
    "SignedTx",
    "Web3Chain",
    "create_address",
    "hex0x",
]

ContractT = TypeVar("ContractT", covariant=True)


@dataclass(frozen=True)
class SignedTx:
    """A signed transaction not yet sent: its hash and nonce are known already."""

    tx_hash: str
    nonce: int
    #: The stack's signed transaction (ape ``TransactionAPI`` or web3tx ``Prepared``).
    payload: Any


@dataclass(frozen=True)
class Mined:
    """What a deployment needs of a receipt, whichever stack mined it."""

    block: int
    gas_used: int
    contract_address: str | None
    failed: bool
    #: The stack's own receipt (ape ``ReceiptAPI`` or web3.py ``TxReceipt``).
    receipt: Any = None


class DeployChain(Protocol[ContractT]):
    """One chain and one paying account, as the deployer sees them."""

    @property
    def chain_id(self) -> int:
        """The connected chain's id."""

    @property
    def ecosystem(self) -> str:
        """Ecosystem name for the record file (``ethereum``)."""

    @property
    def network(self) -> str:
        """Network name for the record file (``customs``; ``custom`` for a URL)."""

    @property
    def deployer(self) -> str:
        """Checksummed address of the paying account."""

    def code(self, address: str) -> bytes:
        """The runtime code at ``address`` (empty: none)."""

    def genesis(self) -> str:
        """The 0x-hex hash of block 0: tells a restarted chain from the one recorded."""

    def initcode(self, name: str) -> bytes:
        """The creation code of contract type ``name``."""

    def sign_create(self, name: str, args: Sequence[Any]) -> SignedTx:
        """Sign the deployment of ``name(*args)`` at the account's next nonce."""

    def sign_call(self, name: str, address: str, function: str, args: Sequence[Any]) -> SignedTx:
        """Sign ``<name at address>.<function>(*args)``."""

    def send(self, signed: SignedTx) -> Mined:
        """Send a signed transaction and wait until it is mined."""

    def receipt(self, tx_hash: str) -> Mined | None:
        """The receipt of an earlier transaction, or None if the node has none."""

    def read(self, name: str, address: str, function: str, *args: Any) -> Any:
        """Call the view ``<name at address>.<function>(*args)``."""

    def bind(self, name: str, address: str) -> ContractT:
        """This stack's contract object for contract type ``name`` at ``address``."""

    def compilers(self) -> dict[str, str]:
        """``{"solidity": "0.8.37+commit…", "vyper": "0.4.3"}`` of the code deployed."""

    def compiler_of(self, name: str) -> str | None:
        """``"vyper 0.4.3"`` for a contract type."""


def hex0x(value: Any) -> str:
    """Bytes (or hex text with or without 0x) as 0x-hex text."""
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` at ``nonce`` gets (RLP of [sender, nonce])."""
    raw = keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:]
    return to_checksum_address(raw)


def _manifest_compilers(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {str(c["name"]): str(c["version"]) for c in entries}


def _manifest_compiler_of(entries: Sequence[Mapping[str, Any]], name: str) -> str | None:
    for c in entries:
        if name in (c.get("contractTypes") or []):
            return f"{c['name']} {c['version']}"
    return None


class ApeChain:
    """An ape account on ape's connected provider."""

    def __init__(
        self,
        sender: AccountAPI | None = None,
        provider: ProviderAPI | None = None,
        project: ProjectManager | None = None,
    ) -> None:
        """``sender`` pays (None: read and bind only); ``provider`` defaults to ape's
        active one; ``project`` (the checkout's build) replaces the shipped manifest as
        the source of code."""
        if provider is None:
            from ape import networks

            provider = networks.provider
        self.sender = sender
        self.provider = provider
        self.project = project
        self._containers: dict[str, ContractContainer] = {}

    @property
    def chain_id(self) -> int:
        """The provider's chain id."""
        return int(self.provider.chain_id)

    @property
    def ecosystem(self) -> str:
        """ape's ecosystem name."""
        return str(self.provider.network.ecosystem.name)

    @property
    def network(self) -> str:
        """ape's network name."""
        return str(self.provider.network.name)

    @property
    def account(self) -> AccountAPI:
        """The paying account; an error if there is none."""
        if self.sender is None:
            raise TrustspaceError("this chain was opened without a paying account")
        return self.sender

    @property
    def deployer(self) -> str:
        """The sender's address."""
        return to_checksum_address(str(self.account.address))

    def container(self, name: str) -> ContractContainer:
        """The ape contract container of a contract type (build or shipped manifest)."""
        if name not in self._containers:
            if self.project is not None:
                self._containers[name] = getattr(self.project, name)
            else:
                from ape.contracts import ContractContainer

                from trustspace.artifacts import contract_type

                self._containers[name] = ContractContainer(contract_type(name))
        return self._containers[name]

    def code(self, address: str) -> bytes:
        """``provider.get_code``."""
        return bytes(self.provider.get_code(address))

    def genesis(self) -> str:
        """The hash of block 0 from the provider."""
        return "0x" + bytes(self.provider.get_block(0).hash).hex()

    def initcode(self, name: str) -> bytes:
        """The container's deployment bytecode."""
        code = self.container(name).contract_type.deployment_bytecode
        text = code.bytecode if code is not None and code.bytecode else "0x"
        return bytes.fromhex(text.removeprefix("0x"))

    def _sign(self, txn: Any) -> SignedTx:
        txn = self.account.prepare_transaction(txn)
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise TrustspaceError("the transaction was not signed")
        return SignedTx(hex0x(signed.txn_hash), int(signed.nonce or 0), signed)

    def sign_create(self, name: str, args: Sequence[Any]) -> SignedTx:
        """Serialize the constructor call, let the account prepare and sign it."""
        constructor = self.container(name).constructor
        return self._sign(constructor.serialize_transaction(*args, sender=self.account))

    def sign_call(self, name: str, address: str, function: str, args: Sequence[Any]) -> SignedTx:
        """Build the call with the contract instance, prepare and sign it."""
        method = getattr(self.bind(name, address), function)
        return self._sign(method.as_transaction(*args, sender=self.account))

    def _mined(self, receipt: ReceiptAPI) -> Mined:
        address = getattr(receipt, "contract_address", None)
        return Mined(
            block=int(receipt.block_number),
            gas_used=int(receipt.gas_used),
            contract_address=None if not address else to_checksum_address(str(address)),
            failed=bool(getattr(receipt, "failed", False)),
            receipt=receipt,
        )

    def send(self, signed: SignedTx) -> Mined:
        """``provider.send_transaction`` (ape raises a decoded revert)."""
        return self._mined(self.provider.send_transaction(signed.payload))

    def receipt(self, tx_hash: str) -> Mined | None:
        """Ask the node through web3 first: ape's ``get_receipt`` waits for unknown hashes."""
        web3 = getattr(self.provider, "web3", None)
        if web3 is None:
            return None
        try:
            web3.eth.get_transaction_receipt(tx_hash)
        except Exception:  # not mined or unknown to this node
            return None
        return self._mined(self.provider.get_receipt(tx_hash))

    def read(self, name: str, address: str, function: str, *args: Any) -> Any:
        """Call the view through the contract instance."""
        return getattr(self.bind(name, address), function)(*args)

    def bind(self, name: str, address: str) -> ContractInstance:
        """The contract at ``address`` with exactly this release's contract type. ape caches a
        contract type per address and network (on disk for named networks) and by default
        *merges* a new one into it: a local chain restarted at the same addresses under another
        release would then have two of a function or event. The type we bind with is
        authoritative, so it replaces the cached one (and stays cached, which receipts need to
        decode return values)."""
        from ape import chain

        return chain.contracts.instance_at(
            to_checksum_address(address),
            contract_type=self.container(name).contract_type,
            fetch_from_explorer=False,
            detect_proxy=False,
            replace=True,
        )

    def _compiler_entries(self) -> list[dict[str, Any]]:
        if self.project is None:
            return list(shipped_manifest().get("compilers", []))
        # The manifest lists compilers only once the sources are compiled (a fresh checkout
        # has not been yet); load_contracts compiles what is missing and is a no-op after.
        self.project.load_contracts()
        return [
            {"name": c.name, "version": c.version, "contractTypes": c.contractTypes or []}
            for c in self.project.manifest.compilers or []
        ]

    def compilers(self) -> dict[str, str]:
        """From the build manifest (or the shipped one)."""
        return _manifest_compilers(self._compiler_entries())

    def compiler_of(self, name: str) -> str | None:
        """From the build manifest (or the shipped one)."""
        return _manifest_compiler_of(self._compiler_entries(), name)


class Web3Chain:
    """A local key on a JSON-RPC node, through web3.py and :class:`TxSender`."""

    def __init__(
        self,
        w3: Web3,
        key: LocalAccount | TxSender | str | bytes | None = None,
        artifacts: Mapping[str, Artifact] | None = None,
        network: str = "custom",
    ) -> None:
        """``key`` pays (None: read and bind only); ``artifacts`` (e.g.
        :func:`trustspace.artifacts.build_artifacts`) replace the shipped manifest;
        ``network`` names the record file (``custom``: by chain id)."""
        from trustspace.bus.web3tx import TxSender

        self.w3 = w3
        self.sender: TxSender | None = (
            key if isinstance(key, TxSender) or key is None else TxSender(w3, key)
        )
        self.artifacts = artifacts
        self._network = network
        self._chain_id = int(w3.eth.chain_id) if self.sender is None else self.sender.chain_id

    @property
    def account(self) -> TxSender:
        """The paying key's sender; an error if there is none."""
        if self.sender is None:
            raise TrustspaceError("this chain was opened without a paying key")
        return self.sender

    @property
    def chain_id(self) -> int:
        """The node's chain id."""
        return self._chain_id

    @property
    def ecosystem(self) -> str:
        """Always ``ethereum``."""
        return "ethereum"

    @property
    def network(self) -> str:
        """The network name given (``custom`` by default)."""
        return self._network

    @property
    def deployer(self) -> str:
        """The key's address."""
        return to_checksum_address(self.account.address)

    def artifact(self, name: str) -> Artifact:
        """ABI and code of a contract type."""
        return self.artifacts[name] if self.artifacts is not None else artifact(name)

    def code(self, address: str) -> bytes:
        """``eth_getCode``."""
        return bytes(self.w3.eth.get_code(to_checksum_address(address)))

    def genesis(self) -> str:
        """The hash of block 0 over JSON-RPC."""
        return "0x" + bytes(self.w3.eth.get_block(0)["hash"]).hex()

    def initcode(self, name: str) -> bytes:
        """The artifact's creation code."""
        return bytes.fromhex(self.artifact(name).bytecode.removeprefix("0x"))

    def _signed(self, call: Any) -> SignedTx:
        prepared = self.account.prepare(call)
        return SignedTx(prepared.tx_hash, prepared.nonce, prepared)

    def sign_create(self, name: str, args: Sequence[Any]) -> SignedTx:
        """Sign the constructor call (gas estimated as :meth:`TxSender.prepare` does)."""
        compiled = self.artifact(name)
        factory = self.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        return self._signed(factory.constructor(*args))

    def sign_call(self, name: str, address: str, function: str, args: Sequence[Any]) -> SignedTx:
        """Sign the contract call."""
        return self._signed(getattr(self.bind(name, address).functions, function)(*args))

    @staticmethod
    def _mined(receipt: TxReceipt) -> Mined:
        address = receipt.get("contractAddress")
        return Mined(
            block=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            contract_address=None if not address else to_checksum_address(str(address)),
            failed=int(receipt["status"]) != 1,
            receipt=receipt,
        )

    def send(self, signed: SignedTx) -> Mined:
        """Send the raw transaction and wait for its receipt."""
        return self._mined(self.account.send(signed.payload))

    def receipt(self, tx_hash: str) -> Mined | None:
        """``eth_getTransactionReceipt``, None if the node does not know it."""
        from web3.exceptions import TransactionNotFound

        try:
            return self._mined(self.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def read(self, name: str, address: str, function: str, *args: Any) -> Any:
        """``eth_call`` of the view."""
        return getattr(self.bind(name, address).functions, function)(*args).call()

    def bind(self, name: str, address: str) -> Contract:
        """A web3.py contract with the artifact's ABI."""
        return self.w3.eth.contract(
            address=to_checksum_address(address), abi=self.artifact(name).abi
        )

    def compilers(self) -> dict[str, str]:
        """From the shipped manifest."""
        return _manifest_compilers(shipped_manifest().get("compilers", []))

    def compiler_of(self, name: str) -> str | None:
        """From the shipped manifest."""
        return _manifest_compiler_of(shipped_manifest().get("compilers", []), name)
