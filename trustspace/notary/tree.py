"""Merkle trees that match ``Notary.sol`` byte for byte.

Layout (also in ``docs/notary.md``):

* leaf  = keccak256(0x00 ‖ document)         — ``document`` is the 32-byte digest
* node  = keccak256(0x01 ‖ left ‖ right)
* leaves are padded to the next power of two; a subtree made only of padding is
  ``bytes32(0)`` at every height (never hashed), so building costs n - 1 hashes;
* a proof is exactly ``ceil(log2(size))`` sibling hashes, leaf upwards; the leaf
  index picks the side at each height (bit h = 1 means the node is on the right).

The distinct one-byte prefixes are the domain separation: a leaf hash and an
inner-node hash are preimages of different lengths and first bytes, so an inner
node can never be presented as a leaf (no second-preimage trick), and the fixed
proof length stops a prover from stopping early at an inner node.
"""

from __future__ import annotations

from collections.abc import Sequence

from trustspace.crypto.hashing import keccak

__all__ = [
    "EMPTY",
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "MerkleTree",
    "depth_for",
    "leaf_hash",
    "node_hash",
    "record_id",
    "root_from_proof",
    "verify",
]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
#: The value of an all-padding subtree at any height.
EMPTY = bytes(32)


def leaf_hash(document: bytes) -> bytes:
    """The leaf for a 32-byte document digest."""
    return keccak(LEAF_PREFIX + document)


def node_hash(left: bytes, right: bytes) -> bytes:
    """The inner node over two children."""
    return keccak(NODE_PREFIX + left + right)


def depth_for(size: int) -> int:
    """Proof length for a tree of ``size`` leaves: ceil(log2(size)), 0 for one leaf."""
    if size < 1:
        raise ValueError(f"a tree needs at least one leaf, got {size}")
    return (size - 1).bit_length()


class MerkleTree:
    """A tree over document digests, built level by level and kept in memory for proofs."""

    def __init__(self, documents: Sequence[bytes]) -> None:
        """Build the tree; ``documents`` are 32-byte digests, at least one."""
        if not documents:
            raise ValueError("a tree needs at least one document")
        for i, doc in enumerate(documents):
            if len(doc) != 32:
                raise ValueError(f"document {i} is {len(doc)} bytes, expected 32")
        self.size = len(documents)
        # Local names in the hot loops: attribute lookups dominate at a million leaves.
        k, lp, np_ = keccak, LEAF_PREFIX, NODE_PREFIX
        level = [k(lp + d) for d in documents]
        levels = [level]
        while len(level) > 1:
            if len(level) % 2:
                level.append(EMPTY)  # the padding sibling, also what proofs return
            level = [k(np_ + a + b) for a, b in zip(level[0::2], level[1::2], strict=True)]
            levels.append(level)
        self.levels: list[list[bytes]] = levels

    @property
    def root(self) -> bytes:
        """The Merkle root."""
        return self.levels[-1][0]

    @property
    def depth(self) -> int:
        """The proof length."""
        return len(self.levels) - 1

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        self._check_index(index)
        return self.levels[0][index]

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes from the leaf at ``index`` up to (not including) the root."""
        self._check_index(index)
        return [lv[(index >> h) ^ 1] for h, lv in enumerate(self.levels[:-1])]

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} outside 0..{self.size - 1}")


def root_from_proof(document: bytes, index: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for ``document`` at ``index`` (no length checks)."""
    node = leaf_hash(document)
    for sibling in proof:
        node = node_hash(sibling, node) if index & 1 else node_hash(node, sibling)
        index >>= 1
    return node


def verify(root: bytes, size: int, document: bytes, index: int, proof: Sequence[bytes]) -> bool:
    """True iff ``document`` sits at ``index`` of the ``size``-leaf tree with ``root``.

    Same rules as ``Notary.verifyInclusion``: index < size and exactly
    ``depth_for(size)`` siblings of 32 bytes each; anything else is False.
    """
    if size < 1 or not 0 <= index < size or len(proof) != depth_for(size):
        return False
    if len(document) != 32 or any(len(s) != 32 for s in proof):
        return False
    return root_from_proof(document, index, proof) == root


def record_id(digest: bytes, org_id: int) -> bytes:
    """The Notary record id of a digest (or batch root) attested by ``org_id``."""
    return keccak(digest + org_id.to_bytes(32, "big"))
