"""The one way to get a contract's ABI or bytecode: the compiled package manifest.

``trustspace/data/manifest.json`` is an EthPM v3 package manifest
(``ethpm_types.PackageManifest``) with the ABI, creation and runtime code, NatSpec
and compiler of each deployable contract (written by ``make abi``, see
:mod:`trustspace.devnet.abi_export`). It ships inside the Python package, so an
installed ``trustspace`` needs no project folder and no compiler. Every stack reads
it from here: ape (:func:`contract_type`, :func:`ape_contracts`), web3.py
(:func:`abi`, :func:`bytecode`, :func:`web3_contracts`) and the daemons.

Test-only contracts (``contracts/test/``) are not shipped; :func:`build_artifacts`
reads them from a checkout's ape build for the tests and benchmarks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from trustspace.errors import TrustspaceError

__all__ = [
    "DEPLOYABLE",
    "Artifact",
    "ArtifactError",
    "abi",
    "abi_type",
    "ape_contracts",
    "artifact",
    "build_artifacts",
    "bytecode",
    "contract_type",
    "decode_revert",
    "immutable_windows",
    "revert_reason",
    "runtime_code",
    "runtime_matches",
    "shipped_manifest",
    "shipped_manifest_path",
    "web3_contracts",
]

#: The contracts agencies deploy and call (test contracts and interfaces are left out).
DEPLOYABLE: tuple[str, ...] = (
    "Computations",
    "Consortium",
    "CredentialRegistry",
    "DataService",
    "DIDRegistry",
    "DIDRegistryFactory",
    "HubLink",
    "MessageBus",
    "Notary",
)
MANIFEST_NAME = "trustspace"
MANIFEST_RESOURCE = "data/manifest.json"


class ArtifactError(TrustspaceError):
    """A contract is not in the manifest (or the build) asked for."""


@dataclass(frozen=True)
class Artifact:
    """ABI and code of one compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    runtime_bytecode: str


def shipped_manifest_path() -> Path:
    """Where the shipped manifest lives inside the installed package."""
    return Path(str(resources.files("trustspace").joinpath(MANIFEST_RESOURCE)))


@cache
def shipped_manifest() -> dict[str, Any]:
    """The manifest shipped in the package, as a dict."""
    data: dict[str, Any] = json.loads(shipped_manifest_path().read_text())
    return data


def _artifact_of(name: str, types: dict[str, Any], where: str) -> Artifact:
    if name not in types:
        raise ArtifactError(f"contract {name} is not in {where}; known: {', '.join(sorted(types))}")
    entry = types[name]
    return Artifact(
        name=name,
        abi=list(entry["abi"]),
        bytecode=str(entry.get("deploymentBytecode", {}).get("bytecode", "0x")),
        runtime_bytecode=str(entry.get("runtimeBytecode", {}).get("bytecode", "0x")),
    )


def artifact(name: str) -> Artifact:
    """ABI and code of a deployable contract, from the shipped manifest."""
    return _artifact_of(name, shipped_manifest()["contractTypes"], "the shipped manifest")


def runtime_code(name: str) -> bytes:
    """The shipped runtime code of a deployable contract (compare with
    :func:`runtime_matches`: immutables and metadata differ per deployment)."""
    return bytes.fromhex(artifact(name).runtime_bytecode.removeprefix("0x"))


def abi(name: str) -> list[dict[str, Any]]:
    """The ABI of a deployable contract from the shipped manifest."""
    return artifact(name).abi


def bytecode(name: str) -> bytes:
    """The creation code of a deployable contract from the shipped manifest."""
    return bytes.fromhex(artifact(name).bytecode.removeprefix("0x"))


def build_artifacts(root: Path) -> dict[str, Artifact]:
    """Every contract of a checkout's ape build (``<root>/.build/__local__.json``), test
    contracts included; for tests and benchmarks run from the checkout."""
    path = root / ".build" / "__local__.json"
    if not path.exists():
        raise ArtifactError(f"{path} not found; run `ape compile` first")
    types: dict[str, Any] = json.loads(path.read_text())["contractTypes"]
    return {name: _artifact_of(name, types, str(path)) for name in types}


def contract_type(name: str) -> Any:
    """An ``ethpm_types.ContractType`` of a deployable contract, from the shipped manifest."""
    from ethpm_types import ContractType

    return ContractType.model_validate(shipped_manifest()["contractTypes"][name])


def ape_contracts(record: Any) -> dict[str, Any]:
    """ape contract objects for every contract of a deployment record, from the shipped
    manifest (on ape's current provider; no project folder or compiler needed)."""
    from ape.contracts import ContractInstance

    return {
        name: ContractInstance(entry.address, contract_type(entry.contract_type))
        for name, entry in record.deployed()
    }


def web3_contracts(w3: Any, record: Any) -> dict[str, Any]:
    """web3.py contract objects for every contract of a deployment record."""
    return {
        name: w3.eth.contract(address=entry.address, abi=abi(entry.contract_type))
        for name, entry in record.deployed()
    }


# ---------------------------------------------------------------- deployed code

PUSH1, PUSH32 = 0x60, 0x7F


