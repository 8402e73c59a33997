"""Governance proposals as people read them: action and arguments by name, which
organisations approved or rejected, the policy the proposal is judged by, how far it is
from it, and the state.

The chain keeps a proposal's header and a hash of its arguments; the arguments, the
reason and the proposer's account come from its ``Proposed`` event
(:meth:`~trustspace.consortium.governance.Governance.proposed`).

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
    Policy,
    Progress,
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
    """One organisation's vote (an approval, or a rejection) and whether it still counts
    (the organisation is active and has an ADMIN account)."""

    org: OrgRef
    counts: bool
    rejects: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        vote = "reject" if self.rejects else "approve"
        return {**self.org.to_json(), "vote": vote, "counts": self.counts}


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
    progress: Progress | None = None
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
        """How many more organisations (or, under a weighted policy, how much more weight)
        must approve before it can execute."""
        if self.progress is not None:
            return self.progress.missing
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
            "approvals": [a.to_json() for a in self.approvals if not a.rejects],
            "rejections": [a.to_json() for a in self.approvals if a.rejects],
            "live_approvals": self.live_approvals,
            "needed": self.needed,
            "missing": self.missing,
            "executable": self.executable,
            "waiting_for": [o.to_json() for o in self.waiting],
        }
        if self.progress is not None:
            out["progress"] = self.progress.to_json()
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
        elif name == "policy_action":
            try:
                shown = Action(int(value)).name.lower().replace("_", "-")
            except ValueError:
                shown = str(value)
        elif name == "policy":
            try:
                shown = Policy.decode(int(value)).spec()
            except GovernanceError:
                shown = hex(int(value))
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
        problem = None
        call = None
        raw, reason, proposer = b"", b"\x00" * 32, ZERO_ADDRESS
        try:
            made = self.gov.proposed(proposal_id)
            raw, reason, proposer = made.args, made.reason, made.proposer
            action = Action(action_id)
            args = decode_args(action, raw)
        except (ValueError, GovernanceError) as err:
            action, args, problem = Action.CALL, {"raw": raw}, str(err)
        if action == Action.CALL and problem is None:
            target = str(args["target"])
            call = decode_call(bytes(args["data"]), self.contracts.get(target.lower()))
        approved, rejected = int(_field(p, "approved", 6)), int(_field(p, "rejected", 7))
        approvals = []
        for bit in range(64):
            if not (approved | rejected) >> bit & 1:
                continue
            org_id = bit + 1
            counts = self._is_admin_org(org_id)
            approvals.append(Approval(self.org(org_id), counts, bool(rejected >> bit & 1)))
        status = ProposalStatus(int(_field(p, "status", 1)))
        progress = self.gov.progress(proposal_id)
        counted = {a.org.org_id for a in approvals if a.counts and not a.rejects}
        waiting_for: tuple[OrgRef, ...] = ()
        if waiting and status == ProposalStatus.OPEN:
            waiting_for = tuple(self.org(o) for o in self.live_admin_orgs() if o not in counted)
        return ProposalView(
            proposal_id=proposal_id,
            action=action,
            args=args,
            raw_args=raw,
            status=status,
            proposer=proposer,
            proposer_org=self.org(int(_field(p, "proposer_org", 2))),
            created_at=int(_field(p, "created_at", 3)),
            expires_at=int(_field(p, "expires_at", 4)),
            reason=reason,
            approvals=tuple(approvals),
            live_approvals=progress.approvals,
            needed=progress.needed,
            executable=bool(self.read("is_executable", proposal_id)),
            now=self.now,
            progress=progress,
            waiting=waiting_for,
            call=call,
            problem=problem,
        )

    def _is_admin_org(self, org_id: int) -> bool:
        """Active and holding at least one live ADMIN account: its votes count."""
        if int(self.read("org_status", org_id)) != OrgStatus.ACTIVE:
            return False
        return any(
            int(self.read("roles_of", a)) & Role.ADMIN for a in self.read("accounts_of", org_id)
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
                and self.now < int(_field(p, "expires_at", 4))
                and int(_field(p, "action", 0)) == int(action)
            ):
                try:
                    same = self.gov.proposed(pid).args == bytes(raw_args)
                except GovernanceError:
                    same = False
                if same:
                    found.append(pid)
        return found
