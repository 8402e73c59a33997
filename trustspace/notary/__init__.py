"""Notarization: the SDK client, the batch Merkle tree, proof bundles, selective disclosure."""
