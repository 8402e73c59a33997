"""Hypothesis strategies for the Notary: documents, trees and forged inclusion proofs."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from trustspace.notary.tree import EMPTY, MerkleTree

#: 32-byte document digests (random bytes: a digest is indistinguishable from them).
digests = st.binary(min_size=32, max_size=32)

#: Non-empty lists of documents; duplicates allowed (the tree must not care).
document_lists = st.lists(digests, min_size=1, max_size=40)

MUTATIONS = (
    "none",
    "truncate",
    "extend",
    "swap_siblings",
    "flip_bit",
    "wrong_index",
    "other_document",
    "inner_node_as_leaf",
    "foreign_proof",
    "index_beyond_size",
)


@dataclass(frozen=True)
class InclusionCase:
    """A tree, and a claim (document, index, proof) about it, honest or forged by ``mutation``."""

    documents: list[bytes]
    document: bytes
    index: int
    proof: list[bytes]
    mutation: str

    @property
    def tree(self) -> MerkleTree:
        return MerkleTree(self.documents)


@st.composite
def inclusion_cases(draw: st.DrawFn) -> InclusionCase:
    """Guarantees: ``mutation == "none"`` is an honest claim; any other is a forgery attempt
    of that shape (which may, rarely, still be true — e.g. swapping two equal siblings)."""
    documents = draw(document_lists)
    tree = MerkleTree(documents)
    index = draw(st.integers(0, len(documents) - 1))
    proof = tree.proof(index)
    document = documents[index]
    mutation = draw(st.sampled_from(MUTATIONS))
    if mutation == "truncate" and proof:
        proof = proof[: draw(st.integers(0, len(proof) - 1))]
    elif mutation == "extend":
        proof = proof + draw(
            st.lists(st.sampled_from([EMPTY, tree.root, document]), min_size=1, max_size=3)
        )
    elif mutation == "swap_siblings" and len(proof) >= 2:
        i = draw(st.integers(0, len(proof) - 2))
        proof = [*proof[:i], proof[i + 1], proof[i], *proof[i + 2 :]]
    elif mutation == "flip_bit" and proof:
        i = draw(st.integers(0, len(proof) - 1))
        bit = draw(st.integers(0, 255))
        flipped = (int.from_bytes(proof[i], "big") ^ (1 << bit)).to_bytes(32, "big")
        proof = [*proof[:i], flipped, *proof[i + 1 :]]
    elif mutation == "wrong_index":
        index = draw(
            st.integers(0, max(0, 2**tree.depth - 1)).filter(lambda j: j != index)
            if tree.depth
            else st.just(index)
        )
    elif mutation == "other_document":
        document = draw(digests)
    elif mutation == "inner_node_as_leaf" and tree.depth >= 1:
        # Claim the parent of the leaf is itself a leaf: short proof, and padded proof.
        document = tree.levels[1][index >> 1]
        index = index >> 1
        proof = proof[1:] if draw(st.booleans()) else [EMPTY, *proof[1:]]
    elif mutation == "foreign_proof":
        other = MerkleTree(draw(document_lists))
        j = draw(st.integers(0, other.size - 1))
        proof = other.proof(j)
    elif mutation == "index_beyond_size":
        index = draw(st.integers(len(documents), len(documents) + 4))
    return InclusionCase(
        documents=documents, document=document, index=index, proof=proof, mutation=mutation
    )
