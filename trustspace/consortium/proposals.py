"""Governance proposals as people read them: action and arguments by name, who approved
(by organisation), how many more organisations are needed, and the state.

Reads go through the :class:`~trustspace.consortium.governance.Governance` port, so the
same views serve ape and web3.py. Argument layouts come from
:func:`~trustspace.consortium.governance.decode_args` (the one place that knows them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trustspace.consortium.calls import DecodedCall, decode_call
from trustspace.consortium.constants import Action, OrgKind, OrgStatus, ProposalStatus, Role
from trustspace.consortium.governance import (
    Governance,
    GovernanceError,
    _field,
    decode_args,
)

__all__ = [
    "STATES",
    "Approval",
    "OrgRef",
    "ProposalReader",
    "ProposalView",
    "describe_args",
]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: The states ``gov list`` filters on.
STATES = ("open", "expired", "executed", "cancelled")


@dataclass(frozen=True)
class OrgRef:
    """An organisation by id and name."""

    org_id: int
    name: str

    def label(self) -> str:
        """``Customs Authority (org 1)``."""
        return f"{self.name or 'unknown organisation'} (org {self.org_id})"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"org_id": self.org_id, "name": self.name}


@dataclass(frozen=True)
class Approval:
    """One organisation's approval and whether it still counts (its approver still an
    ADMIN of that live organisation)."""

    org: OrgRef
    approver: str
    counts: bool

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {**self.org.to_json(), "approver": self.approver, "counts": self.counts}


@dataclass(frozen=True)
class ProposalView:
    """A proposal read from the chain, with its arguments decoded."""

    proposal_id: int
    action: Action
    args: dict[str, Any]
    raw_args: bytes
    status: ProposalStatus
    proposer: str
    proposer_org: OrgRef
    created_at: int
    expires_at: int
    reason: bytes
    approvals: tuple[Approval, ...]
    live_approvals: int
    needed: int
    executable: bool
    now: int
    #: Live admin organisations whose approval is still missing.
    waiting: tuple[OrgRef, ...] = ()
    call: DecodedCall | None = None
    #: A decoding problem (arguments of a shape the action does not take).
    problem: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        """``open``, ``expired``, ``executed`` or ``cancelled``."""
        if self.status == ProposalStatus.OPEN:
            return "expired" if self.now >= self.expires_at else "open"
        return self.status.name.lower()

    @property
    def missing(self) -> int:
        """How many more distinct organisations must approve before it can execute."""
        return max(0, self.needed - self.live_approvals)

    @property
    def action_name(self) -> str:
        """``grant-role``: the name the command line takes."""
        return self.action.name.lower().replace("_", "-")

    def summary(self) -> str:
        """``grant-role account=0x… roles=NOTARY expiry=0`` (one line)."""
        return f"{self.action_name} {describe_args(self.action, self.args, self.call)}".strip()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (bytes as 0x-hex by the CLI's encoder)."""
        out: dict[str, Any] = {
            "id": self.proposal_id,
            "action": self.action_name,
            "action_id": int(self.action),
            "args": {k: _jsonable(v) for k, v in self.args.items()},
            "summary": self.summary(),
            "state": self.state,
            "proposer": self.proposer,
            "proposer_org": self.proposer_org.to_json(),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "reason_hash": "0x" + self.reason.hex(),
            "approvals": [a.to_json() for a in self.approvals],
            "live_approvals": self.live_approvals,
            "needed": self.needed,
            "missing": self.missing,
            "executable": self.executable,
            "waiting_for": [o.to_json() for o in self.waiting],
        }
        if self.call is not None:
            out["call"] = {
                "contract": self.call.contract,
                "function": self.call.signature,
                "args": {k: _jsonable(v) for k, v in self.call.args.items()},
            }
        if self.problem:
            out["problem"] = self.problem
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _role_text(flags: int) -> str:
    names = [role.name or "" for role in Role if flags & role]
    unknown = flags & ~sum(int(r) for r in Role)
    return "|".join(names + ([hex(unknown)] if unknown else [])) or "0"


def describe_args(action: Action, args: dict[str, Any], call: DecodedCall | None = None) -> str:
    """The arguments as ``name=value`` words, with role flags and kinds by name."""
    if action == Action.CALL and call is not None:
        return f"target={args.get('target')} {call.describe()}"
    words = []
    for name, value in args.items():
        if name == "roles":
            shown = _role_text(int(value))
        elif name == "kind":
            try:
                shown = OrgKind(int(value)).name.lower()
            except ValueError:
                shown = str(value)
        elif isinstance(value, bytes | bytearray):
            shown = "0x" + bytes(value).hex()
        elif isinstance(value, str) and " " in value:
            shown = repr(value)
        else:
            shown = str(value)
        words.append(f"{name}={shown}")
    return " ".join(words)


