"""Every revert reason of Consortium.vy is asserted exactly by at least one test.

A reason counts as asserted when it appears as a string literal in a test module that
checks reverts (``ape.reverts(...)``): either passed straight to ``reverts`` or held in a
table the module passes to it. Adding a reason to the contract without a test that
triggers it fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from trustspace.paths import project_root

REASON = re.compile(r'"(consortium: [^"]+)"')


def contract_reasons() -> set[str]:
    source = (project_root() / "contracts" / "Consortium.vy").read_text()
    return set(REASON.findall(source))


def asserted_reasons(tests: Path, skip: Path) -> set[str]:
    found: set[str] = set()
    for path in tests.rglob("*.py"):
        if path.resolve() == skip:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        checks_reverts = any(
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "reverts")
                or (isinstance(node.func, ast.Name) and node.func.id == "reverts")
            )
            for node in ast.walk(tree)
        )
        if not checks_reverts:
            continue
        found |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
    return found


def test_contract_has_reasons():
    assert len(contract_reasons()) > 30


def test_every_consortium_reason__asserted_by_some_test():
    tests = project_root() / "tests"
    missing = contract_reasons() - asserted_reasons(tests, Path(__file__).resolve())
    assert not missing, f"revert reasons no test asserts: {sorted(missing)}"
