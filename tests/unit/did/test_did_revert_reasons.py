"""Every revert reason of the DID contracts is asserted, exactly, by at least one test.

The reasons are read from the sources (``assert …, "…"`` and ``raise "…"``), the
assertions from the DID test files (``ape.reverts("…")`` or ``match="…"``): a new
reason without a test, or a test of a reason that no longer exists, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CONTRACTS = [ROOT / "contracts" / "DIDRegistry.vy", ROOT / "contracts" / "DIDRegistryFactory.vy"]
TESTS = [
    *sorted((ROOT / "tests" / "unit" / "did").glob("test_*.py")),
    *sorted((ROOT / "tests" / "security").glob("test_did_*.py")),
    ROOT / "tests" / "integration" / "test_did_chains.py",
    ROOT / "tests" / "fuzz" / "stateful" / "test_did_machine.py",
]
# `assert <condition>, "<reason>"` (the condition may hold commas) and `raise "<reason>"`.
REASON = re.compile(r'^\s*(?:assert\s.*,|raise)\s*"([^"]+)"\s*$', re.MULTILINE)
ASSERTED = re.compile(r'(?:reverts\(|match=)\s*"([^"]+)"')


def reasons_in(path: Path) -> set[str]:
    return set(REASON.findall(path.read_text()))


def asserted_reasons() -> set[str]:
    return {m for path in TESTS for m in ASSERTED.findall(path.read_text())}


def test_reasons__read_from_the_contracts():
    assert reasons_in(CONTRACTS[0]) == {
        "did: deactivated",
        "did: not owner",
        "did: bad signature",
        "did: signer not owner",
        "did: validity overflow",
    }
    # The factory has no reason of its own: a second deploy fails in CREATE2 itself
    # (tests/unit/did/test_factory.py::test_deploy__same_code_twice__reverts).
    assert reasons_in(CONTRACTS[1]) == set()


def test_every_revert_reason__asserted_exactly_by_a_test():
    missing = {r for c in CONTRACTS for r in reasons_in(c)} - asserted_reasons()
    assert not missing, f"revert reasons no test asserts exactly: {sorted(missing)}"


def test_every_asserted_did_reason__exists_in_a_contract():
    known = {r for c in CONTRACTS for r in reasons_in(c)}
    stale = {r for r in asserted_reasons() if r.startswith("did: ")} - known
    assert not stale, f"tests assert reasons no contract has: {sorted(stale)}"
