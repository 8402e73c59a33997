"""Hypothesis strategies for the DID registry: names, values, validities."""

from __future__ import annotations

from hypothesis import strategies as st

# Delegate types the did:ethr method gives meaning to, plus one it ignores.
delegate_types = st.sampled_from(["veriKey", "sigAuth", "other"])

# Attribute names: services, keys with each purpose/encoding, and a foreign one.
attribute_names = st.sampled_from(
    [
        "did/svc/HubService",
        "did/svc/Messaging",
        "did/pub/Secp256k1/veriKey/hex",
        "did/pub/Ed25519/veriKey/base64",
        "did/pub/X25519/enc/base64",
        "did/pub/Secp256k1/sigAuth/hex",
        "agency/internal",
    ]
)

# Attribute values: short printable endpoints or raw key bytes (never empty).
attribute_values = st.one_of(
    st.sampled_from([b"https://hub.example.org", b'{"uri":"https://x.example"}']),
    st.binary(min_size=1, max_size=40),
)

# Validities in seconds: already expired next block (0), short, long.
validities = st.sampled_from([0, 60, 3600, 86400 * 30])

# Time steps between operations, in seconds.
time_steps = st.integers(min_value=0, max_value=7200)
