"""Validator committees decided on the hub and applied on the domain chains.

The hub's Consortium decides which keys sign each chain's checkpoints: a CALL proposal of
``HubLink.set_committee`` (:func:`set_committee`). The hub's link sends the committee to
every other registered domain on the ordered lane; a domain's link keeps only its hash,
because setting a bus's validator set does not fit the bus's recipient gas cap. Anyone then
applies it with the preimage (:func:`apply_committee`), which the hub's link keeps
(:func:`committee_on_hub`) and whose hash :func:`committee_digest` computes.

The contracts are ape contract instances or web3.py contracts (the daemons' stack); the
proposal goes through :class:`trustspace.consortium.governance.Governance`, which serves
both. The hash is computed with eth-abi, the encoding the contract uses, so a wrong
preimage is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.bus.web3tx import TxSender
from trustspace.consortium.governance import Decision, Governance, _field
from trustspace.errors import InputError

__all__ = [
    "MAX_KEYS",
    "Committee",
    "apply_committee",
    "committee_digest",
    "committee_on_hub",
    "pending_digest",
    "set_committee",
]

MAX_KEYS = 16
"""Most keys in a committee (HubLink's ``_MAX_KEYS``)."""


@dataclass(frozen=True)
class Committee:
    """A validator committee: keys in strictly increasing order, each with its organisation."""

    origin: int
    origin_bus: str
    keys: tuple[str, ...]
    orgs: tuple[int, ...]
    threshold: int

    @classmethod
    def of(
        cls, origin: int, origin_bus: str, members: Sequence[tuple[str, int]], threshold: int
    ) -> Committee:
        """A committee from ``(key, organisation)`` pairs in any order (sorted here)."""
        if not 1 <= len(members) <= MAX_KEYS:
            raise InputError(f"a committee has 1 to {MAX_KEYS} keys, not {len(members)}")
        ordered = sorted(
            ((to_checksum_address(k), int(o)) for k, o in members), key=lambda m: int(m[0], 16)
        )
        keys = tuple(k for k, _ in ordered)
        if len(set(keys)) != len(keys):
            raise InputError("a key appears twice in the committee")
        distinct = len({o for _, o in ordered})
        if not 1 <= threshold <= distinct:
            raise InputError(f"threshold must be 1 to {distinct} (distinct organisations)")
        return cls(
            origin, to_checksum_address(origin_bus), keys, tuple(o for _, o in ordered), threshold
        )

    def args(self) -> tuple[Any, ...]:
        """The arguments of ``set_committee`` and ``apply_committee``."""
        return (self.origin, self.origin_bus, list(self.keys), list(self.orgs), self.threshold)


def committee_digest(committee: Committee) -> bytes:
    """The hash a domain link keeps pending: keccak256(abi_encode(bus, keys, orgs, threshold))."""
    return keccak(
        encode(
            ["address", "address[]", "uint256[]", "uint8"],
            [committee.origin_bus, list(committee.keys), list(committee.orgs), committee.threshold],
        )
    )


def set_committee(
    gov: Governance[Any, Any], hub_link: Any, committee: Committee, *, approvers: Sequence[Any]
) -> Decision[Any]:
    """Decide ``committee`` on the hub (a CALL proposal of ``hub_link.set_committee``)."""
    return gov.decide_call(hub_link, "set_committee", *committee.args(), approvers=approvers)


def committee_on_hub(hub_link: Any, origin: int) -> Committee | None:
    """The committee the hub's link keeps for ``origin`` (None if it has none)."""
    stored = _read(hub_link, "committee", origin)
    threshold = int(_field(stored, "threshold", 3))
    if threshold == 0:
        return None
    return Committee(
        origin,
        to_checksum_address(_field(stored, "origin_bus", 0)),
        tuple(to_checksum_address(k) for k in _field(stored, "keys", 1)),
        tuple(int(o) for o in _field(stored, "orgs", 2)),
        threshold,
    )


def pending_digest(domain_link: Any, origin: int) -> bytes | None:
    """The hash of the committee for ``origin`` waiting on a domain link (None if none)."""
    digest = bytes(_read(domain_link, "pending_committee", origin))
    return None if digest == bytes(32) else digest


def apply_committee(domain_link: Any, committee: Committee, *, sender: Any) -> Any:
    """Apply a pending committee on a domain (anyone may); refuses one that is not pending.

    ``sender`` is an ape account, or for a web3.py contract a :class:`TxSender` or a local key.
    """
    pending = pending_digest(domain_link, committee.origin)
    if pending is None:
        raise InputError(f"no committee for chain {committee.origin} is pending here")
    if pending != committee_digest(committee):
        raise InputError(f"the committee pending for chain {committee.origin} is another one")
    if hasattr(domain_link, "functions"):
        tx = sender if isinstance(sender, TxSender) else TxSender(domain_link.w3, sender)
        return tx.send(tx.prepare(domain_link.functions.apply_committee(*committee.args())))
    return domain_link.apply_committee(*committee.args(), sender=sender)


def _read(contract: Any, name: str, *args: Any) -> Any:
    """A view call on an ape or a web3.py contract."""
    if hasattr(contract, "functions"):
        return getattr(contract.functions, name)(*args).call()
    return getattr(contract, name)(*args)
