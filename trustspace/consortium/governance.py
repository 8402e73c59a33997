"""Consortium governance by readable names, for scripts, tests and ``ape console``.

A proposal carries an action and its ABI-encoded arguments. This module is the
one place that knows each action's argument layout (the same tuples that
``contracts/Consortium.vy`` decodes), so callers write::

    gov = Governance(consortium)
    pid = gov.propose("grant_role", account=a, roles=Role.NOTARY, sender=admin,
                      reason="customs notary key")
    gov.approve(pid, sender=other_admin)
    gov.execute(pid, sender=admin)

or, when the approving admins are at hand, ``gov.decide(...)`` does all three and
returns the proposal id with every receipt (``gov.enact(...)`` returns the id only).

This is the one propose → approve → execute loop of the project: the demo, the
deploy wiring, the bus tooling, the tests and the benches all run it, over ape
(:class:`ApeConsortium`) or over web3.py (:class:`Web3Consortium`), whichever
contract object they hold.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

from eth_abi.abi import decode, encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.consortium.constants import Action, OrgKind, OrgStatus, ProposalStatus, Role
from trustspace.errors import InputError

if TYPE_CHECKING:
    from ape.api import AccountAPI, ReceiptAPI
    from ape.contracts import ContractInstance
    from ape.managers.project import ProjectManager
    from eth_account.signers.local import LocalAccount
    from web3.contract import Contract
    from web3.types import TxReceipt

    from trustspace.bus.web3tx import TxSender

__all__ = [
    "ACTION_ARGS",
    "ARG_DEFAULTS",
    "ApeConsortium",
    "ConsortiumPort",
    "Decision",
    "Governance",
    "GovernanceError",
    "OrgSeed",
    "OrgView",
    "Web3Consortium",
    "constructor_args",
    "decode_args",
    "deploy_consortium",
    "encode_args",
    "parse_action",
    "reason_hash",
]

SignerT = TypeVar("SignerT")
SignerContra = TypeVar("SignerContra", contravariant=True)
ReceiptT = TypeVar("ReceiptT")

# Argument names and ABI types of each action, in the order the contract decodes them.
ACTION_ARGS: dict[Action, tuple[tuple[str, str], ...]] = {
    Action.ADD_ORG: (("name", "string"), ("kind", "uint8"), ("did", "address")),
    Action.SUSPEND_ORG: (("org_id", "uint256"),),
    Action.REINSTATE_ORG: (("org_id", "uint256"),),
    Action.REMOVE_ORG: (("org_id", "uint256"),),
    Action.ADD_ACCOUNT: (("org_id", "uint256"), ("account", "address")),
    Action.REMOVE_ACCOUNT: (("account", "address"),),
    Action.GRANT_ROLE: (("account", "address"), ("roles", "uint256"), ("expiry", "uint256")),
    Action.REVOKE_ROLE: (("account", "address"), ("roles", "uint256")),
    Action.SET_THRESHOLD: (("threshold", "uint256"),),
    Action.SET_DID: (("org_id", "uint256"), ("did", "address")),
    Action.ADD_NODE: (
        ("enode_high", "bytes32"),
        ("enode_low", "bytes32"),
        ("ip", "bytes16"),
        ("port", "uint16"),
    ),
    Action.REMOVE_NODE: (
        ("enode_high", "bytes32"),
        ("enode_low", "bytes32"),
        ("ip", "bytes16"),
        ("port", "uint16"),
    ),
    Action.SET_PROTECTED: (("target", "address"), ("protected", "bool")),
    Action.CALL: (("target", "address"), ("data", "bytes")),
    Action.BIND: (("target", "address"),),
}

# Optional arguments and their defaults.
ARG_DEFAULTS: dict[str, Any] = {
    "did": "0x0000000000000000000000000000000000000000",
    "expiry": 0,
    "protected": True,
}

ZERO_REASON = b"\x00" * 32


class GovernanceError(InputError):
    """A proposal could not be built from the given names and values."""


def parse_action(action: Action | str | int) -> Action:
    """Accept ``Action.GRANT_ROLE``, ``"grant_role"``, ``"GRANT-ROLE"`` or ``7``."""
    if isinstance(action, Action):
        return action
    if isinstance(action, int):
        try:
            return Action(action)
        except ValueError as err:
            raise GovernanceError(f"unknown action number {action}") from err
    key = action.strip().upper().replace("-", "_")
    try:
        return Action[key]
    except KeyError as err:
        known = ", ".join(a.name.lower() for a in Action)
        raise GovernanceError(f"unknown action {action!r}; known: {known}") from err


def reason_hash(reason: str | bytes) -> bytes:
    """The on-chain reason: keccak256 of the UTF-8 text (zero for no reason), or 32 raw bytes."""
    if isinstance(reason, bytes):
        if len(reason) != 32:
            raise GovernanceError(f"a raw reason must be 32 bytes, got {len(reason)}")
        return reason
    return keccak(text=reason) if reason else ZERO_REASON


def _coerce(name: str, abi_type: str, value: Any) -> Any:
    if abi_type == "address":
        address = getattr(value, "address", value)
        try:
            return to_checksum_address(str(address))
        except ValueError as err:
            raise GovernanceError(f"{name}: not an address: {value!r}") from err
    if abi_type.startswith("uint"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise GovernanceError(f"{name}: expected an integer, got {value!r}")
        return int(value)
    if abi_type.startswith("bytes") and abi_type != "bytes":
        size = int(abi_type[5:])
        raw = (
            bytes.fromhex(value[2:] if value.startswith("0x") else value)
            if isinstance(value, str)
            else bytes(value)
        )
        if len(raw) > size:
            raise GovernanceError(f"{name}: {len(raw)} bytes do not fit {abi_type}")
        return raw.rjust(size, b"\x00")
    if abi_type == "bytes":
        if isinstance(value, str):
            return bytes.fromhex(value[2:] if value.startswith("0x") else value)
        return bytes(value)
    return value


def encode_args(action: Action | str | int, **values: Any) -> bytes:
    """ABI-encode an action's arguments given by name; unknown or missing names are errors."""
    act = parse_action(action)
    spec = ACTION_ARGS[act]
    names = {name for name, _ in spec}
    extra = set(values) - names
    if extra:
        raise GovernanceError(f"{act.name.lower()} takes {sorted(names)}, not {sorted(extra)}")
    ordered: list[Any] = []
    for name, abi_type in spec:
        if name in values:
            value = values[name]
        elif name in ARG_DEFAULTS:
            value = ARG_DEFAULTS[name]
        else:
            raise GovernanceError(f"{act.name.lower()} needs {name}")
        ordered.append(_coerce(name, abi_type, value))
    return encode([t for _, t in spec], ordered)


