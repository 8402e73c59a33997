"""CALL proposals by contract and function name: encode them from text, describe them back.

A ``CALL`` proposal carries a target address and raw calldata. People think of it as
``Notary.deprecateSchema(schemaId=3)``; this module turns one into the other with the ABIs
shipped in :mod:`trustspace.artifacts` (never a hand-written selector), so that the
command line can propose such a call and show what an open proposal would do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.abi import abi_to_signature as _abi_to_signature
from eth_utils.abi import collapse_if_tuple
from eth_utils.abi import function_abi_to_4byte_selector as _selector_of
from eth_utils.address import to_checksum_address

from trustspace.artifacts import abi as shipped_abi
from trustspace.crypto.address import is_valid_address
from trustspace.errors import InputError

__all__ = [
    "SUITE_CONTRACTS",
    "CallError",
    "DecodedCall",
    "decode_call",
    "encode_call",
    "functions_of",
    "governed_functions",
    "parse_value",
]

#: Contracts of the suite whose functions a CALL proposal may reach.
SUITE_CONTRACTS = (
    "Notary",
    "MessageBus",
    "DIDRegistry",
    "DIDRegistryFactory",
    "Computations",
    "CredentialRegistry",
    "DataService",
)


class CallError(InputError):
    """A contract call could not be built from (or read back into) names and values."""


@dataclass(frozen=True)
class DecodedCall:
    """A CALL proposal's calldata read back: ``Notary.deprecateSchema(schemaId=3)``."""

    contract: str | None
    function: str
    signature: str
    args: dict[str, Any]

    def describe(self) -> str:
        """One line a person reads: ``Notary.deprecateSchema(schemaId=3)``."""
        inner = ", ".join(f"{k}={_show(v)}" for k, v in self.args.items())
        prefix = f"{self.contract}." if self.contract else ""
        return f"{prefix}{self.function}({inner})"


def abi_to_signature(fn: Any) -> str:
    """``deprecateSchema(uint32)``."""
    return str(_abi_to_signature(fn))


def function_abi_to_4byte_selector(fn: Any) -> bytes:
    """The 4-byte selector of a function ABI."""
    return bytes(_selector_of(fn))


