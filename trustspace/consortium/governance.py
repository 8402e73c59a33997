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

The contract stores only a hash of a proposal's arguments and reason; they travel in
its ``Proposed`` event. :meth:`Governance.execute` takes them from the proposals this
process made or else from that event (filtered by the indexed proposal id), so callers
pass only the id. Each action has a policy (:class:`Policy`); :meth:`Governance.progress`
says how far a proposal is from it.

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

from trustspace.consortium.constants import (
    MAX_ACTION,
    Action,
    OrgKind,
    OrgStatus,
    PolicyKind,
    ProposalStatus,
    Role,
)
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
    "Policy",
    "Progress",
    "ProposedRecord",
    "Web3Consortium",
    "commitment",
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
    Action.SET_POLICY: (("policy_action", "uint8"), ("policy", "uint256")),
    Action.SET_WEIGHT: (("org_id", "uint256"), ("weight", "uint256")),
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


def commitment(args: bytes, reason: bytes) -> bytes:
    """What the contract stores of a proposal: keccak256(reason ++ args)."""
    return keccak(bytes(reason) + bytes(args))


@dataclass(frozen=True)
class Policy:
    """The policy of an action, packed on chain in one word (bits 0-7 kind, 8-15 the
    first parameter, 16-23 the second): K_OF_N ``k`` distinct organisations, WEIGHTED
    ``participation`` % of the live admin weight voting and ``approval`` % of the votes'
    weight approving, ALL_OF_KIND every live admin organisation of ``org_kind``.
    ``Policy()`` (word 0) is the default: K_OF_N with the current threshold."""

    kind: PolicyKind = PolicyKind.DEFAULT
    k: int = 0
    participation: int = 0
    approval: int = 0
    org_kind: int = 0

    @classmethod
    def k_of_n(cls, k: int) -> Policy:
        """``k`` distinct live admin organisations approve."""
        return cls(PolicyKind.K_OF_N, k=k)

    @classmethod
    def weighted(cls, participation: int, approval: int) -> Policy:
        """Weighted votes: ``participation`` % of the weight votes, ``approval`` % of it
        approves."""
        return cls(PolicyKind.WEIGHTED, participation=participation, approval=approval)

    @classmethod
    def all_of_kind(cls, org_kind: OrgKind | int) -> Policy:
        """Every live admin organisation of ``org_kind`` approves (and there is at least one)."""
        return cls(PolicyKind.ALL_OF_KIND, org_kind=int(org_kind))

    def encode(self) -> int:
        """The policy word; :class:`GovernanceError` for values the contract refuses outright."""
        if self.kind == PolicyKind.DEFAULT:
            return 0
        if self.kind == PolicyKind.K_OF_N:
            if not 1 <= self.k <= 64:
                raise GovernanceError(f"k-of-n needs 1 <= k <= 64, got {self.k}")
            return int(self.kind) | self.k << 8
        if self.kind == PolicyKind.WEIGHTED:
            for name, pct in (("participation", self.participation), ("approval", self.approval)):
                if not 1 <= pct <= 100:
                    raise GovernanceError(f"weighted {name} must be 1 to 100 %, got {pct}")
            return int(self.kind) | self.participation << 8 | self.approval << 16
        try:
            OrgKind(self.org_kind)
        except ValueError as err:
            raise GovernanceError(
                f"all-of-kind needs an organisation kind, got {self.org_kind}"
            ) from err
        return int(self.kind) | self.org_kind << 8

    @classmethod
    def decode(cls, word: int) -> Policy:
        """The policy of a word as the chain holds it (:class:`GovernanceError` if malformed)."""
        word = int(word)
        if word == 0:
            return cls()
        kind, first, second = word & 0xFF, (word >> 8) & 0xFF, word >> 16
        try:
            pk = PolicyKind(kind)
        except ValueError as err:
            raise GovernanceError(f"unknown policy kind {kind} in word {word:#x}") from err
        if pk == PolicyKind.K_OF_N:
            return cls.k_of_n(first)
        if pk == PolicyKind.WEIGHTED:
            return cls.weighted(first, second)
        return cls(PolicyKind.ALL_OF_KIND, org_kind=first)

    def describe(self) -> str:
        """``2 of n organisations``, ``weighted: 60% participation, 51% approval``, ..."""
        if self.kind == PolicyKind.DEFAULT:
            return "default (k of n with the threshold)"
        if self.kind == PolicyKind.K_OF_N:
            return f"{self.k} of n organisations"
        if self.kind == PolicyKind.WEIGHTED:
            return f"weighted: {self.participation}% participation, {self.approval}% approval"
        try:
            kind_name = OrgKind(self.org_kind).name.lower()
        except ValueError:
            kind_name = str(self.org_kind)
        return f"all {kind_name} organisations"

    def spec(self) -> str:
        """The command-line form: ``default``, ``k-of-n:2``, ``weighted:60:51``,
        ``all-of-kind:customs``."""
        if self.kind == PolicyKind.K_OF_N:
            return f"k-of-n:{self.k}"
        if self.kind == PolicyKind.WEIGHTED:
            return f"weighted:{self.participation}:{self.approval}"
        if self.kind == PolicyKind.ALL_OF_KIND:
            try:
                return f"all-of-kind:{OrgKind(self.org_kind).name.lower()}"
            except ValueError:
                return f"all-of-kind:{self.org_kind}"
        return "default"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        out: dict[str, Any] = {"kind": self.kind.name.lower(), "word": self.encode()}
        if self.kind == PolicyKind.K_OF_N:
            out["k"] = self.k
        elif self.kind == PolicyKind.WEIGHTED:
            out |= {"participation": self.participation, "approval": self.approval}
        elif self.kind == PolicyKind.ALL_OF_KIND:
            out["org_kind"] = OrgKind(self.org_kind).name.lower()
        return out


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class Progress:
    """How a proposal stands against its policy snapshot (the contract's ``tally``): only
    live admin organisations count; for ALL_OF_KIND only those of that kind."""

    policy: Policy
    approvals: int
    approving_weight: int
    rejections: int
    rejecting_weight: int
    eligible: int
    eligible_weight: int
    needed: int
    passes: bool

    @property
    def missing(self) -> int:
        """More organisations that must approve (K_OF_N, ALL_OF_KIND), or more weight that
        must approve, assuming nobody else rejects (WEIGHTED); 0 once it passes."""
        if self.passes:
            return 0
        if self.policy.kind != PolicyKind.WEIGHTED:
            return max(0, self.needed - self.approvals)
        a, r = self.approving_weight, self.rejecting_weight
        turnout = max(0, _ceil_div(self.policy.participation * self.eligible_weight, 100) - a - r)
        pct = self.policy.approval
        share = max(0, _ceil_div(pct * (a + r) - 100 * a, 100 - pct)) if pct < 100 else 0
        return max(turnout, share, 0 if a else 1)

    def distance(self) -> str:
        """One line: what is missing before the proposal can execute."""
        if self.passes:
            return "passes its policy"
        if self.policy.kind == PolicyKind.WEIGHTED:
            if self.policy.approval == 100 and self.rejecting_weight:
                return "cannot pass while an organisation rejects it (100% approval needed)"
            return (
                f"approving weight {self.approving_weight}, rejecting {self.rejecting_weight} "
                f"of {self.eligible_weight}: needs {self.missing} more approving weight"
            )
        return f"{self.approvals} of {self.needed} organisations: needs {self.missing} more"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "policy": self.policy.to_json(),
            "policy_text": self.policy.describe(),
            "approvals": self.approvals,
            "approving_weight": self.approving_weight,
            "rejections": self.rejections,
            "rejecting_weight": self.rejecting_weight,
            "eligible": self.eligible,
            "eligible_weight": self.eligible_weight,
            "needed": self.needed,
            "missing": self.missing,
            "passes": self.passes,
            "distance": self.distance(),
        }


