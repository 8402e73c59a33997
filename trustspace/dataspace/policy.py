"""Usage policies: ODRL-inspired, canonical JSON (RFC 8785) whose digest goes on chain.

A policy says who may use a dataset, for what and how often::

    {"type": "trustspace:UsagePolicy", "version": 1,
     "purposes": ["VAT assessment"], "consumerOrgs": [2], "consumerKinds": ["TAX"],
     "validFrom": 0, "validUntil": 0, "maxTransfers": 10, "approvals": 0,
     "credentialType": null, "notarized": false}

The chain enforces what a contract can check (``DataService`` ``Terms``): the consumer
organisations and kinds, the validity period, the maximum number of transfers and the k-of-n
approvals. The connector enforces the rest at request time: the agreement's purpose must be one
of ``purposes``, and when ``credentialType`` names a verifiable credential type (issue 15), the
request must carry a presentation, made for the connector's URL and the request's nonce, by the
consumer organisation's DID on the hub, of a valid credential of that type (checked by the
credentials ``Verifier`` against the hub's DID registry, Consortium and CredentialRegistry:
issuer accredited, not revoked or suspended; see :mod:`trustspace.dataspace.connector` and
docs/dataspace.md for each refusal).
The digest is SHA-256 of the canonical bytes (:func:`trustspace.crypto.hashing.hash_json`),
so any RFC 8785 implementation in any language recomputes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustspace.consortium.constants import OrgKind
from trustspace.crypto.hashing import canonical_json, hash_json
from trustspace.errors import InputError

__all__ = ["POLICY_TYPE", "Policy", "PolicyError"]

POLICY_TYPE = "trustspace:UsagePolicy"
_MAX_UINT32 = 2**32 - 1
_MAX_UINT40 = 2**40 - 1
_FIELDS = {
    "type",
    "version",
    "purposes",
    "consumerOrgs",
    "consumerKinds",
    "validFrom",
    "validUntil",
    "maxTransfers",
    "approvals",
    "credentialType",
    "notarized",
}


class PolicyError(InputError):
    """A policy document that is not a valid usage policy."""


def _int(doc: dict[str, Any], name: str, top: int) -> int:
    value = doc.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise PolicyError(f"policy: {name} must be an integer in 0..{top}, got {value!r}")
    return value


@dataclass(frozen=True)
class Policy:
    """A usage policy; :meth:`terms` is its on-chain part, :meth:`digest` its commitment."""

    purposes: tuple[str, ...]
    consumer_orgs: tuple[int, ...] = ()
    consumer_kinds: tuple[OrgKind, ...] = ()
    valid_from: int = 0
    valid_until: int = 0
    max_transfers: int = 0
    approvals: int = 0
    credential_type: str | None = None
    notarized: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.purposes or any(not isinstance(p, str) or not p for p in self.purposes):
            raise PolicyError("policy: purposes must be a non-empty list of non-empty strings")
        if self.valid_until and self.valid_until <= self.valid_from:
            raise PolicyError("policy: validUntil must be after validFrom (0 means unbounded)")

    @classmethod
    def from_json(cls, doc: Any) -> Policy:
        """Read a policy document (a parsed JSON object); :class:`PolicyError` if malformed."""
        if not isinstance(doc, dict):
            raise PolicyError("policy: expected a JSON object")
        unknown = set(doc) - _FIELDS
        if unknown:
            raise PolicyError(f"policy: unknown field(s) {', '.join(sorted(unknown))}")
        if doc.get("type", POLICY_TYPE) != POLICY_TYPE or doc.get("version", 1) != 1:
            raise PolicyError(f"policy: type must be {POLICY_TYPE!r} version 1")
        purposes = doc.get("purposes")
        if not isinstance(purposes, list):
            raise PolicyError("policy: purposes must be a list of strings")
        orgs = doc.get("consumerOrgs", [])
        if not isinstance(orgs, list) or any(
            isinstance(o, bool) or not isinstance(o, int) or not 1 <= o <= _MAX_UINT32 for o in orgs
        ):
            raise PolicyError("policy: consumerOrgs must be a list of organisation ids")
        kinds = doc.get("consumerKinds", [])
        if not isinstance(kinds, list) or any(k not in OrgKind.__members__ for k in kinds):
            names = ", ".join(OrgKind.__members__)
            raise PolicyError(f"policy: consumerKinds must be a list of {names}")
        credential = doc.get("credentialType")
        if credential is not None and (not isinstance(credential, str) or not credential):
            raise PolicyError("policy: credentialType must be a non-empty string or null")
        notarized = doc.get("notarized", False)
        if not isinstance(notarized, bool):
            raise PolicyError("policy: notarized must be true or false")
        return cls(
            purposes=tuple(purposes),
            consumer_orgs=tuple(orgs),
            consumer_kinds=tuple(OrgKind[k] for k in kinds),
            valid_from=_int(doc, "validFrom", _MAX_UINT40),
            valid_until=_int(doc, "validUntil", _MAX_UINT40),
            max_transfers=_int(doc, "maxTransfers", _MAX_UINT32),
            approvals=_int(doc, "approvals", 255),
            credential_type=credential,
            notarized=notarized,
        )

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read a policy file; :class:`PolicyError` names the file and the problem."""
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise PolicyError(f"policy file not found: {path}") from err
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise PolicyError(f"policy file {path} is not JSON: {err}") from err
        return cls.from_json(doc)

    def to_json(self) -> dict[str, Any]:
        """The policy document, every field present (so the digest has one form)."""
        return {
            "type": POLICY_TYPE,
            "version": 1,
            "purposes": list(self.purposes),
            "consumerOrgs": list(self.consumer_orgs),
            "consumerKinds": [k.name for k in self.consumer_kinds],
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
            "maxTransfers": self.max_transfers,
            "approvals": self.approvals,
            "credentialType": self.credential_type,
            "notarized": self.notarized,
        }

    def canonical(self) -> bytes:
        """RFC 8785 canonical bytes of :meth:`to_json`."""
        return canonical_json(self.to_json())

    def digest(self) -> bytes:
        """SHA-256 of the canonical bytes: the ``policyDigest`` of the offer."""
        return hash_json(self.to_json())

    def kinds_mask(self) -> int:
        """``Terms.consumerKinds``: bit (1 << kind) per admitted kind."""
        mask = 0
        for kind in self.consumer_kinds:
            mask |= 1 << int(kind)
        return mask

    def terms(self) -> tuple[Any, ...]:
        """The ABI tuple of ``IDataService.Terms``."""
        return (
            list(self.consumer_orgs),
            self.kinds_mask(),
            self.valid_from,
            self.valid_until,
            self.max_transfers,
            self.approvals,
        )

    def permits_purpose(self, purpose: str) -> bool:
        """True if ``purpose`` is one of the permitted purposes (exact match)."""
        return purpose in self.purposes

    @property
    def requires_credential(self) -> bool:
        """True if the policy names a credential type (a presentation is required; module doc)."""
        return self.credential_type is not None