def _show(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _types(fn: Mapping[str, Any]) -> list[str]:
    return [collapse_if_tuple(dict(i)) for i in fn.get("inputs", [])]


def functions_of(contract: str) -> list[dict[str, Any]]:
    """The state-changing functions of a shipped contract's ABI."""
    return [
        dict(item)
        for item in shipped_abi(contract)
        if item.get("type") == "function" and item.get("stateMutability") not in ("view", "pure")
    ]


def governed_functions() -> dict[str, list[str]]:
    """``{contract: [function signature, …]}`` for every suite contract (for help texts)."""
    return {name: [abi_to_signature(fn) for fn in functions_of(name)] for name in SUITE_CONTRACTS}


def _function(contract: str, function: str, arity: int | None) -> dict[str, Any]:
    fns = functions_of(contract)
    hits = [fn for fn in fns if fn["name"] == function or abi_to_signature(fn) == function]
    if arity is not None and len(hits) > 1:
        hits = [fn for fn in hits if len(fn.get("inputs", [])) == arity]
    if not hits:
        known = ", ".join(sorted({fn["name"] for fn in fns}))
        raise CallError(f"{contract} has no function {function!r}; it has: {known}")
    if len(hits) > 1:
        sigs = ", ".join(abi_to_signature(fn) for fn in hits)
        raise CallError(f"{contract}.{function} is overloaded ({sigs}): give the full signature")
    return hits[0]


def _int(text: str, abi_type: str) -> int:
    try:
        value = int(text, 0)
    except ValueError as err:
        raise CallError(f"{text!r} is not an integer (for {abi_type})") from err
    bits = int(abi_type.lstrip("uint") or 256)
    if abi_type.startswith("uint"):
        if not 0 <= value < 2**bits:
            raise CallError(f"{value} does not fit {abi_type}")
    elif not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise CallError(f"{value} does not fit {abi_type}")
    return value


def _hex(text: str, abi_type: str) -> bytes:
    raw = text[2:] if text[:2].lower() == "0x" else text
    try:
        return bytes.fromhex(raw)
    except ValueError as err:
        raise CallError(f"{text!r} is not hex (for {abi_type})") from err


def parse_value(abi_type: str, value: Any) -> Any:
    """A Python value for ``abi_type`` from command-line text (or a JSON-decoded value).

    Integers in decimal or 0x-hex, addresses checksummed, ``true``/``false``, hex for
    bytes, arrays and tuples as JSON (``'["0xab…", "0xcd…"]'``) or comma-separated.
    """
    if abi_type.endswith("]"):
        inner = abi_type[: abi_type.rindex("[")]
        items = value
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    items = json.loads(text)
                except ValueError as err:
                    raise CallError(f"{value!r} is not a JSON array (for {abi_type})") from err
            else:
                items = [part.strip() for part in text.split(",") if part.strip()]
        if not isinstance(items, list):
            raise CallError(f"{value!r} is not a list (for {abi_type})")
        return [parse_value(inner, item) for item in items]
    if abi_type.startswith("(") or abi_type == "tuple":
        raise CallError(f"tuple arguments ({abi_type}) are not supported from the command line")
    text = value if isinstance(value, str) else json.dumps(value)
    if abi_type == "address":
        if not is_valid_address(text):
            raise CallError(f"{text!r} is not an address")
        return to_checksum_address(text)
    if abi_type == "bool":
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise CallError(f"{text!r} is not true or false")
    if abi_type.startswith(("uint", "int")):
        return _int(text.strip(), abi_type)
    if abi_type == "string":
        return text
    if abi_type == "bytes":
        return _hex(text.strip(), abi_type)
    if abi_type.startswith("bytes"):
        raw = _hex(text.strip(), abi_type)
        size = int(abi_type[5:])
        if len(raw) != size:
            raise CallError(f"{text!r} is {len(raw)} bytes, {abi_type} needs {size}")
        return raw
    raise CallError(f"unsupported argument type {abi_type}")


def encode_call(contract: str, function: str, values: Sequence[Any]) -> tuple[str, bytes]:
    """(signature, calldata) for ``contract.function(*values)``; text values are parsed
    with :func:`parse_value` against the shipped ABI."""
    fn = _function(contract, function, len(values))
    types = _types(fn)
    if len(values) != len(types):
        names = ", ".join(
            f"{i.get('name') or '?'} {t}" for i, t in zip(fn["inputs"], types, strict=True)
        )
        raise CallError(
            f"{contract}.{fn['name']} takes {len(types)} argument(s) ({names}), got {len(values)}"
        )
    parsed = []
    for item, abi_type, value in zip(fn["inputs"], types, values, strict=True):
        try:
            parsed.append(parse_value(abi_type, value))
        except CallError as err:
            label = f"{contract}.{fn['name']} {item.get('name') or abi_type}"
            raise CallError(f"{label}: {err}") from err
    data = function_abi_to_4byte_selector(fn) + encode(types, parsed)
    return abi_to_signature(fn), data


def decode_call(data: bytes, contract: str | None = None) -> DecodedCall | None:
    """What ``data`` calls: looked up in ``contract``'s ABI if known, else in every suite
    contract's ABI; None if no shipped function has its selector (or it does not decode)."""
    data = bytes(data)
    if len(data) < 4:
        return None
    names = [contract] if contract else list(SUITE_CONTRACTS)
    for name in names:
        try:
            fns = functions_of(name)
        except Exception:  # an unknown contract name: fall through to "unknown"
            continue
        for fn in fns:
            if function_abi_to_4byte_selector(fn) != data[:4]:
                continue
            try:
                values = decode(_types(fn), data[4:])
            except Exception:
                return None
            args = {
                (item.get("name") or f"arg{i}"): (to_checksum_address(v) if t == "address" else v)
                for i, (item, t, v) in enumerate(zip(fn["inputs"], _types(fn), values, strict=True))
            }
            return DecodedCall(name, str(fn["name"]), abi_to_signature(fn), args)
    return None
