"""Differential fuzzing: Notary.verifyInclusion (EVM) agrees with trustspace.notary.tree.verify."""

import pytest
from hypothesis import given, settings

from tests.fuzz.strategies.notary import inclusion_cases
from trustspace.consortium.constants import Role
from trustspace.notary.tree import MerkleTree, record_id, verify


@pytest.fixture(scope="module")
def anchorer(governance, approvers, customs_notary):
    # Idempotent: the session's Consortium may already know this actor (other modules).
    if governance.consortium.org_of(customs_notary) != 1:
        governance.enact("add_account", approvers=approvers, org_id=1, account=customs_notary)
    if not governance.consortium.has_role(customs_notary, int(Role.NOTARY)):
        governance.enact(
            "grant_role", approvers=approvers, account=customs_notary, roles=int(Role.NOTARY)
        )
    return customs_notary


@pytest.fixture(scope="module")
def fuzz_notary(project, deployer, consortium, anchorer):
    return deployer.deploy(project.Notary, consortium)


@pytest.fixture(scope="module")
def schema(fuzz_notary, anchorer):
    fuzz_notary.registerSchema("fuzz", "1", bytes(32), "", sender=anchorer)
    return 1


def anchor(fuzz_notary, tree, schema, sender):
    """Anchor ``tree`` once (hypothesis may draw the same tree again); return the batch id."""
    batch = record_id(tree.root, 1)
    if fuzz_notary.record(batch).kind == 0:
        fuzz_notary.anchorBatch(tree.root, tree.size, schema, 0, sender=sender)
    return batch


# View calls are cheap on boa: four times the profile's examples (100 in "ci").
@settings(max_examples=4 * settings().max_examples)
@given(case=inclusion_cases())
def test_verify_inclusion__random_and_forged_proofs__chain_agrees_with_python(
    fuzz_notary, schema, anchorer, case
):
    tree = case.tree
    batch = anchor(fuzz_notary, tree, schema, anchorer)

    expected = verify(tree.root, tree.size, case.document, case.index, case.proof)
    assert fuzz_notary.verifyInclusion(batch, case.document, case.index, case.proof) == expected
    if case.mutation == "none":
        assert expected
    elif case.mutation in ("truncate", "extend", "index_beyond_size", "inner_node_as_leaf") and (
        len(case.proof) != tree.depth or case.index >= tree.size
    ):
        assert not expected


@given(case=inclusion_cases())
def test_verify_inclusion__proof_against_wrong_root__false(fuzz_notary, schema, anchorer, case):
    """A true proof for one tree, checked against another anchored batch, never passes."""
    honest = MerkleTree(case.documents)
    other = MerkleTree([*case.documents, bytes(31) + b"\x01"])
    batch = anchor(fuzz_notary, other, schema, anchorer)
    proof = honest.proof(min(case.index, honest.size - 1)) if case.index < honest.size else []
    idx = case.index if case.index < honest.size else 0
    doc = case.documents[idx]
    on_chain = fuzz_notary.verifyInclusion(batch, doc, idx, proof)
    assert on_chain == verify(other.root, other.size, doc, idx, proof)
