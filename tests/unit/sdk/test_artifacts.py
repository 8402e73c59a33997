"""trustspace.artifacts: the only loader of ABIs and bytecode."""

import pytest

from tests.utils.contracts import test_contract
from trustspace.artifacts import (
    DEPLOYABLE,
    ArtifactError,
    abi,
    artifact,
    bytecode,
    shipped_manifest,
)
from trustspace.errors import TrustspaceError


@pytest.mark.parametrize("name", DEPLOYABLE)
def test_artifact__of_a_deployable_contract__comes_from_the_shipped_manifest(name):
    entry = shipped_manifest()["contractTypes"][name]
    found = artifact(name)
    assert found.abi == entry["abi"] == abi(name)
    assert found.bytecode == entry["deploymentBytecode"]["bytecode"]
    assert found.runtime_bytecode == entry["runtimeBytecode"]["bytecode"]
    assert bytecode(name) == bytes.fromhex(found.bytecode.removeprefix("0x"))


def test_artifact__of_a_test_contract__is_not_shipped():
    with pytest.raises(ArtifactError, match="RecordingRecipient is not in the shipped manifest"):
        artifact("RecordingRecipient")
    assert issubclass(ArtifactError, TrustspaceError)


def test_test_contract__comes_from_the_checkout_build():
    recorder = test_contract("RecordingRecipient")
    assert recorder.bytecode.startswith("0x") and len(recorder.bytecode) > 2
    assert {"received", "setFailing"} <= {entry.get("name") for entry in recorder.abi}
