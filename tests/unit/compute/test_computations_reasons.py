"""Every revert reason of Computations.vy is asserted exactly by at least one test.

A reason counts as asserted when it appears as a string literal in a test module that
checks reverts (``ape.reverts(...)``), passed straight to it or held in a parametrize table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from trustspace.paths import project_root

REASON = re.compile(r'"(computations: [^"]+)"')


def _contract_reasons() -> set[str]:
    return set(REASON.findall((project_root() / "contracts" / "Computations.vy").read_text()))


def _asserted(tests: Path) -> set[str]:
    found: set[str] = set()
    for path in tests.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        if not any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "reverts"
            for n in ast.walk(tree)
        ):
            continue
        found |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    return found


def test_computations_reasons__each_asserted_by_some_test():
    reasons = _contract_reasons()
    assert len(reasons) >= 15
    missing = reasons - _asserted(project_root() / "tests")
    assert not missing, f"revert reasons no test asserts: {sorted(missing)}"
