"""A party's key share at rest: scrypt-derived key, AES-256-GCM (``cryptography``).

``cryptography`` (PyCA, OpenSSL underneath) is the maintained choice for both:
scrypt (RFC 7914, n=2^15, r=8, p=1: ~32 MiB and ~0.1 s per unlock, the
interactive-login parameters of RFC 7914 section 2) makes guessing a passphrase
expensive, and AES-GCM authenticates the file so that a tampered share is
refused rather than used. The public part of the key (joint key, verification
keys, parties) is stored beside it in clear and bound to the ciphertext as
associated data. The secret never leaves this module in text form.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from trustspace.compute.dkg import KeyShare
from trustspace.compute.group import Point
from trustspace.errors import InputError

__all__ = ["KeystoreError", "load_share", "public_part", "save_share"]

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1


class KeystoreError(InputError):
    """The key share file is missing, malformed, or the passphrase is wrong."""


def _kek(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return kdf.derive(passphrase.encode())


def public_part(share: KeyShare) -> dict[str, Any]:
    """Everything about ``share`` except its secret."""
    return {
        "index": share.index,
        "threshold": share.threshold,
        "public_key": share.public_key.hex(),
        "verification_keys": {str(j): p.hex() for j, p in sorted(share.verification_keys.items())},
        "qualified": list(share.qualified),
    }


def save_share(path: Path, share: KeyShare, passphrase: str, extra: dict[str, Any]) -> None:
    """Write ``share`` encrypted under ``passphrase`` (file mode 0600); never over an
    existing file (a key share is replaced only by choosing a new folder)."""
    if not passphrase:
        raise KeystoreError("an empty passphrase cannot protect a key share")
    if path.exists():
        raise KeystoreError(f"{path}: a key share is already saved there; it is never replaced")
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    public = {**public_part(share), **extra}
    aad = json.dumps(public, sort_keys=True).encode()
    sealed = AESGCM(_kek(passphrase, salt)).encrypt(nonce, share.secret.to_bytes(32, "big"), aad)
    document = {
        "version": 1,
        "kdf": {"name": "scrypt", "n": _SCRYPT_N, "r": _SCRYPT_R, "p": _SCRYPT_P},
        "salt": salt.hex(),
        "nonce": nonce.hex(),
        "sealed": sealed.hex(),
        "public": public,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeystoreError(
            f"{path}: a key share is already saved there; it is never replaced"
        ) from None
    with os.fdopen(fd, "w") as out:
        json.dump(document, out, indent=1)


def load_share(path: Path, passphrase: str) -> tuple[KeyShare, dict[str, Any]]:
    """Read and decrypt a share written by :func:`save_share`; also its public part."""
    try:
        document = json.loads(path.read_text())
        public = document["public"]
        salt, nonce = bytes.fromhex(document["salt"]), bytes.fromhex(document["nonce"])
        sealed = bytes.fromhex(document["sealed"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise KeystoreError(f"{path}: not a key share file ({err})") from None
    aad = json.dumps(public, sort_keys=True).encode()
    try:
        secret = AESGCM(_kek(passphrase, salt)).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise KeystoreError(f"{path}: wrong passphrase or altered file") from None
    share = KeyShare(
        index=int(public["index"]),
        secret=int.from_bytes(secret, "big"),
        threshold=int(public["threshold"]),
        public_key=Point.from_hex(public["public_key"]),
        verification_keys={
            int(j): Point.from_hex(p) for j, p in public["verification_keys"].items()
        },
        qualified=tuple(public["qualified"]),
    )
    return share, public
