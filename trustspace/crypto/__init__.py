"""Hashing (SHA-256 digests, keccak, RFC 8785) and EIP-712 typed data, shared by every domain."""