@dataclass(frozen=True)
class ProposedRecord:
    """What a ``Proposed`` event carries: everything ``execute`` needs again."""

    proposal_id: int
    action: int
    args: bytes
    reason: bytes
    proposer: str
    org_id: int
    expires_at: int
    policy: int


# Proposals made by this process, by (Consortium address, id): execute needs their
# arguments, and the in-process chain keeps no logs. An entry is used only while it
# matches the stored commitment (a restored chain snapshot may reuse an id).
_MADE: dict[tuple[str, int], ProposedRecord] = {}


def _coerce(name: str, abi_type: str, value: Any) -> Any:
    if abi_type == "address":
        address = getattr(value, "address", value)
        try:
            return to_checksum_address(str(address))
        except ValueError as err:
            raise GovernanceError(f"{name}: not an address: {value!r}") from err
    if name == "policy_action":
        act = parse_action(value)
        if not 1 <= act <= MAX_ACTION:
            raise GovernanceError(f"policy_action: no policy for {act.name.lower()}")
        return int(act)
    if name == "policy" and isinstance(value, Policy):
        return value.encode()
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

    def proposed_events(self, proposal_id: int) -> list[ProposedRecord]:
        """The ``Proposed`` events of ``proposal_id`` (a log query filtered by its topic)."""


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

    def _proposed(self) -> Any:
        """The ``Proposed`` event type. ape merges the ABI it cached for an address with a
        newer one (a local chain restarted at the same addresses with another release):
        of several ``Proposed`` events, the one of this release is meant."""
        event = self._contract.Proposed
        if hasattr(event, "abi"):
            return event
        from trustspace.artifacts import contract_type

        wanted = contract_type("Consortium").events["Proposed"]
        return next(e for e in event.events if e.abi.selector == wanted.selector)

    def proposal_id(self, receipt: ReceiptAPI) -> int:
        """Decode the ``Proposed`` event with ape."""
        (event,) = receipt.decode_logs(self._proposed())
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

    def proposed_events(self, proposal_id: int) -> list[ProposedRecord]:
        """The contract's ``Proposed`` logs with this id (index or node), decoded by ape."""
        from trustspace.event_logs import ape_logs

        try:
            logs = ape_logs(self._proposed(), 0, search_topics={"proposal_id": proposal_id})
        except NotImplementedError:  # a provider that keeps no logs (the in-process chain)
            return []
        return [_record(log) for log in logs]


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

    def proposed_events(self, proposal_id: int) -> list[ProposedRecord]:
        """The contract's ``Proposed`` logs with this id (index or node), decoded by web3.py."""
        from trustspace.event_logs import web3_logs

        logs = web3_logs(self._contract.events.Proposed(), "0x" + f"{proposal_id:064x}")
        return [_record(log["args"]) for log in logs]