def decode_args(action: Action | str | int, data: bytes) -> dict[str, Any]:
    """The arguments of a stored proposal by name (the inverse of :func:`encode_args`):
    addresses checksummed, fixed bytes and ``data`` as bytes, integers as ``int``.
    :class:`GovernanceError` if ``data`` does not hold the action's layout."""
    act = parse_action(action)
    spec = ACTION_ARGS[act]
    try:
        values = decode([t for _, t in spec], bytes(data))
    except Exception as err:  # eth_abi raises several unrelated types on bad input
        raise GovernanceError(
            f"the arguments of this {act.name.lower()} proposal do not decode: {err}"
        ) from err
    out: dict[str, Any] = {}
    for (name, abi_type), value in zip(spec, values, strict=True):
        out[name] = to_checksum_address(value) if abi_type == "address" else value
    return out


@dataclass(frozen=True)
class OrgSeed:
    """An organisation the deployer seeds, with the accounts that receive ADMIN."""

    name: str
    kind: OrgKind
    admins: Sequence[Any]
    did: Any = ARG_DEFAULTS["did"]


def constructor_args(
    orgs: Sequence[OrgSeed], threshold: int, proposal_lifetime: int
) -> tuple[list[str], list[int], list[str], list[str], list[int], int, int]:
    """The Consortium constructor's arguments for these seeds (org ids are 1-based)."""
    names = [org.name for org in orgs]
    kinds = [int(org.kind) for org in orgs]
    dids = [_coerce("did", "address", org.did) for org in orgs]
    admins: list[str] = []
    admin_orgs: list[int] = []
    for org_id, org in enumerate(orgs, start=1):
        for admin in org.admins:
            admins.append(_coerce("admin", "address", admin))
            admin_orgs.append(org_id)
    return names, kinds, dids, admins, admin_orgs, threshold, proposal_lifetime


