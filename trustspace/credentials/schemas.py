"""Credential schemas: JSON Schema documents registered on chain by hash, checked with `jsonschema`.

The hash is keccak256 of the schema's RFC 8785 canonical JSON (``rfc8785``), so that
whitespace and key order do not change it. Validation uses the ``jsonschema`` library
(python-jsonschema, maintained, every draft up to 2020-12), with the draft the schema's
``$schema`` names (2020-12 when it names none).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import rfc8785
from eth_utils.crypto import keccak
from jsonschema.validators import validator_for

from trustspace.credentials.model import SCHEMA_PREFIX, CredentialError

__all__ = ["SchemaStore", "load_schema", "schema_errors", "schema_hash", "schema_id"]


def schema_hash(schema: dict[str, Any]) -> bytes:
    """keccak256 of the canonical JSON of ``schema`` (the on-chain key)."""
    return bytes(keccak(rfc8785.dumps(schema)))


def schema_id(schema: dict[str, Any]) -> str:
    """The ``credentialSchema.id`` naming ``schema``: ``urn:trustspace:schema:0x…``."""
    return SCHEMA_PREFIX + "0x" + schema_hash(schema).hex()


def load_schema(path: str | Path) -> dict[str, Any]:
    """Read a JSON Schema file and check that it is a valid schema."""
    try:
        schema = json.loads(Path(path).read_text())
    except OSError as err:
        raise CredentialError(f"cannot read schema {path}: {err.strerror}") from err
    except ValueError as err:
        raise CredentialError(f"schema {path} is not JSON: {err}") from err
    if not isinstance(schema, dict):
        raise CredentialError(f"schema {path} is not a JSON object")
    try:
        validator_for(schema, default=jsonschema.Draft202012Validator).check_schema(schema)
    except jsonschema.SchemaError as err:
        raise CredentialError(f"schema {path} is not a valid JSON Schema: {err.message}") from err
    return schema


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Every way ``instance`` breaks ``schema`` (empty if it conforms)."""
    cls = validator_for(schema, default=jsonschema.Draft202012Validator)
    # `format` is an annotation unless a checker is given: a "date" claim must be a date.
    checked = cls(schema, format_checker=cls.FORMAT_CHECKER)
    found = sorted(checked.iter_errors(instance), key=lambda e: list(e.path))
    return [f"{'/'.join(str(p) for p in e.path) or '(root)'}: {e.message}" for e in found]


class SchemaStore:
    """The schema documents a verifier knows, by hash."""

    def __init__(self, schemas: list[dict[str, Any]] | None = None) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}
        for schema in schemas or []:
            self.add(schema)

    def add(self, schema: dict[str, Any]) -> str:
        """Keep ``schema``; returns its id."""
        sid = schema_id(schema)
        self._by_id[sid] = schema
        return sid

    def get(self, sid: str) -> dict[str, Any] | None:
        """The schema named ``sid``, or None."""
        return self._by_id.get(sid.lower() if sid.startswith(SCHEMA_PREFIX) else sid)
