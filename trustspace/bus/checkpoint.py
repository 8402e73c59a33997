"""Checkpoints: what validators sign (EIP-712) and how signatures reach the contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

__all__ = [
    "CHECKPOINT_TYPE",
    "DOMAIN_NAME",
    "DOMAIN_SEPARATOR",
    "DOMAIN_TYPE",
    "DOMAIN_VERSION",
    "SIGNATURE_SIZE",
    "Checkpoint",
    "recover_signer",
    "select_signatures",
    "sign_checkpoint",
]

DOMAIN_NAME = "trustspace MessageBus"
DOMAIN_VERSION = "1"
CHECKPOINT_TYPE = "Checkpoint(uint32 origin,address originBus,bytes32 root,uint32 index)"
DOMAIN_TYPE = "EIP712Domain(string name,string version)"
DOMAIN_SEPARATOR = keccak(
    encode(
        ["bytes32", "bytes32", "bytes32"],
        [keccak(text=DOMAIN_TYPE), keccak(text=DOMAIN_NAME), keccak(text=DOMAIN_VERSION)],
    )
)
SIGNATURE_SIZE = 65


@dataclass(frozen=True)
class Checkpoint:
    """The state of an origin bus's tree: root over messages 0..index."""

    origin: int
    origin_bus: str
    root: bytes
    index: int

    def typed_data(self) -> dict[str, Any]:
        """The EIP-712 message, as wallets and eth_account take it."""
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                ],
                "Checkpoint": [
                    {"name": "origin", "type": "uint32"},
                    {"name": "originBus", "type": "address"},
                    {"name": "root", "type": "bytes32"},
                    {"name": "index", "type": "uint32"},
                ],
            },
            "primaryType": "Checkpoint",
            "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION},
            "message": {
                "origin": self.origin,
                "originBus": to_checksum_address(self.origin_bus),
                "root": self.root,
                "index": self.index,
            },
        }

    def digest(self) -> bytes:
        """The 32 bytes signed (``MessageBus.checkpointDigest``)."""
        struct = keccak(
            encode(
                ["bytes32", "uint32", "address", "bytes32", "uint32"],
                [
                    keccak(text=CHECKPOINT_TYPE),
                    self.origin,
                    to_checksum_address(self.origin_bus),
                    self.root,
                    self.index,
                ],
            )
        )
        return keccak(b"\x19\x01" + DOMAIN_SEPARATOR + struct)


def sign_checkpoint(checkpoint: Checkpoint, private_key: bytes | str) -> bytes:
    """A 65-byte signature r ‖ s ‖ v (v 27/28) of the typed data."""
    signed = Account.sign_typed_data(private_key, full_message=checkpoint.typed_data())
    return bytes(signed.signature)


def recover_signer(checkpoint: Checkpoint, signature: bytes) -> str:
    """The address that signed ``checkpoint`` (raises on a malformed signature)."""
    message = encode_typed_data(full_message=checkpoint.typed_data())
    return str(Account.recover_message(message, signature=signature))


def select_signatures(
    signatures: Mapping[str, bytes], organisations: Mapping[str, int], threshold: int
) -> bytes | None:
    """Pack signatures of ``threshold`` distinct organisations, ordered by signer address.

    ``organisations`` maps each validator of the current set to its organisation;
    signers outside it are left out. One signature per organisation is enough, so
    calldata stays small. Returns None if fewer organisations signed.
    """
    by_org: dict[int, str] = {}
    members = {to_checksum_address(k): v for k, v in organisations.items()}
    for signer in sorted(signatures, key=lambda a: int(a, 16)):
        org = members.get(to_checksum_address(signer))
        if org is not None and org not in by_org:
            by_org[org] = signer
    if len(by_org) < threshold:
        return None
    chosen = sorted(list(by_org.values())[:threshold], key=lambda a: int(a, 16))
    return b"".join(signatures[s] for s in chosen)
