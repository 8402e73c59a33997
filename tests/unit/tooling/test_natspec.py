"""NatSpec is complete, as the compilers see it: every external or public function has a
``@notice``, a ``@param`` for every argument and a ``@return`` for every output.

Contracts are read from ape's compiled contract types (``userdoc`` / ``devdoc``), so a
Solidity ``@inheritdoc`` counts with the interface text it inherits. Interfaces are compiled
here: Solidity ones with solc's standard JSON, Vyper ``.vyi`` files as a contract whose
bodies are ``raise`` (``vyper`` has no devdoc output for interfaces).

Getters the compiler generates from public state carry no NatSpec in Vyper; there the
``# @dev`` comment directly above the declaration is required instead. Solidity getters
need their ``@notice``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trustspace.devnet.toolchain import solc_wrapper_path
from trustspace.paths import project_root

ROOT = project_root()

CONTRACTS = {
    "Consortium": "contracts/Consortium.vy",
    "DIDRegistry": "contracts/DIDRegistry.vy",
    "DIDRegistryFactory": "contracts/DIDRegistryFactory.vy",
    "Notary": "contracts/Notary.sol",
    "MessageBus": "contracts/MessageBus.sol",
    "Computations": "contracts/Computations.vy",
}

VYPER_GETTER = re.compile(r"^(\w+): public\(", re.M)
SOLIDITY_GETTER = re.compile(
    r"^\s*(?!function\b)[\w\[\]() =>.,]*?\bpublic\b(?:\s+(?:constant|immutable))?\s+(\w+)\s*[;=]",
    re.M,
)


def canonical(param: dict[str, Any]) -> str:
    """The ABI type as it appears in a signature (tuples spelled out)."""
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(canonical(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(canonical(p) for p in entry['inputs'])})"


def vyper_getters(source: str) -> dict[str, bool]:
    """Public-state getters of a Vyper source, and whether a `# @dev` line sits above each."""
    lines = source.splitlines()
    found: dict[str, bool] = {}
    for number, line in enumerate(lines):
        match = VYPER_GETTER.match(line)
        if match:
            above = number - 1
            while above >= 0 and lines[above].startswith("#") and "@dev" not in lines[above]:
                above -= 1  # a multi-line @dev comment
            found[match.group(1)] = above >= 0 and lines[above].startswith("# @dev")
    return found


def problems(
    abi: list[dict[str, Any]],
    userdoc: dict[str, Any],
    devdoc: dict[str, Any],
    vyper_getter_docs: dict[str, bool] | None = None,
    solidity_getters: set[str] | None = None,
) -> list[str]:
    notices = userdoc.get("methods", {})
    details = devdoc.get("methods", {})
    found = []
    for entry in abi:
        if entry.get("type") != "function":
            continue
        sig = signature(entry)
        if vyper_getter_docs is not None and entry["name"] in vyper_getter_docs:
            if not vyper_getter_docs[entry["name"]]:
                found.append(f"{sig}: public state without a `# @dev` comment above it")
            continue
        notice = notices.get(sig, {})
        if not (isinstance(notice, dict) and notice.get("notice")):
            found.append(f"{sig}: no @notice")
        if solidity_getters is not None and entry["name"] in solidity_getters:
            continue
        doc = details.get(sig, {})
        params = doc.get("params", {})
        for param in entry["inputs"]:
            if not params.get(param["name"]):
                found.append(f"{sig}: no @param {param['name'] or '(unnamed)'}")
        returns = doc.get("returns", {})
        if len([v for v in returns.values() if v]) < len(entry.get("outputs", [])):
            found.append(f"{sig}: {len(entry['outputs'])} output(s), {len(returns)} @return")
    return found


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_contract__every_external_function_fully_documented(project, name):
    contract_type = getattr(project, name).contract_type
    abi = [entry.model_dump(mode="json", by_alias=True) for entry in contract_type.abi]
    source = (ROOT / CONTRACTS[name]).read_text()
    if CONTRACTS[name].endswith(".vy"):
        found = problems(abi, contract_type.userdoc, contract_type.devdoc, vyper_getters(source))
    else:
        getters = set(SOLIDITY_GETTER.findall(source))
        found = problems(abi, contract_type.userdoc, contract_type.devdoc, None, getters)
    assert not found, f"{name}: incomplete NatSpec:\n  " + "\n  ".join(found)


VYPER_INTERFACES = sorted(p.name for p in (ROOT / "interfaces").glob("*.vyi"))
SOLIDITY_INTERFACES = sorted(p.name for p in (ROOT / "interfaces").glob("*.sol"))


@pytest.mark.parametrize("name", VYPER_INTERFACES)
def test_vyper_interface__every_function_fully_documented(tmp_path, name):
    text = (ROOT / "interfaces" / name).read_text()
    shim = tmp_path / (Path(name).stem + ".vy")
    shim.write_text(re.sub(r"^    \.\.\.$", "    raise", text, flags=re.M))
    vyper = Path(sys.executable).parent / "vyper"
    out = subprocess.run(
        [str(vyper), "-f", "abi,userdoc,devdoc", str(shim)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    abi, userdoc, devdoc = (json.loads(line) for line in out)
    assert abi, f"{name}: no functions found"
    found = problems(abi, userdoc, devdoc)
    assert not found, f"{name}: incomplete NatSpec:\n  " + "\n  ".join(found)


def solidity_interface_docs() -> dict[str, dict[str, Any]]:
    sources = {
        f"interfaces/{p.name}": {"content": p.read_text()}
        for p in (ROOT / "interfaces").glob("*.sol")
    }
    request = {
        "language": "Solidity",
        "sources": sources,
        "settings": {"outputSelection": {"*": {"*": ["abi", "userdoc", "devdoc"]}}},
    }
    result = json.loads(
        subprocess.run(
            [str(solc_wrapper_path()), "--standard-json"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    errors = [e for e in result.get("errors", []) if e["severity"] == "error"]
    assert not errors, errors
    return {
        source: next(iter(contracts.values()))
        for source, contracts in result["contracts"].items()
        if contracts
    }


@pytest.fixture(scope="module")
def solidity_docs():
    return solidity_interface_docs()


@pytest.mark.parametrize("name", SOLIDITY_INTERFACES)
def test_solidity_interface__every_function_fully_documented(solidity_docs, name):
    output = solidity_docs[f"interfaces/{name}"]
    assert output["abi"], f"{name}: no functions found"
    found = problems(output["abi"], output["userdoc"], output["devdoc"])
    assert not found, f"{name}: incomplete NatSpec:\n  " + "\n  ".join(found)


def test_problems__reports_each_missing_part():
    abi = [
        {
            "type": "function",
            "name": "f",
            "inputs": [{"name": "a", "type": "uint256"}, {"name": "b", "type": "address"}],
            "outputs": [{"name": "", "type": "bool"}],
        }
    ]
    userdoc: dict[str, dict[str, object]] = {"methods": {}}
    devdoc = {"methods": {"f(uint256,address)": {"params": {"a": "x"}}}}
    assert problems(abi, userdoc, devdoc) == [
        "f(uint256,address): no @notice",
        "f(uint256,address): no @param b",
        "f(uint256,address): 1 output(s), 0 @return",
    ]
    complete = {"methods": {"f(uint256,address)": {"notice": "n"}}}
    full = {
        "methods": {"f(uint256,address)": {"params": {"a": "x", "b": "y"}, "returns": {"_0": "r"}}}
    }
    assert problems(abi, complete, full) == []


def test_vyper_getters__need_a_dev_comment_above():
    source = "# @dev documented.\nx: public(uint256)\n\ny: public(uint256)\n"
    assert vyper_getters(source) == {"x": True, "y": False}
