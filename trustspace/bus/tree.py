"""The MessageBus tree in Python: depth 32, ordered pairs, empty subtrees as zero hashes.

``IncrementalTree`` mirrors the contract's branch algorithm (to check roots);
``MessageTree`` keeps every leaf and builds the short proofs the contract takes:
the siblings of the lowest ``height`` levels, with the levels above filled by the
contract with roots of empty subtrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eth_utils.crypto import keccak

__all__ = [
    "DEPTH",
    "ZERO_HASHES",
    "IncrementalTree",
    "MessageTree",
    "climb",
    "fill",
    "hash_pair",
    "height_for",
    "proof_from_levels",
    "verify",
]

DEPTH = 32


def hash_pair(left: bytes, right: bytes) -> bytes:
    """keccak256(left ‖ right), the inner node of the tree."""
    return keccak(left + right)


def _zero_hashes() -> tuple[bytes, ...]:
    zeros = [b"\x00" * 32]
    for _ in range(DEPTH):
        zeros.append(hash_pair(zeros[-1], zeros[-1]))
    return tuple(zeros)


# ZERO_HASHES[i] is the root of an empty subtree of height i (ZERO_HASHES[32]: empty tree).
ZERO_HASHES = _zero_hashes()


def height_for(count: int) -> int:
    """The smallest proof height h with count ≤ 2**h (0 for a single leaf)."""
    if count < 1:
        raise ValueError("a tree with no leaves has no proofs")
    return (count - 1).bit_length()


def fill(node: bytes, height: int) -> bytes:
    """Hash a leftmost node at level ``height`` up to the root with empty right siblings."""
    for level in range(height, DEPTH):
        node = hash_pair(node, ZERO_HASHES[level])
    return node


def climb(leaf: bytes, index: int, proof: Sequence[bytes]) -> bytes:
    """The node at level len(proof) reached from ``leaf`` at ``index``."""
    if index >> len(proof):
        raise ValueError(f"index {index} does not fit a proof of height {len(proof)}")
    node = leaf
    for level, sibling in enumerate(proof):
        node = hash_pair(sibling, node) if (index >> level) & 1 else hash_pair(node, sibling)
    return node


def verify(leaf: bytes, index: int, proof: Sequence[bytes], root: bytes) -> bool:
    """What the contract checks: the proof leads from the leaf to the root."""
    try:
        return fill(climb(leaf, index, proof), len(proof)) == root
    except ValueError:
        return False


class IncrementalTree:
    """The contract's tree: one pending node per level, O(depth) per insertion."""

    def __init__(self) -> None:
        self.branch = [b"\x00" * 32] * DEPTH
        self.count = 0

    def insert(self, leaf: bytes) -> None:
        """Append a leaf the way ``MessageBus._insert`` does."""
        self.count += 1
        size = self.count
        node = leaf
        for level in range(DEPTH):
            if size & 1:
                self.branch[level] = node
                return
            node = hash_pair(self.branch[level], node)
            size >>= 1
        raise OverflowError("tree is full")

    def root(self) -> bytes:
        """The root the contract's ``root()`` returns."""
        node = b"\x00" * 32
        for level in range(DEPTH):
            if (self.count >> level) & 1:
                node = hash_pair(self.branch[level], node)
            else:
                node = hash_pair(node, ZERO_HASHES[level])
        return node


class MessageTree:
    """Every leaf of one origin, in order, for roots and proofs at any past size."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.leaves: list[bytes] = list(leaves)

    def append(self, leaf: bytes) -> None:
        """Add the next leaf (nonce = current length)."""
        self.leaves.append(leaf)

    def levels(self, count: int, height: int | None = None) -> list[list[bytes]]:
        """Levels 0..height over the first ``count`` leaves (missing nodes: zero hashes)."""
        if count > len(self.leaves):
            raise ValueError(f"tree holds {len(self.leaves)} leaves, asked for {count}")
        h = height_for(count) if height is None else height
        level = self.leaves[:count]
        out = [level]
        for lvl in range(h):
            if len(level) % 2:
                level = [*level, ZERO_HASHES[lvl]]
            level = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
            out.append(level)
        return out

    def root(self, count: int | None = None) -> bytes:
        """Root over the first ``count`` leaves (all by default)."""
        n = len(self.leaves) if count is None else count
        if n == 0:
            return ZERO_HASHES[DEPTH]
        h = height_for(n)
        return fill(self.levels(n, h)[h][0], h)

    def proof(self, index: int, count: int, height: int | None = None) -> list[bytes]:
        """Siblings of leaf ``index`` in the tree of the first ``count`` leaves."""
        h = height_for(count) if height is None else height
        return proof_from_levels(self.levels(count, h), index)


def proof_from_levels(levels: Sequence[Sequence[bytes]], index: int) -> list[bytes]:
    """Siblings of ``index`` read from precomputed levels (share them across a batch)."""
    proof = []
    for lvl in range(len(levels) - 1):
        sibling = (index >> lvl) ^ 1
        nodes = levels[lvl]
        proof.append(nodes[sibling] if sibling < len(nodes) else ZERO_HASHES[lvl])
    return proof
