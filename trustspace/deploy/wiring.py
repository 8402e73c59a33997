"""Wiring: what the constructors cannot do, done by governance and recorded.

The deployer holds no power, so the links between the suite's contracts and
between chains (the Notary may dispatch on the bus, mirrors to a peer Notary, the
bus accepts a peer's checkpoints) are Consortium ``call`` proposals. They are
recorded under ``"wiring"`` in the deployment record, so re-running does nothing
twice. Proposals go through the one governance loop,
:class:`trustspace.consortium.governance.Governance`.

A proposal's id is recorded as soon as it is made, so a wiring run that fails after
proposing (an execution refused, a process killed) is resumed by the next run: the
open proposal is approved by whoever has not approved it yet and executed, never
proposed a second time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address

from trustspace.consortium.constants import Action, ProposalStatus, Role
from trustspace.consortium.governance import Governance, _field
from trustspace.deploy.deployer import Reporter, Suite, silent
from trustspace.deploy.records import DeploymentRecord, save

__all__ = [
    "EXECUTED",
    "PROPOSED",
    "Wiring",
    "WiringCall",
    "enrol_validators",
    "hub_calls",
    "hub_of",
    "wiring_calls",
]

EXECUTED = "executed"
PROPOSED = "proposed"


@dataclass(frozen=True)
class WiringCall:
    """One governance call that links the suite: ``<contract>.<function>(*args)``."""

    key: str
    description: str
    contract: str
    function: str
    args: tuple[Any, ...]
    #: CALL for a call of ``contract.function``; another action (BIND) is proposed as is,
    #: with ``args`` as its arguments by name (``function`` then names the argument).
    action: Action = Action.CALL


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
            WiringCall(f"notary.peer.{chain_id}",
                       f"trust the Notary {peer.address('Notary')} of chain {chain_id}",
                       "Notary", "setPeer", (chain_id, peer.address("Notary")))
        )  # fmt: skip
        calls.append(
            WiringCall(f"bus.destination.{chain_id}",
                       f"address messages for chain {chain_id} to its bus "
                       f"{peer.address('MessageBus')}",
                       "MessageBus", "setDestinationBus", (chain_id, peer.address("MessageBus")))
        )  # fmt: skip
        if keys:
            calls.append(
                WiringCall(
                    f"bus.validators.{chain_id}",
                    f"accept checkpoints of chain {chain_id}'s bus "
                    f"{peer.address('MessageBus')} signed by {threshold} of {len(keys)} "
                    f"validator organisations ({', '.join(keys)})",
                    "MessageBus", "setValidators",
                    (chain_id, peer.address("MessageBus"), keys, threshold),
                )
            )  # fmt: skip
    return calls + hub_calls(record, peers)


def hub_of(record: DeploymentRecord) -> int:
    """The hub chain a suite follows (0: it is the hub, or has no HubLink)."""
    entry = record.contracts.get("HubLink")
    return int(entry.args[2]) if entry is not None and len(entry.args) > 2 else 0


def hub_calls(record: DeploymentRecord, peers: Mapping[int, DeploymentRecord]) -> list[WiringCall]:
    """The calls that link this chain to its hub (on a domain), or its domains (on the hub):
    the Consortium binds to its HubLink once; the hub's link may dispatch, and registers
    each peer that follows this chain (after the bus routes to it)."""
    if record.contracts.get("HubLink") is None:
        return []
    link = record.address("HubLink")
    calls = []
    hub = hub_of(record)
    if hub == 0:
        calls.append(
            WiringCall("bus.sender.HubLink", "the HubLink may dispatch hub decisions",
                       "MessageBus", "setSender", (link, True))
        )  # fmt: skip
    calls.append(
        WiringCall("consortium.bind",
                   f"bind to the HubLink {link}"
                   + (f" (follow the hub, chain {hub})" if hub else " (this chain is the hub)"),
                   "Consortium", "target", (link,), Action.BIND)
    )  # fmt: skip
    if hub == 0:
        for chain_id, peer in sorted(peers.items()):
            if peer.contracts.get("HubLink") is None or hub_of(peer) != record.chain_id:
                continue
            calls.append(
                WiringCall(f"hub.domain.{chain_id}",
                           f"send organisation decisions to chain {chain_id} "
                           f"(its HubLink {peer.address('HubLink')})",
                           "HubLink", "add_domain", (chain_id, peer.address("HubLink")))
            )  # fmt: skip
    return calls


def enrol_validators(
    governance: Governance[Any, Any], keys: Sequence[str], approvers: Sequence[Any]
) -> list[Any]:
    """Make ``keys[i]`` an account of organisation ``i + 1`` holding VALIDATOR, by decisions
    of ``approvers`` (admins of enough organisations); steps already done are skipped.
    Returns the decisions taken."""
    consortium = governance.consortium
    decisions = []
    for org_id, key in enumerate(keys, start=1):
        if int(consortium.org_of(key)) == 0:
            decisions.append(governance.decide("add_account", approvers=approvers,
                                               reason="validator key", org_id=org_id,
                                               account=key))  # fmt: skip
        if not consortium.has_role(key, int(Role.VALIDATOR)):
            decisions.append(governance.decide("grant_role", approvers=approvers,
                                               reason="validator role", account=key,
                                               roles=int(Role.VALIDATOR)))  # fmt: skip
    return decisions


class Wiring:
    """Makes the wiring proposals of one chain's suite and records them."""

    def __init__(self, suite: Suite[Any], report: Reporter = silent) -> None:
        self.suite = suite
        self.report = report
        self.governance: Governance[Any, Any] = Governance(suite.consortium)

    def pending(self, calls: Sequence[WiringCall]) -> list[WiringCall]:
        """The calls not yet executed according to the record. A binding the chain already
        holds is done whatever the record says: it can be made once only, and proposing it
        again (a record lost or copied) would be refused."""
        wiring = self.suite.record.wiring
        return [
            c
            for c in calls
            if wiring.get(c.key, {}).get("status") != EXECUTED and not self._bound(c)
        ]

    def _bound(self, call: WiringCall) -> bool:
        if call.action != Action.BIND:
            return False
        current = str(self.governance.port.read("hub_link"))
        return current.lower() == str(call.args[0]).lower()

    def enact(self, calls: Sequence[WiringCall], approvers: Sequence[Any]) -> list[Any]:
        """Propose (or resume the recorded open proposal), approve and execute every pending
        call with ``approvers`` (ADMINs of enough distinct organisations); returns receipts."""
        if not approvers:
            raise ValueError("wiring needs at least one approving admin")
        receipts: list[Any] = []
        for call in self.pending(calls):
            pid = self._open_proposal(call)
            if pid is None:
                proposed = self.governance.submit(
                    call.action, sender=approvers[0], reason=call.description,
                    **self._values(call),
                )  # fmt: skip
                pid = proposed.proposal_id
                receipts += proposed.receipts
                self._record(call, pid, PROPOSED, "")
            bitmap = int(_field(self.governance.port.read("proposals", pid), "approved", 6))
            approved = {bit + 1 for bit in range(64) if bitmap >> bit & 1}
            for approver in approvers:
                if bool(self.governance.port.read("is_executable", pid)):
                    break
                org = int(self.governance.port.read("org_of", approver.address))
                if org in approved:
                    continue
                receipts.append(self.governance.approve(pid, sender=approver))
                approved.add(org)
            executed = self.governance.execute(pid, sender=approvers[0])
            receipts.append(executed)
            self._record(call, pid, EXECUTED, self.governance.tx_hash(executed))
        return receipts

    def _open_proposal(self, call: WiringCall) -> int | None:
        """The recorded proposal of ``call`` if it is still open on chain."""
        entry = self.suite.record.wiring.get(call.key, {})
        pid = entry.get("proposal_id")
        if entry.get("status") != PROPOSED or pid is None:
            return None
        if self.governance.status(int(pid)) != ProposalStatus.OPEN:
            return None
        return int(pid)

    def propose(self, calls: Sequence[WiringCall], proposer: Any) -> list[int]:
        """Propose every pending call (other agencies approve and execute); returns ids."""
        ids = []
        for call in self.pending(calls):
            if self.suite.record.wiring.get(call.key, {}).get("status") == PROPOSED:
                continue
            pid = self.governance.propose(
                call.action, sender=proposer, reason=call.description, **self._values(call)
            )
            self._record(call, pid, PROPOSED, "")
            ids.append(pid)
        return ids

    def _values(self, call: WiringCall) -> dict[str, Any]:
        """The proposal's arguments by name: a CALL's target and calldata, or (another
        action) ``function`` naming its one argument."""
        if call.action != Action.CALL:
            return {call.function: call.args[0]}
        target = self.suite.contract(call.contract)
        address, data = self.governance.port.calldata(target, call.function, *call.args)
        return {"target": address, "data": data}

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