def deploy_consortium(
    project: ProjectManager | None,
    deployer: AccountAPI,
    orgs: Sequence[OrgSeed],
    threshold: int,
    proposal_lifetime: int = 7 * 86400,
) -> ContractInstance:
    """Deploy a Consortium seeded with ``orgs`` (unrecorded, for tests and benches); the
    deployer keeps no power. Goes through the one deployer, :mod:`trustspace.deploy.deployer`."""
    from trustspace.deploy.deployer import deploy_contract
    from trustspace.deploy.stacks import ApeChain

    chain = ApeChain(deployer, project=project)
    return deploy_contract(
        chain, "Consortium", *constructor_args(orgs, threshold, proposal_lifetime)
    )


@dataclass(frozen=True)
class OrgView:
    """An organisation as the chain holds it."""

    org_id: int
    name: str
    kind: OrgKind
    status: OrgStatus
    did: str
    accounts: tuple[str, ...]


class ConsortiumPort(Protocol[SignerContra, ReceiptT]):
    """How the governance loop reaches a Consortium on one chain stack.

    :class:`ApeConsortium` (ape contract instances, ape accounts) and
    :class:`Web3Consortium` (web3.py contracts, local keys signed through
    :class:`trustspace.bus.web3tx.TxSender`) are the two implementations.
    """

    @property
    def contract(self) -> Any:
        """The stack's contract object of the Consortium."""

    def transact(self, function: str, args: Sequence[Any], sender: SignerContra) -> ReceiptT:
        """Send ``Consortium.<function>(*args)`` from ``sender``; the mined receipt."""

    def proposal_id(self, receipt: ReceiptT) -> int:
        """The id of the proposal that a ``propose`` receipt made."""

    def read(self, function: str, *args: Any) -> Any:
        """The result of the view ``Consortium.<function>(*args)``."""

    def calldata(self, target: Any, function: str, *args: Any) -> tuple[str, bytes]:
        """Address and ABI-encoded call ``target.<function>(*args)`` (for CALL proposals)."""

    def tx_hash(self, receipt: ReceiptT) -> str:
        """The 0x-hex hash of the transaction of ``receipt``."""


class ApeConsortium:
    """The Consortium through ape: ape contract instance, ape accounts, ape receipts."""

    def __init__(self, contract: ContractInstance) -> None:
        self._contract = contract

    @property
    def contract(self) -> ContractInstance:
        """The ape contract instance."""
        return self._contract

    def transact(self, function: str, args: Sequence[Any], sender: AccountAPI) -> ReceiptAPI:
        """Send through ape (ape signs, estimates gas and waits)."""
        receipt: ReceiptAPI = getattr(self._contract, function)(*args, sender=sender)
        return receipt

    def proposal_id(self, receipt: ReceiptAPI) -> int:
        """Decode the ``Proposed`` event with ape."""
        (event,) = receipt.decode_logs(self._contract.Proposed)
        return int(event.proposal_id)

    def read(self, function: str, *args: Any) -> Any:
        """Call a view through ape."""
        return getattr(self._contract, function)(*args)

    def calldata(self, target: Any, function: str, *args: Any) -> tuple[str, bytes]:
        """Encode with the ape contract instance ``target``."""
        return str(target.address), bytes(getattr(target, function).encode_input(*args))

    def tx_hash(self, receipt: ReceiptAPI) -> str:
        """ape's ``txn_hash``."""
        return str(receipt.txn_hash)


