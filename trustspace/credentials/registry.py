"""The CredentialRegistry contract from Python (ape): governance calls, status lists, issuers.

Schemas and accreditations are Consortium decisions: these helpers build the CALL
proposals (:class:`~trustspace.consortium.governance.Governance`), which other
organisations' admins then approve. Status lists are the issuing organisation's own:
its ISSUER accounts send those transactions directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustspace.consortium.governance import reason_hash
from trustspace.credentials.model import CredentialError, Purpose, type_hash
from trustspace.credentials.schemas import schema_hash

__all__ = [
    "Accreditation",
    "accreditation_call",
    "create_list",
    "schema_call",
    "set_status",
    "withdraw_call",
]

#: Most entries one ``set_statuses`` transaction flips (the contract's bound).
MAX_BATCH = 256


@dataclass(frozen=True)
class Accreditation:
    """What ``accredit`` is called with, by name."""

    org_id: int
    type_name: str
    schema: dict[str, Any]
    valid_from: int
    valid_until: int

    def args(self) -> tuple[int, bytes, bytes, int, int]:
        """The contract arguments."""
        return (
            self.org_id,
            type_hash(self.type_name),
            schema_hash(self.schema),
            self.valid_from,
            self.valid_until,
        )


def schema_call(type_name: str, schema: dict[str, Any]) -> tuple[str, tuple[bytes, bytes]]:
    """Function and arguments of a CALL registering ``schema`` for ``type_name``."""
    return "register_schema", (schema_hash(schema), type_hash(type_name))


def accreditation_call(acc: Accreditation) -> tuple[str, tuple[Any, ...]]:
    """Function and arguments of a CALL accrediting an organisation."""
    if not acc.valid_from < acc.valid_until:
        raise CredentialError("an accreditation must start before it ends")
    return "accredit", acc.args()


def withdraw_call(
    org_id: int, type_name: str, schema: dict[str, Any]
) -> tuple[str, tuple[Any, ...]]:
    """Function and arguments of a CALL withdrawing an accreditation now."""
    return "withdraw", (org_id, type_hash(type_name), schema_hash(schema))


def create_list(registry: Any, purpose: Purpose, words: int, sender: Any) -> int:
    """Create a status list of the sender's organisation; returns its id."""
    receipt = registry.create_list(int(purpose), words, sender=sender)
    created = list(receipt.decode_logs(registry.StatusListCreated))
    return int(created[0].list_id)


def set_status(
    registry: Any, list_id: int, indices: list[int], flag: bool, reason: str, sender: Any
) -> list[Any]:
    """Set entries of a list (one transaction per :data:`MAX_BATCH`); the receipts."""
    if not indices:
        raise CredentialError("no status entries given")
    why = reason_hash(reason)
    if len(indices) == 1:
        return [registry.set_status(list_id, indices[0], flag, why, sender=sender)]
    return [
        registry.set_statuses(list_id, indices[i : i + MAX_BATCH], flag, why, sender=sender)
        for i in range(0, len(indices), MAX_BATCH)
    ]
