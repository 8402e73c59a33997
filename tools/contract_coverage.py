"""Statement coverage of the Solidity contracts, as a pytest plugin for ``ape test``.

ape's coverage (``ape test --coverage``) measures the Vyper contracts on a tracing provider
(anvil), but ape-solidity 0.8.6 implements neither ``init_coverage_profile`` nor
``trace_source``, so ape reports nothing for Solidity. This plugin fills that gap:

- while the tests run on anvil (``--network ethereum:local:foundry``), every transaction,
  every call and every failed gas estimate (how ``ape.reverts`` tests reach revert paths) is
  traced with ``debug_traceTransaction`` / ``debug_traceCall``; the program counters executed
  are collected per contract address, following CALL/STATICCALL into nested frames;
- at the end, the project's Solidity sources are compiled again with ape-solidity's own
  standard-JSON input (same settings, same bytecode; checked against ``.build``) asking for
  the AST and the runtime and creation source maps;
- a statement of ``contracts/*.sol`` is *instrumented* if some instruction's source range
  lies inside it (and not inside a statement nested in it), and *covered* if one of those
  instructions ran. Statements the optimizer left no instruction of are listed apart.

Use: ``ape test ... --network ethereum:local:foundry -p tools.contract_coverage``
(``make coverage``). Writes ``.trustspace/coverage-solidity.json`` and prints a table and the
uncovered statements.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TRACE_OPTIONS = {"disableStorage": True, "disableMemory": True, "enableReturnData": False}
CALLS = {"CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"}
CREATES = {"CREATE", "CREATE2"}
STATEMENTS = {
    "ExpressionStatement",
    "VariableDeclarationStatement",
    "Return",
    "EmitStatement",
    "RevertStatement",
    "IfStatement",
    "ForStatement",
    "WhileStatement",
    "DoWhileStatement",
    "Break",
    "Continue",
    "InlineAssembly",
    "TryStatement",
}
TRACKED = ("contracts/Notary.sol", "contracts/MessageBus.sol")
VYPER = ("Consortium", "DIDRegistry", "DIDRegistryFactory")

# (contract name, creation?) -> program counters executed. Names are resolved when a trace
# is collected: ape's per-test isolation reverts the chain, so one address holds different
# contracts over a session.
HITS: dict[tuple[str, bool], set[int]] = defaultdict(set)
COUNTS = {"transactions": 0, "calls": 0, "failed_estimates": 0, "trace_errors": 0}


# ---------------------------------------------------------------- collection


def _name_of(address: str) -> str | None:
    from ape import chain
    from eth_utils.address import to_checksum_address

    try:
        contract_type = chain.contracts.get(to_checksum_address(address))
    except Exception:
        return None
    return contract_type.name if contract_type else None


def _collect(result: Any, to: str | None, created: str | None = None) -> None:
    logs = (result or {}).get("structLogs") or []
    names: dict[str, str | None] = {}
    per_frame: dict[tuple[str, bool], set[int]] = defaultdict(set)
    frames: dict[int, tuple[str, bool] | None] = {}
    if to:
        frames[1] = (to.lower(), False)
    elif created:
        frames[1] = (created.lower(), True)
    pending: tuple[str, bool] | None = None
    for i, step in enumerate(logs):
        depth = step["depth"]
        frame = frames.get(depth)
        if frame is not None:
            per_frame[frame].add(step["pc"])
        op = step["op"]
        if op in CALLS:
            target = int(step["stack"][-2], 16)
            pending = ("0x" + f"{target:040x}"[-40:], False)
        elif op in CREATES:
            pending = None
        else:
            continue
        following = logs[i + 1]["depth"] if i + 1 < len(logs) else depth
        if following == depth + 1:
            frames[depth + 1] = pending
    for (address, creation), pcs in per_frame.items():
        if address not in names:
            names[address] = _name_of(address)
        name = names[address]
        if name is not None:
            HITS[(name, creation)] |= pcs


def _call_dict(txn: Any) -> dict[str, Any]:
    data = txn.data if isinstance(txn.data, bytes | bytearray) else bytes(txn.data or b"")
    call: dict[str, Any] = {"data": "0x" + bytes(data).hex()}
    if txn.sender:
        call["from"] = str(txn.sender)
    if txn.receiver:
        call["to"] = str(txn.receiver)
    if txn.value:
        call["value"] = hex(int(txn.value))
    return call


def _trace_call(provider: Any, call: dict[str, Any], block: Any = "latest") -> None:
    try:
        result = provider.make_request("debug_traceCall", [call, block, TRACE_OPTIONS])
    except Exception as err:
        COUNTS["trace_errors"] += 1
        if COUNTS["trace_errors"] == 1:
            print("solidity coverage: debug_traceCall failed:", repr(err)[:300], call)
        return
    _collect(result, call.get("to"))


def _install() -> None:
    from ape_ethereum.provider import Web3Provider

    send_transaction = Web3Provider.send_transaction
    send_call = Web3Provider.send_call
    estimate = Web3Provider.estimate_gas_cost

    def traced_send_transaction(self: Any, txn: Any) -> Any:
        receipt = None
        try:
            receipt = send_transaction(self, txn)
            return receipt
        finally:
            _trace_transaction(self, txn, receipt)

    def traced_send_call(self: Any, txn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return send_call(self, txn, *args, **kwargs)
        finally:
            COUNTS["calls"] += 1
            _trace_call(self, _call_dict(txn))

    def traced_estimate(self: Any, txn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return estimate(self, txn, *args, **kwargs)
        except Exception:
            # A reverting transaction stops here (ape.reverts): trace the same call.
            COUNTS["failed_estimates"] += 1
            _trace_call(self, _call_dict(txn))
            raise

    Web3Provider.send_transaction = traced_send_transaction  # type: ignore[method-assign]
    Web3Provider.send_call = traced_send_call  # type: ignore[method-assign]
    Web3Provider.estimate_gas_cost = traced_estimate  # type: ignore[method-assign]


def _trace_transaction(provider: Any, txn: Any, receipt: Any) -> None:
    try:
        tx_hash = receipt.txn_hash if receipt is not None else txn.txn_hash.hex()
        if not str(tx_hash).startswith("0x"):
            tx_hash = "0x" + str(tx_hash)
        result = provider.make_request("debug_traceTransaction", [tx_hash, TRACE_OPTIONS])
    except Exception:
        COUNTS["trace_errors"] += 1
        return
    COUNTS["transactions"] += 1
    created = getattr(receipt, "contract_address", None) if receipt is not None else None
    _collect(result, str(txn.receiver) if txn.receiver else None, created)


# ---------------------------------------------------------------- mapping


@dataclass
class Statement:
    file: str
    line: int
    text: str
    pcs_runtime: set[int]
    pcs_creation: set[int]
    contract: str


def _instruction_pcs(code: bytes) -> list[int]:
    pcs, i = [], 0
    while i < len(code):
        pcs.append(i)
        op = code[i]
        i += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
    return pcs


def _source_map(text: str) -> list[tuple[int, int, int]]:
    entries: list[tuple[int, int, int]] = []
    s, length, f = 0, 0, -1
    for item in text.split(";"):
        fields = item.split(":")
        if len(fields) > 0 and fields[0]:
            s = int(fields[0])
        if len(fields) > 1 and fields[1]:
            length = int(fields[1])
        if len(fields) > 2 and fields[2]:
            f = int(fields[2])
        entries.append((s, length, f))
    return entries


def _statements(node: Any, found: list[dict[str, Any]], contract: str = "") -> None:
    if isinstance(node, dict):
        if node.get("nodeType") == "ContractDefinition":
            contract = node.get("name", contract)
        if node.get("nodeType") in STATEMENTS:
            found.append({"src": node["src"], "contract": contract})
        for value in node.values():
            _statements(value, found, contract)
    elif isinstance(node, list):
        for item in node:
            _statements(item, found, contract)


def _compile(root: Path) -> dict[str, Any]:
    from ape import project
    from ape_solidity.compiler import SolidityCompiler
    from packaging.version import Version
    from solcx import compile_standard
    from solcx.install import get_executable

    compiler = SolidityCompiler()
    paths = sorted(p for p in (root / "contracts").rglob("*.sol") if ".cache" not in p.parts)
    outputs = {}
    for version, input_json in compiler.get_standard_input_json(paths, project=project).items():
        selection = [
            "evm.bytecode.object",
            "evm.bytecode.sourceMap",
            "evm.deployedBytecode.object",
            "evm.deployedBytecode.sourceMap",
        ]
        input_json["settings"]["outputSelection"] = {"*": {"*": selection, "": ["ast"]}}
        outputs = compile_standard(
            input_json,
            solc_binary=get_executable(version=Version(version.base_version)),
            base_path=project.path,
            allow_empty=True,
        )
    return outputs


def _report(root: Path) -> dict[str, Any]:
    output = _compile(root)
    by_name: dict[str, Any] = {}
    for source, contracts in output["contracts"].items():
        for name, data in contracts.items():
            by_name[name] = (source, data)
    statements: list[Statement] = []
    for source in TRACKED:
        text = (root / source).read_text()
        encoded = text.encode()
        found: list[dict[str, Any]] = []
        _statements(output["sources"][source]["ast"], found)
        file_id = output["sources"][source]["id"]
        spans = []
        for item in found:
            start, length, _ = (int(x) for x in item["src"].split(":"))
            spans.append((start, start + length, item["contract"]))
        # Instruction ranges of every contract defined in this file.
        maps: dict[str, dict[str, list[tuple[int, tuple[int, int, int]]]]] = {}
        for name, (src, data) in by_name.items():
            if src != source:
                continue
            maps[name] = {}
            for kind, key in (("runtime", "deployedBytecode"), ("creation", "bytecode")):
                code = bytes.fromhex(data["evm"][key]["object"])
                entries = _source_map(data["evm"][key]["sourceMap"])
                pcs = _instruction_pcs(code)
                maps[name][kind] = list(zip(pcs, entries, strict=False))
        for start, end, contract in spans:
            nested = [
                (s, e) for s, e, _ in spans if start <= s and e <= end and (s, e) != (start, end)
            ]
            pcs = {"runtime": set(), "creation": set()}
            for kind in pcs:
                for pc, (s, length, f) in maps.get(contract, {}).get(kind, []):
                    if f != file_id or not (start <= s and s + length <= end):
                        continue
                    if any(ns <= s and s + length <= ne for ns, ne in nested):
                        continue
                    pcs[kind].add(pc)
            line = encoded[:start].decode(errors="replace").count("\n") + 1
            snippet = encoded[start:end].decode(errors="replace").strip().splitlines()[0][:90]
            statements.append(
                Statement(source, line, snippet, pcs["runtime"], pcs["creation"], contract)
            )
    hits = HITS
    summary: dict[str, Any] = {
        "files": {},
        "uncovered": [],
        "no_code": [],
        "tracing": COUNTS,
        "bytecode_matches_build": _same_bytecode(by_name),
        "vyper": _vyper_lines(root),
    }
    for source in TRACKED:
        mine = [s for s in statements if s.file == source]
        instrumented = [s for s in mine if s.pcs_runtime or s.pcs_creation]
        covered = [
            s
            for s in instrumented
            if s.pcs_runtime & hits[(s.contract, False)]
            or s.pcs_creation & hits[(s.contract, True)]
        ]
        summary["files"][source] = {
            "statements": len(instrumented),
            "covered": len(covered),
            "percent": round(100 * len(covered) / max(1, len(instrumented)), 2),
            "without_instructions": len(mine) - len(instrumented),
        }
        summary["uncovered"] += [
            f"{s.file}:{s.line}  {s.text}" for s in instrumented if s not in covered
        ]
        summary["no_code"] += [
            f"{s.file}:{s.line}  {s.text}" for s in mine if s not in instrumented
        ]
    return summary


def _vyper_lines(root: Path) -> dict[str, Any]:
    """Executable-line coverage of the Vyper contracts, from the same traces.

    ape-vyper's own profile cannot be trusted here: the pcmap ape stores for Consortium has
    program counters beyond the end of its runtime code (21369 vs 17123 bytes), and it lists
    `self.proposal_count = proposal_id` in `propose` as never run. The runtime source map is
    therefore taken from `vyper -f bytecode_runtime,source_map_runtime` with the project's
    settings (checked: same runtime code as the build). A line is executable if some runtime
    instruction maps to a node on that line alone, covered if one of them ran. Constructors
    run from creation code, which this map does not describe, so their lines are not counted.
    """
    import subprocess
    import sys

    from ape import project

    vyper = str(Path(sys.executable).with_name("vyper"))
    result: dict[str, Any] = {}
    for name in VYPER:
        source = f"contracts/{name}.vy"
        out = subprocess.run(
            [vyper, "-f", "bytecode_runtime,source_map_runtime", "--evm-version", "cancun",
             "-O", "gas", "-p", str(root), source],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
        code, source_map = out[0].strip(), json.loads(out[1])
        built = project.get_contract(name).contract_type.runtime_bytecode.bytecode
        lines: dict[int, set[int]] = defaultdict(set)
        for pc, location in source_map["pc_pos_map"].items():
            if location and location[0] == location[2]:
                lines[location[0]].add(int(pc))
        ran = HITS[(name, False)]
        covered = {line for line, pcs in lines.items() if pcs & ran}
        text = (root / source).read_text().splitlines()
        result[source] = {
            "lines": len(lines),
            "covered": len(covered),
            "percent": round(100 * len(covered) / max(1, len(lines)), 2),
            "same_bytecode_as_build": built.removeprefix("0x") == code.removeprefix("0x"),
            "uncovered": [
                f"{source}:{n}  {text[n - 1].strip()[:90]}" for n in sorted(set(lines) - covered)
            ],
        }
    return result


def _same_bytecode(by_name: dict[str, Any]) -> dict[str, bool]:
    """Whether this compilation gave the runtime code ape built (so the PCs mean the same)."""
    from ape import project

    same = {}
    for source in TRACKED:
        name = Path(source).stem
        built = project.get_contract(name).contract_type.runtime_bytecode.bytecode
        _, data = by_name[name]
        same[name] = built.removeprefix("0x") == data["evm"]["deployedBytecode"]["object"]
    return same


def pytest_configure(config: pytest.Config) -> None:
    _install()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from trustspace.paths import project_root

    root = project_root()
    try:
        summary = _report(root)
    except Exception as err:  # the report must never hide the test results
        terminalreporter.write_line(f"solidity coverage: could not build the report: {err!r}")
        return
    out = root / ".trustspace" / "coverage-solidity.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))
    terminalreporter.section("Solidity statement coverage (tools.contract_coverage.py)")
    for source, row in summary["files"].items():
        terminalreporter.write_line(
            f"{source:<28} {row['covered']:>4}/{row['statements']:<4} statements  "
            f"{row['percent']:>6.2f}%   ({row['without_instructions']} without instructions)"
        )
    for line in summary["uncovered"]:
        terminalreporter.write_line(f"  not covered: {line}")
    terminalreporter.section("Vyper executable-line coverage (same traces, ape's pcmap)")
    for source, row in summary["vyper"].items():
        terminalreporter.write_line(
            f"{source:<32} {row['covered']:>4}/{row['lines']:<4} lines  {row['percent']:>6.2f}%"
        )
        for line in row["uncovered"]:
            terminalreporter.write_line(f"  not covered: {line}")
    terminalreporter.write_line(
        f"traced: {summary['tracing']}  same bytecode as the build: "
        f"{summary['bytecode_matches_build']}  report: {out}"
    )