class Web3Consortium:
    """The Consortium through web3.py: local keys sign, :class:`TxSender` sends and waits
    (the stack of the daemons and of the multi-chain test and bench set-ups)."""

    def __init__(self, contract: Contract) -> None:
        self._contract = contract
        self._senders: dict[str, TxSender] = {}

    @property
    def contract(self) -> Contract:
        """The web3.py contract."""
        return self._contract

    def _sender(self, signer: LocalAccount | TxSender) -> TxSender:
        from trustspace.bus.web3tx import TxSender

        if isinstance(signer, TxSender):
            return signer
        if signer.address not in self._senders:
            self._senders[signer.address] = TxSender(self._contract.w3, signer)
        return self._senders[signer.address]

    def transact(
        self, function: str, args: Sequence[Any], sender: LocalAccount | TxSender
    ) -> TxReceipt:
        """Sign with the local key, send, wait; raises if the transaction reverted."""
        return self._sender(sender).transact(getattr(self._contract.functions, function)(*args))

    def proposal_id(self, receipt: TxReceipt) -> int:
        """Decode the ``Proposed`` event with web3.py."""
        from web3.logs import DISCARD

        (event,) = self._contract.events.Proposed().process_receipt(receipt, errors=DISCARD)
        return int(event["args"]["proposal_id"])

    def read(self, function: str, *args: Any) -> Any:
        """Call a view through web3.py."""
        return getattr(self._contract.functions, function)(*args).call()

    def calldata(self, target: Any, function: str, *args: Any) -> tuple[str, bytes]:
        """Encode with the web3.py contract ``target``."""
        data = target.encode_abi(function, list(args))
        return str(target.address), bytes.fromhex(str(data).removeprefix("0x"))

    def tx_hash(self, receipt: TxReceipt) -> str:
        """The receipt's ``transactionHash`` as 0x-hex."""
        return "0x" + bytes(receipt["transactionHash"]).hex()


def _port_of(consortium: Any) -> Any:
    """The port for a contract object of either stack (or a port, as it is)."""
    if isinstance(consortium, ApeConsortium | Web3Consortium):
        return consortium
    # A web3.py contract can exist only once web3.contract is imported; checking the type
    # (rather than probing attributes) leaves the console's NotDeployed stand-in alone.
    web3_contract = sys.modules.get("web3.contract")
    if web3_contract is not None and isinstance(consortium, web3_contract.Contract):
        return Web3Consortium(consortium)
    return ApeConsortium(consortium)


@dataclass(frozen=True)
class Decision(Generic[ReceiptT]):
    """A proposal carried through: its id and every receipt (propose, approvals, execute)."""

    proposal_id: int
    receipts: tuple[ReceiptT, ...]

    @property
    def executed(self) -> ReceiptT:
        """The receipt of the execution."""
        return self.receipts[-1]


