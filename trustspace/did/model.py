"""A plain-Python model of one ERC-1056 registry, for property tests and dry runs.

It records what each successful operation should have done (owner, nonce,
delegations with expiry, attribute events, deactivation) and renders the
document that resolution should give, by feeding its own records, as
events, through the same did:ethr rules as the resolver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trustspace.did.resolver import (
    ATTRIBUTE,
    DELEGATE,
    NULL_ADDRESS,
    OWNER,
    RegistryEvent,
    build_document,
    did_for,
)


@dataclass
class IdentityModel:
    """What the registry should hold for one identity."""

    address: str
    owner: str | None = None
    deactivated: bool = False
    delegations: dict[tuple[str, str], int] = field(default_factory=dict)
    events: list[RegistryEvent] = field(default_factory=list)
    changed: int = 0

    def current_owner(self) -> str:
        if self.deactivated:
            return NULL_ADDRESS
        return self.owner or self.address

    def _record(self, event: RegistryEvent) -> None:
        self.events.append(event)
        self.changed = event.block

    def change_owner(self, new_owner: str, block: int) -> None:
        self.owner = new_owner
        self.deactivated = new_owner == NULL_ADDRESS
        self._record(
            RegistryEvent(OWNER, block, (0, len(self.events)), self.changed, owner=new_owner)
        )

    def set_delegate(self, kind: str, delegate: str, valid_to: int, block: int) -> None:
        self.delegations[(kind, delegate)] = valid_to
        self._record(
            RegistryEvent(
                DELEGATE,
                block,
                (0, len(self.events)),
                self.changed,
                delegate_type=kind,
                delegate=delegate,
                valid_to=valid_to,
            )
        )

    def set_attribute(self, name: str, value: bytes, valid_to: int, block: int) -> None:
        self._record(
            RegistryEvent(
                ATTRIBUTE,
                block,
                (0, len(self.events)),
                self.changed,
                name=name,
                value=value,
                valid_to=valid_to,
            )
        )

    def valid_delegate(self, kind: str, delegate: str, now: int) -> bool:
        """What ``validDelegate`` should answer at block time ``now`` (strictly later)."""
        return not self.deactivated and self.delegations.get((kind, delegate), 0) > now

    def document(self, chain_id: int, now: int) -> tuple[dict[str, object], bool]:
        """The document (and deactivation flag) resolution should give at time ``now``."""
        did = did_for(self.address, chain_id)
        return build_document(did, self.address, chain_id, self.events, now)
