"""Every revert reason of CredentialRegistry is asserted, exactly, by at least one test.

Reasons are read from the source (``assert …, "…"``), assertions from the credential tests
(``ape.reverts("…")``): a new reason without a test fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "contracts" / "CredentialRegistry.vy"
TESTS = [
    *sorted((ROOT / "tests" / "unit" / "credentials").glob("test_*.py")),
    *sorted((ROOT / "tests" / "fuzz" / "stateful").glob("test_credentials*.py")),
]
REASON = re.compile(r'^\s*(?:assert\s.*,|raise)\s*"([^"]+)"\s*$', re.MULTILINE)
ASSERTED = re.compile(r'(?:reverts\(|match=)\s*"([^"]+)"')


def test_reasons__read_from_the_contract__prefixed_and_counted():
    reasons = set(REASON.findall(CONTRACT.read_text()))
    assert len(reasons) == 19
    assert all(r.startswith("credentials: ") for r in reasons)


def test_every_revert_reason__asserted_exactly_by_a_test():
    asserted = {m for path in TESTS for m in ASSERTED.findall(path.read_text())}
    missing = set(REASON.findall(CONTRACT.read_text())) - asserted
    assert not missing, f"revert reasons no test asserts exactly: {sorted(missing)}"
