"""The demo's building blocks that need no chain: declarations and what tax is handed."""

import pytest

from trustspace.devnet.demo import DISCLOSED_FIELDS, make_declarations
from trustspace.notary.disclosure import DisclosureError, commit, verify_disclosure
from trustspace.notary.tree import MerkleTree
from trustspace.notary.tree import verify as merkle_verify


def test_declarations__same_seed__same_documents():
    assert make_declarations(5) == make_declarations(5)
    assert make_declarations(5, seed=1) != make_declarations(5)


def test_disclosure__one_declaration_of_a_batch__reveals_only_the_chosen_fields():
    commitments = [commit(d) for d in make_declarations(20)]
    tree = MerkleTree([c.root for c in commitments])
    disclosure = commitments[7].disclose(DISCLOSED_FIELDS)
    revealed = verify_disclosure(disclosure)
    assert set(revealed) == set(DISCLOSED_FIELDS)
    assert merkle_verify(tree.root, tree.size, disclosure.root, 7, tree.proof(7))
    assert not merkle_verify(tree.root, tree.size, disclosure.root, 8, tree.proof(8))


def test_disclosure__declared_value_changed__is_rejected():
    disclosure = commit(make_declarations(1)[0]).disclose(DISCLOSED_FIELDS)
    field = next(f for f in disclosure.fields if f.name == "declared_value")
    object.__setattr__(field, "value", field.value - 100)
    with pytest.raises(DisclosureError, match="declared_value"):
        verify_disclosure(disclosure)
