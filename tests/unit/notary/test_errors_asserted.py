"""Every custom error of INotary.sol is asserted by at least one test.

An error is asserted when a test expects it by name in a revert (``ape.reverts(x.NotaryX,
...)``) or checks its selector in a recorded failure (``keccak(text="NotaryX(...)")``).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
INTERFACE = ROOT / "interfaces" / "INotary.sol"


def declared_errors() -> list[str]:
    return re.findall(r"^\s*error\s+(\w+)\(", INTERFACE.read_text(), flags=re.MULTILINE)


def asserted_errors() -> set[str]:
    # `reverts(` followed (possibly over several lines) by `<anything>.Name` as first argument.
    by_revert = re.compile(r"reverts\(\s*[\w.\[\]]*\.(\w+)\b")
    by_selector = re.compile(r"""keccak\(text=["'](\w+)\(""")
    found: set[str] = set()
    for path in (ROOT / "tests").rglob("*.py"):
        text = path.read_text()
        found.update(by_revert.findall(text))
        found.update(by_selector.findall(text))
    return found


def test_interface__declares_errors():
    errors = declared_errors()
    assert len(errors) == len(set(errors)) >= 25
    assert "NotaryOrgMismatch" in errors


def test_every_notary_error__asserted_by_a_test():
    missing = sorted(set(declared_errors()) - asserted_errors())
    assert not missing, f"custom errors of INotary.sol that no test asserts: {missing}"
