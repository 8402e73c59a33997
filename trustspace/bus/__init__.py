"""Cross-chain message bus tooling: message encoding, the Merkle tree mirror, checkpoint
signing, the validator and relayer daemons, and message status.

The on-chain half is ``contracts/MessageBus.sol``; docs/bus.md describes both.
"""
