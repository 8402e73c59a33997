"""trustspace.notary.tree: layout, proofs, verification rules (the contract's, mirrored)."""

import pytest

from trustspace.crypto.hashing import hash_bytes, keccak
from trustspace.notary.tree import (
    EMPTY,
    MerkleTree,
    depth_for,
    leaf_hash,
    node_hash,
    record_id,
    root_from_proof,
    verify,
)

DOCS = [hash_bytes(bytes([i])) for i in range(9)]


def test_leaf_and_node__domain_prefixes():
    assert leaf_hash(DOCS[0]) == keccak(b"\x00" + DOCS[0])
    assert node_hash(DOCS[0], DOCS[1]) == keccak(b"\x01" + DOCS[0] + DOCS[1])
    assert leaf_hash(DOCS[0]) != keccak(DOCS[0])


@pytest.mark.parametrize(
    ("size", "depth"), [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4)]
)
def test_depth_for__ceil_log2(size, depth):
    assert depth_for(size) == depth
    assert MerkleTree(DOCS[:size]).depth == depth


def test_depth_for__zero__raises():
    with pytest.raises(ValueError):
        depth_for(0)


def test_tree__three_leaves__padding_is_zero_not_hashed():
    a, b, c = (leaf_hash(d) for d in DOCS[:3])
    expected = node_hash(node_hash(a, b), node_hash(c, EMPTY))
    assert MerkleTree(DOCS[:3]).root == expected


def test_tree__five_leaves__all_padding_subtree_is_zero():
    leaves = [leaf_hash(d) for d in DOCS[:5]]
    left = node_hash(node_hash(leaves[0], leaves[1]), node_hash(leaves[2], leaves[3]))
    right = node_hash(node_hash(leaves[4], EMPTY), EMPTY)
    assert MerkleTree(DOCS[:5]).root == node_hash(left, right)


def test_tree__single_leaf__root_is_leaf():
    tree = MerkleTree(DOCS[:1])
    assert tree.root == leaf_hash(DOCS[0]) and tree.proof(0) == []


def test_tree__bad_input__raises():
    with pytest.raises(ValueError):
        MerkleTree([])
    with pytest.raises(ValueError):
        MerkleTree([b"short"])
    with pytest.raises(IndexError):
        MerkleTree(DOCS).proof(9)


def test_proof__every_leaf__verifies():
    for size in range(1, 10):
        tree = MerkleTree(DOCS[:size])
        for i in range(size):
            assert verify(tree.root, size, DOCS[i], i, tree.proof(i))
            assert root_from_proof(DOCS[i], i, tree.proof(i)) == tree.root
            assert tree.leaf(i) == leaf_hash(DOCS[i])


def test_verify__forgeries__false():
    tree = MerkleTree(DOCS)
    proof = tree.proof(4)
    assert not verify(tree.root, 9, DOCS[4], 5, proof)  # wrong index
    assert not verify(tree.root, 9, DOCS[5], 4, proof)  # wrong document
    assert not verify(tree.root, 9, DOCS[4], 4, proof[:-1])  # short
    assert not verify(tree.root, 9, DOCS[4], 4, [*proof, EMPTY])  # long
    assert not verify(tree.root, 9, DOCS[4], 9, proof)  # index >= size
    assert not verify(tree.root, 9, DOCS[4], -1, proof)
    assert not verify(tree.root, 0, DOCS[4], 4, proof)
    assert not verify(DOCS[0], 9, DOCS[4], 4, proof)  # wrong root
    assert not verify(tree.root, 9, DOCS[4], 4, [proof[1], proof[0], *proof[2:]])  # swapped
    assert not verify(tree.root, 9, DOCS[4][:31], 4, proof)
    assert not verify(tree.root, 9, DOCS[4], 4, [b"x", *proof[1:]])


def test_verify__inner_node_as_leaf__false():
    tree = MerkleTree(DOCS[:4])
    inner = tree.levels[1][0]
    # Stopping one level early: wrong length; padded to full length: leaf prefix differs.
    assert not verify(tree.root, 4, inner, 0, tree.proof(0)[1:])
    assert not verify(tree.root, 4, inner, 0, [EMPTY, *tree.proof(0)[1:]])
    assert root_from_proof(inner, 0, tree.proof(0)[1:]) != tree.root


def test_record_id__matches_abi_encode():
    assert record_id(DOCS[0], 7) == keccak(DOCS[0] + (7).to_bytes(32, "big"))