class ProposalReader:
    """Reads proposals of one Consortium, naming organisations and CALL targets.

    ``contracts``: ``{address: contract name}`` of the suite on this chain (from the
    deployment record) so that a CALL names its target; ``now``: the chain's time.
    """

    def __init__(
        self, gov: Governance[Any, Any], now: int, contracts: dict[str, str] | None = None
    ) -> None:
        self.gov = gov
        self.now = now
        self.contracts = {k.lower(): v for k, v in (contracts or {}).items()}
        self._names: dict[int, str] = {}

    def read(self, function: str, *args: Any) -> Any:
        """A Consortium view."""
        return self.gov.port.read(function, *args)

    def org(self, org_id: int) -> OrgRef:
        """An organisation's id and name (read once)."""
        if org_id not in self._names:
            self._names[org_id] = str(_field(self.read("organisation", org_id), "name", 0))
        return OrgRef(org_id, self._names[org_id])

    def count(self) -> int:
        """Proposals ever made (ids run from 1)."""
        return int(self.read("proposal_count"))

    def live_admin_orgs(self) -> list[int]:
        """Active organisations that have at least one live ADMIN account."""
        orgs = {int(self.read("org_of", a)) for a in self.read("holders_of", int(Role.ADMIN))}
        return sorted(o for o in orgs if int(self.read("org_status", o)) == OrgStatus.ACTIVE)

    def exists(self, proposal_id: int) -> bool:
        """Whether ``proposal_id`` was ever made."""
        return 1 <= proposal_id <= self.count()

    def proposal(self, proposal_id: int, *, waiting: bool = True) -> ProposalView:
        """Proposal ``proposal_id``; :class:`GovernanceError` if there is none."""
        if not self.exists(proposal_id):
            count = self.count()
            known = f"ids run from 1 to {count}" if count else "none was made yet"
            raise GovernanceError(f"no proposal {proposal_id} in this Consortium ({known})")
        p = self.read("proposals", proposal_id)
        action_id = int(_field(p, "action", 0))
        raw = bytes(_field(p, "args", 7))
        problem = None
        call = None
        try:
            action = Action(action_id)
            args = decode_args(action, raw)
        except (ValueError, GovernanceError) as err:
            action, args, problem = Action.CALL, {"raw": raw}, str(err)
        if action == Action.CALL and problem is None:
            target = str(args["target"])
            call = decode_call(bytes(args["data"]), self.contracts.get(target.lower()))
        approvals = []
        for org_id in self.read("approving_orgs", proposal_id):
            org_id = int(org_id)
            approver = str(self.read("approver_of", proposal_id, org_id))
            counts = int(self.read("org_with_role", approver, int(Role.ADMIN))) == org_id
            approvals.append(Approval(self.org(org_id), approver, counts))
        status = ProposalStatus(int(_field(p, "status", 1)))
        counted = {a.org.org_id for a in approvals if a.counts}
        waiting_for: tuple[OrgRef, ...] = ()
        if waiting and status == ProposalStatus.OPEN:
            waiting_for = tuple(self.org(o) for o in self.live_admin_orgs() if o not in counted)
        return ProposalView(
            proposal_id=proposal_id,
            action=action,
            args=args,
            raw_args=raw,
            status=status,
            proposer=str(_field(p, "proposer", 2)),
            proposer_org=self.org(int(_field(p, "proposer_org", 3))),
            created_at=int(_field(p, "created_at", 4)),
            expires_at=int(_field(p, "expires_at", 5)),
            reason=bytes(_field(p, "reason", 6)),
            approvals=tuple(approvals),
            live_approvals=int(self.read("approvals", proposal_id)),
            needed=int(self.read("approvals_needed", proposal_id)),
            executable=bool(self.read("is_executable", proposal_id)),
            now=self.now,
            waiting=waiting_for,
            call=call,
            problem=problem,
        )

    def proposals(self, states: Iterable[str] = ("open",)) -> list[ProposalView]:
        """Every proposal in one of ``states`` (oldest first)."""
        wanted = set(states)
        out = []
        for pid in range(1, self.count() + 1):
            view = self.proposal(pid, waiting=False)
            if view.state in wanted:
                out.append(view)
        return out

    def identical_open(self, action: Action, raw_args: bytes) -> list[int]:
        """Ids of open (unexpired) proposals of the same action with the same arguments."""
        found = []
        for pid in range(1, self.count() + 1):
            p = self.read("proposals", pid)
            if (
                int(_field(p, "status", 1)) == ProposalStatus.OPEN
                and self.now < int(_field(p, "expires_at", 5))
                and int(_field(p, "action", 0)) == int(action)
                and bytes(_field(p, "args", 7)) == bytes(raw_args)
            ):
                found.append(pid)
        return found
