"""Consortium governance by readable names, for scripts, tests and ``ape console``.

A proposal carries an action and its ABI-encoded arguments. This module is the
one place that knows each action's argument layout (the same tuples that
``contracts/Consortium.vy`` decodes), so callers write::

    gov = Governance(consortium)
    pid = gov.propose("grant_role", account=a, roles=Role.NOTARY, sender=admin,
                      reason="customs notary key")
    gov.approve(pid, sender=other_admin)
    gov.execute(pid, sender=admin)

or, when the approving admins are at hand, ``gov.enact(...)`` does all three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.consortium.constants import Action, OrgKind, OrgStatus, ProposalStatus, Role
from trustspace.errors import InputError

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
    project: Any,
    deployer: Any,
    orgs: Sequence[OrgSeed],
    threshold: int,
    proposal_lifetime: int = 7 * 86400,
) -> Any:
    """Deploy a Consortium seeded with ``orgs``; the deployer keeps no power."""
    return deployer.deploy(
        project.Consortium, *constructor_args(orgs, threshold, proposal_lifetime)
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


class Governance:
    """Propose, approve, execute and cancel Consortium proposals by readable names."""

    def __init__(self, consortium: Any) -> None:
        self.consortium = consortium

    def propose(
        self, action: Action | str | int, *, sender: Any, reason: str | bytes = "", **values: Any
    ) -> int:
        """Make a proposal (the proposer's organisation approves it) and return its id."""
        act = parse_action(action)
        tx = self.consortium.propose(
            int(act), encode_args(act, **values), reason_hash(reason), sender=sender
        )
        (event,) = tx.decode_logs(self.consortium.Proposed)
        return int(event.proposal_id)

    def approve(self, proposal_id: int, *, sender: Any) -> Any:
        """Approve on behalf of the sender's organisation."""
        return self.consortium.approve(proposal_id, sender=sender)

    def execute(self, proposal_id: int, *, sender: Any) -> Any:
        """Carry out a proposal that has enough approvals."""
        return self.consortium.execute(proposal_id, sender=sender)

    def cancel(self, proposal_id: int, *, sender: Any) -> Any:
        """Withdraw a proposal (any live ADMIN of the proposing organisation)."""
        return self.consortium.cancel(proposal_id, sender=sender)

    def enact(
        self,
        action: Action | str | int,
        *,
        approvers: Sequence[Any],
        reason: str | bytes = "",
        **values: Any,
    ) -> int:
        """Propose by the first approver, approve by the others, execute; return the id.

        ``approvers`` must be ADMIN accounts of at least ``threshold`` distinct
        organisations; the contract rejects the execution otherwise.
        """
        if not approvers:
            raise GovernanceError("enact needs at least one approving admin")
        proposal_id = self.propose(action, sender=approvers[0], reason=reason, **values)
        for approver in approvers[1:]:
            self.approve(proposal_id, sender=approver)
        self.execute(proposal_id, sender=approvers[0])
        return proposal_id

    def status(self, proposal_id: int) -> ProposalStatus:
        """The stored status (an OPEN proposal may still have expired; see ``is_executable``)."""
        return ProposalStatus(int(self.consortium.proposals(proposal_id).status))

    def organisations(self) -> list[OrgView]:
        """Every organisation with its status and accounts, read from the chain."""
        views = []
        for org_id in self.consortium.organisations():
            org = self.consortium.organisation(org_id)
            views.append(
                OrgView(
                    org_id=int(org_id),
                    name=str(org.name),
                    kind=OrgKind(int(org.kind)),
                    status=OrgStatus(int(org.status)),
                    did=str(org.did),
                    accounts=tuple(str(a) for a in self.consortium.accounts_of(org_id)),
                )
            )
        return views

    def roles_of(self, account: Any) -> Role:
        """The live role flags of an account."""
        return Role(int(self.consortium.roles_of(account)))
