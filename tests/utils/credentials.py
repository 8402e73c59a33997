"""Test data of the credential tests: the AEO credential type and its JSON Schema."""

from __future__ import annotations

from trustspace.credentials.model import type_hash
from trustspace.credentials.schemas import schema_hash

__all__ = ["AEO_SCHEMA", "AEO_TYPE", "CUSTOMS", "MARITIME", "TAX", "aeo_claims", "type_and_schema"]

CUSTOMS, TAX, MARITIME = 1, 2, 3
AEO_TYPE = "AEOCertificate"
AEO_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Authorised Economic Operator certificate",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "eori": {"type": "string", "pattern": "^[A-Z]{2}[0-9A-Z]{1,15}$"},
        "aeoLevel": {"enum": ["AEOC", "AEOS", "AEOF"]},
        "address": {"type": "string"},
    },
    "required": ["name", "eori", "aeoLevel"],
}


def aeo_claims(**over: str) -> dict[str, str]:
    """Claims of a valid AEO certificate, some overridden."""
    return {
        "name": "Oceanic Trading Ltd",
        "eori": "GB123456789000",
        "aeoLevel": "AEOF",
        "address": "1 Dock Road",
        **over,
    }


def type_and_schema() -> tuple[bytes, bytes]:
    """On-chain keys of the AEO type and schema."""
    return type_hash(AEO_TYPE), schema_hash(AEO_SCHEMA)
