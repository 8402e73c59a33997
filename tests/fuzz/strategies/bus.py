"""Hypothesis strategies for the message bus (plural nouns; each says what it guarantees)."""

from __future__ import annotations

from eth_utils.address import to_checksum_address
from hypothesis import strategies as st

from trustspace.bus.message import Message

__all__ = [
    "addresses",
    "bodies",
    "chain_ids",
    "leaf_counts",
    "messages",
    "nonces",
    "trees_with_index",
]

#: Checksummed 20-byte addresses (any bytes: contracts and keys alike).
addresses = st.binary(min_size=20, max_size=20).map(to_checksum_address)
#: Chain ids that fit the message's uint32 field, never 0.
chain_ids = st.integers(min_value=1, max_value=2**32 - 1)
#: Nonces of the message's uint32 field, below its maximum.
nonces = st.integers(min_value=0, max_value=2**32 - 2)
#: Message bodies, empty to 300 bytes.
bodies = st.binary(max_size=300)
#: Sizes of a message tree: 1 to 300 leaves.
leaf_counts = st.integers(min_value=1, max_value=300)


@st.composite
def messages(draw: st.DrawFn) -> Message:
    """Any well-formed message (version 2, fields within their widths)."""
    return Message(
        nonce=draw(nonces),
        origin=draw(chain_ids),
        sender=draw(addresses),
        destination=draw(chain_ids),
        destination_bus=draw(addresses),
        recipient=draw(addresses),
        body=draw(bodies),
        sequence=draw(st.integers(min_value=0, max_value=2**32 - 1)),
    )


@st.composite
def trees_with_index(draw: st.DrawFn) -> tuple[list[bytes], int]:
    """Distinct 32-byte leaves (at least one) and an index into them."""
    leaves = draw(
        st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=140, unique=True)
    )
    return leaves, draw(st.integers(min_value=0, max_value=len(leaves) - 1))