def _record(event: Any) -> ProposedRecord:
    """A ``Proposed`` event of either stack (ape log or web3.py args mapping)."""

    def get(name: str) -> Any:
        return (
            event[name]
            if isinstance(event, dict) or hasattr(event, "keys")
            else getattr(event, name)
        )

    return ProposedRecord(
        proposal_id=int(get("proposal_id")),
        action=int(get("action")),
        args=bytes(get("args")),
        reason=bytes(get("reason")),
        proposer=to_checksum_address(str(get("proposer"))),
        org_id=int(get("org_id")),
        expires_at=int(get("expires_at")),
        policy=int(get("policy")),
    )


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
        raw, why = encode_args(act, **values), reason_hash(reason)
        receipt = self.port.transact("propose", (int(act), raw, why), sender)
        pid = self.port.proposal_id(receipt)
        proposer = to_checksum_address(str(getattr(sender, "address", "0x" + "00" * 20)))
        _MADE[(self._key(), pid)] = ProposedRecord(pid, int(act), raw, why, proposer, 0, 0, 0)
        return Decision(pid, (receipt,))

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

    def reject(self, proposal_id: int, *, sender: SignerT) -> ReceiptT:
        """Reject on behalf of the sender's organisation (withdrawing its approval)."""
        return self.port.transact("reject", (proposal_id,), sender)

    def execute(self, proposal_id: int, *, sender: SignerT) -> ReceiptT:
        """Carry out a proposal whose votes pass its policy; its arguments and reason come
        from :meth:`proposed` (the contract checks them against its commitment)."""
        made = self.proposed(proposal_id)
        return self.port.transact("execute", (proposal_id, made.args, made.reason), sender)

    def _key(self) -> str:
        return str(getattr(self.consortium, "address", "")).lower()

    def proposed(self, proposal_id: int) -> ProposedRecord:
        """What proposal ``proposal_id`` carries (action, arguments, reason, proposer):
        from the proposals this process made if the chain's commitment matches, else from
        its ``Proposed`` event. :class:`GovernanceError` when neither is found."""
        stored = bytes(_field(self.port.read("proposals", proposal_id), "commitment", 8))
        made = _MADE.get((self._key(), proposal_id))
        if made is not None and commitment(made.args, made.reason) == stored:
            return made
        for record in self.port.proposed_events(proposal_id):
            if commitment(record.args, record.reason) == stored:
                return record
        raise GovernanceError(
            f"proposal {proposal_id}: no Proposed event matching its commitment on this chain"
        )

    def policy(self, action: Action | str | int) -> Policy:
        """The policy a proposal of ``action`` opened now would be judged by."""
        return Policy.decode(int(self.port.read("policy_of", int(parse_action(action)))))

    def own_policy(self, action: Action | str | int) -> Policy:
        """The action's own policy (``Policy()``: none, the default applies)."""
        return Policy.decode(int(self.port.read("policies", int(parse_action(action)))))

    def progress(self, proposal_id: int) -> Progress:
        """How far proposal ``proposal_id`` is from its policy snapshot (live votes only)."""
        t = self.port.read("tally", proposal_id)
        names = (
            "policy", "approvals", "approving_weight", "rejections", "rejecting_weight",
            "eligible", "eligible_weight", "needed", "passes",
        )  # fmt: skip
        v = [_field(t, n, i) for i, n in enumerate(names)]
        n = [int(x) for x in v[1:8]]
        return Progress(
            Policy.decode(int(v[0])), n[0], n[1], n[2], n[3], n[4], n[5], n[6], bool(v[8])
        )

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

    def weight_of(self, org_id: int) -> int:
        """An organisation's voting weight under WEIGHTED policies."""
        return int(self.port.read("weight_of", org_id))

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