def immutable_windows(runtime: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of every ``PUSH32 0`` argument in Solidity ``runtime`` code.

    solc emits a zero placeholder for each immutable read and fills it at
    deployment; it never pushes a literal zero with PUSH32 (PUSH0 / PUSH1 do
    that), so these windows are exactly where deployed code may differ.
    Walks the opcodes so that push data is never read as an opcode.
    """
    i = 0
    while i < len(runtime):
        op = runtime[i]
        if PUSH1 <= op <= PUSH32:
            width = op - PUSH1 + 1
            if op == PUSH32 and runtime[i + 1 : i + 33] == bytes(32):
                yield i + 1, i + 33
            i += 1 + width
        else:
            i += 1


def _without_metadata(code: bytes) -> bytes:
    """``code`` without solc's CBOR metadata trailer (its length is the last two bytes)."""
    if len(code) < 2:
        return code
    length = int.from_bytes(code[-2:], "big") + 2
    return code[:-length] if length < len(code) else code


def runtime_matches(code: bytes, runtime: bytes) -> bool:
    """True if deployed ``code`` is ``runtime`` with only its immutable placeholders filled
    (and, possibly, another metadata trailer: it hashes the sources' text, comments
    included, and is never executed)."""
    if len(code) != len(runtime) or not runtime:
        return False
    code, runtime = _without_metadata(code), _without_metadata(runtime)
    if len(code) != len(runtime):
        return False
    masked_code, masked_runtime = bytearray(code), bytearray(runtime)
    for start, end in immutable_windows(runtime):
        masked_code[start:end] = bytes(end - start)
        masked_runtime[start:end] = bytes(end - start)
    return masked_code == masked_runtime


#: ``Error(string)`` and ``Panic(uint256)``, the two revert encodings solc and Vyper build in.
_ERROR_STRING = bytes.fromhex("08c379a0")
_PANIC = bytes.fromhex("4e487b71")


def abi_type(entry: Mapping[str, Any]) -> str:
    """The canonical type of an ABI input or output (tuples spelled out), as in a signature."""
    kind = str(entry["type"])
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in entry.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


@cache
def _custom_errors() -> dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Selector → (name, argument names, argument types) of every shipped contract's errors."""
    from eth_utils.crypto import keccak

    errors: dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    for name in sorted(shipped_manifest()["contractTypes"]):
        for entry in artifact(name).abi:
            if entry.get("type") != "error":
                continue
            types = tuple(abi_type(i) for i in entry.get("inputs", []))
            names = tuple(str(i.get("name") or f"arg{n}") for n, i in enumerate(entry["inputs"]))
            selector = keccak(text=f"{entry['name']}({','.join(types)})")[:4]
            errors.setdefault(selector, (str(entry["name"]), names, types))
    return errors


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return str(value)


def decode_revert(data: bytes) -> str | None:
    """What revert ``data`` says, in words: ``NotaryUnknownSchema(schemaId=5)`` for a custom
    error of any shipped contract, the reason of ``Error(string)``, ``panic 0x11`` for a
    ``Panic``; None when the data is empty or matches nothing shipped."""
    from eth_abi import decode
    from eth_abi.exceptions import DecodingError

    selector, body = bytes(data[:4]), bytes(data[4:])
    try:
        if selector == _ERROR_STRING:
            return str(decode(["string"], body)[0])
        if selector == _PANIC:
            return f"panic 0x{decode(['uint256'], body)[0]:02x}"
        known = _custom_errors().get(selector)
        if known is None:
            return None
        name, names, types = known
        values = decode(list(types), body)
    except (DecodingError, OverflowError, ValueError):
        return None
    from eth_utils.address import is_address, to_checksum_address

    shown = [
        to_checksum_address(v) if t == "address" and is_address(v) else _show(v)
        for t, v in zip(types, values, strict=True)
    ]
    return f"{name}({', '.join(f'{n}={v}' for n, v in zip(names, shown, strict=True))})"


def _hex_bytes(value: str) -> bytes | None:
    text = value.strip()
    if not text.startswith("0x") or len(text) < 10:
        return None
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        return None


def revert_reason(err: BaseException) -> str:
    """Why an ape call or transaction reverted, in one line: the custom error by name and values
    (decoded with every shipped ABI, so an error bubbling up through the Consortium's CALL is
    named too), or the reason string."""
    from ape.exceptions import CustomError

    if isinstance(err, CustomError):
        values = ", ".join(f"{k}={v}" for k, v in err.inputs.items())
        return f"{err.name}({values})"
    # The node's own exception holds the whole revert data (ape's message may lack the
    # selector: the in-process EVM's message is the arguments only).
    base = getattr(err, "base_err", None)
    for raw in getattr(base, "args", ()):
        data = raw if isinstance(raw, bytes) else _hex_bytes(raw) if isinstance(raw, str) else None
        if data and (decoded := decode_revert(data)):
            return decoded
    message = str(getattr(err, "message", "") or "").strip() or str(err).strip()
    data = _hex_bytes(message)
    if data is not None:
        return decode_revert(data) or f"undecoded revert data {message}"
    if not message or message in ("Transaction failed.", "reverted without message"):
        return "reverted without a reason"
    return message
