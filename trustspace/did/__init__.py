"""did:ethr on trustspace chains: registry helpers, resolver, deployment.

The on-chain part is ``contracts/DIDRegistry.vy`` (ERC-1056 compatible); see
``docs/did.md`` for the method, the CLI and the deviations from the reference.
"""

from trustspace.did.registry import (
    DEFAULT_VALIDITY,
    Signature,
    bytes32_to_str,
    sign_digest,
    str_to_bytes32,
)

__all__ = ["DEFAULT_VALIDITY", "Signature", "bytes32_to_str", "sign_digest", "str_to_bytes32"]
