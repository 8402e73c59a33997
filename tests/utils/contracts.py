"""Test-only contracts (``contracts/test/``) for the web3.py stack: they are not in the
shipped manifest, so they come from the checkout's ape build."""

from __future__ import annotations

from functools import cache

from ape.exceptions import ContractLogicError

from trustspace.artifacts import Artifact, build_artifacts
from trustspace.paths import project_root


@cache
def _build() -> dict[str, Artifact]:
    return build_artifacts(project_root())


def test_contract(name: str) -> Artifact:
    """ABI and code of a test contract such as ``RecordingRecipient``."""
    return _build()[name]


test_contract.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


#: What a revert without data raises through ape 0.8.51: ContractLogicError, or ValueError when
#: ape's trace enrichment parses the empty return data (``int("0x", 16)``) after tracing was on.
EMPTY_REVERT: tuple[type[Exception], ...] = (ContractLogicError, ValueError)
