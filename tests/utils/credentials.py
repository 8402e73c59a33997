"""Test data of the credential tests: the AEO credential type and its JSON Schema (the demo's)."""

from __future__ import annotations

from trustspace.credentials.model import type_hash
from trustspace.credentials.schemas import schema_hash
from trustspace.devnet.demo_credentials import AEO_SCHEMA, AEO_TYPE, aeo_claims

__all__ = ["AEO_SCHEMA", "AEO_TYPE", "CUSTOMS", "MARITIME", "TAX", "aeo_claims", "type_and_schema"]

CUSTOMS, TAX, MARITIME = 1, 2, 3


def type_and_schema() -> tuple[bytes, bytes]:
    """On-chain keys of the AEO type and schema."""
    return type_hash(AEO_TYPE), schema_hash(AEO_SCHEMA)
