"""Every custom error of IDataService.sol is asserted by at least one test (by name in
``ape.reverts(x.DataServiceX, ...)``)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
INTERFACE = ROOT / "interfaces" / "IDataService.sol"


def declared_errors() -> list[str]:
    return re.findall(r"^\s*error\s+(\w+)\(", INTERFACE.read_text(), flags=re.MULTILINE)


def asserted_errors() -> set[str]:
    by_revert = re.compile(r"reverts\(\s*[\w.\[\]]*\.(\w+)\b")
    found: set[str] = set()
    for path in (ROOT / "tests").rglob("*.py"):
        found.update(by_revert.findall(path.read_text()))
    return found


def test_interface__declares_errors():
    errors = declared_errors()
    assert len(errors) == len(set(errors)) >= 17
    assert "DataServiceExhausted" in errors


def test_every_data_service_error__asserted_by_a_test():
    missing = sorted(set(declared_errors()) - asserted_errors())
    assert not missing, f"custom errors of IDataService.sol that no test asserts: {missing}"