class Governance(Generic[SignerT, ReceiptT]):
    """Propose, approve, execute and cancel Consortium proposals by readable names.

    The loop is written once here and runs over either chain stack: pass an ape
    contract instance (senders are ape accounts), a web3.py contract (senders are
    ``eth_account`` local accounts or :class:`TxSender`), or a :class:`ConsortiumPort`.
    """

    @overload
    def __init__(
        self: Governance[LocalAccount | TxSender, TxReceipt], consortium: Contract
    ) -> None: ...

    @overload
    def __init__(
        self: Governance[AccountAPI, ReceiptAPI], consortium: ContractInstance
    ) -> None: ...

    @overload
    def __init__(self, consortium: ConsortiumPort[SignerT, ReceiptT]) -> None: ...

    def __init__(self, consortium: Any) -> None:
        self.port: ConsortiumPort[SignerT, ReceiptT] = _port_of(consortium)
        #: The stack's contract object (ape instance or web3.py contract).
        self.consortium: Any = self.port.contract

    def submit(
        self,
        action: Action | str | int,
        *,
        sender: SignerT,
        reason: str | bytes = "",
        **values: Any,
    ) -> Decision[ReceiptT]:
        """Make a proposal (the proposer's organisation approves it); its id and receipt."""
        act = parse_action(action)
        args = (int(act), encode_args(act, **values), reason_hash(reason))
        receipt = self.port.transact("propose", args, sender)
        return Decision(self.port.proposal_id(receipt), (receipt,))

    def propose(
        self,
        action: Action | str | int,
        *,
        sender: SignerT,
        reason: str | bytes = "",
        **values: Any,
    ) -> int:
        """Make a proposal (the proposer's organisation approves it) and return its id."""
        return self.submit(action, sender=sender, reason=reason, **values).proposal_id

    def approve(self, proposal_id: int, *, sender: SignerT) -> ReceiptT:
        """Approve on behalf of the sender's organisation."""
        return self.port.transact("approve", (proposal_id,), sender)

    def execute(self, proposal_id: int, *, sender: SignerT) -> ReceiptT:
        """Carry out a proposal that has enough approvals."""
        return self.port.transact("execute", (proposal_id,), sender)

    def cancel(self, proposal_id: int, *, sender: SignerT) -> ReceiptT:
        """Withdraw a proposal (any live ADMIN of the proposing organisation)."""
        return self.port.transact("cancel", (proposal_id,), sender)

    def decide(
        self,
        action: Action | str | int,
        *,
        approvers: Sequence[SignerT],
        reason: str | bytes = "",
        **values: Any,
    ) -> Decision[ReceiptT]:
        """Propose by the first approver, approve by the others, execute by the first.

        ``approvers`` must be ADMIN accounts of at least ``threshold`` distinct
        organisations; the contract rejects the execution otherwise. Returns the
        proposal id and the receipts in order (propose, each approval, execute).
        """
        if not approvers:
            raise GovernanceError("a decision needs at least one approving admin")
        proposed = self.submit(action, sender=approvers[0], reason=reason, **values)
        pid = proposed.proposal_id
        approvals = [self.approve(pid, sender=approver) for approver in approvers[1:]]
        executed = self.execute(pid, sender=approvers[0])
        return Decision(pid, (*proposed.receipts, *approvals, executed))

    def enact(
        self,
        action: Action | str | int,
        *,
        approvers: Sequence[SignerT],
        reason: str | bytes = "",
        **values: Any,
    ) -> int:
        """:meth:`decide`, returning only the proposal id."""
        return self.decide(action, approvers=approvers, reason=reason, **values).proposal_id

    def propose_call(
        self, target: Any, function: str, *args: Any, sender: SignerT, reason: str | bytes = ""
    ) -> int:
        """Propose that the Consortium calls ``target.<function>(*args)`` (``target`` is a
        contract object of the same stack); returns the proposal id."""
        address, data = self.port.calldata(target, function, *args)
        return self.propose(Action.CALL, sender=sender, reason=reason, target=address, data=data)

    def decide_call(
        self,
        target: Any,
        function: str,
        *args: Any,
        approvers: Sequence[SignerT],
        reason: str | bytes = "",
    ) -> Decision[ReceiptT]:
        """:meth:`decide` a CALL proposal of ``target.<function>(*args)``: how every
        privileged change to another contract of the suite is made."""
        address, data = self.port.calldata(target, function, *args)
        return self.decide(
            Action.CALL, approvers=approvers, reason=reason, target=address, data=data
        )

    def tx_hash(self, receipt: ReceiptT) -> str:
        """The 0x-hex transaction hash of a receipt of this stack."""
        return self.port.tx_hash(receipt)

    def status(self, proposal_id: int) -> ProposalStatus:
        """The stored status (an OPEN proposal may still have expired; see ``is_executable``)."""
        return ProposalStatus(int(_field(self.port.read("proposals", proposal_id), "status", 1)))

    def organisations(self) -> list[OrgView]:
        """Every organisation with its status and accounts, read from the chain."""
        views = []
        for org_id in self.port.read("organisations"):
            org = self.port.read("organisation", org_id)
            views.append(
                OrgView(
                    org_id=int(org_id),
                    name=str(_field(org, "name", 0)),
                    kind=OrgKind(int(_field(org, "kind", 1))),
                    status=OrgStatus(int(_field(org, "status", 2))),
                    did=str(_field(org, "did", 3)),
                    accounts=tuple(str(a) for a in self.port.read("accounts_of", org_id)),
                )
            )
        return views

    def roles_of(self, account: Any) -> Role:
        """The live role flags of an account."""
        address = _coerce("account", "address", account)
        return Role(int(self.port.read("roles_of", address)))


def _field(struct: Any, name: str, index: int) -> Any:
    """A struct member as ape (attribute) or web3.py (tuple position) returns it."""
    return struct[index] if isinstance(struct, tuple | list) else getattr(struct, name)
