"""Where validators publish checkpoint signatures and relayers fetch them: a directory.

Layout: ``<root>/<origin>/<index:010d>-<root hex>/<signer>.json``. Each file is
written to a temporary name and renamed into place (atomic on POSIX), so a reader
never sees half a signature and a validator killed mid-write leaves at worst a
stray temporary file. Any shared file system or object store with atomic puts
works the same way; relayers verify every signature before using it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eth_utils.address import to_checksum_address

from trustspace.bus.checkpoint import Checkpoint, recover_signer


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint with the valid signatures published for it, by signer."""

    checkpoint: Checkpoint
    signatures: dict[str, bytes]


class SignatureStore:
    """A directory of checkpoint signatures shared by validators and relayers."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        # Signatures already recovered, by file: files are immutable once renamed into place.
        self._verified: dict[Path, tuple[str, str, bytes] | None] = {}

    def _folder(self, cp: Checkpoint) -> Path:
        return self.root / str(cp.origin) / f"{cp.index:010d}-{cp.root.hex()}"

    def publish(self, cp: Checkpoint, signer: str, signature: bytes) -> Path:
        """Write one signature atomically; publishing the same one again is harmless."""
        folder = self._folder(cp)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{to_checksum_address(signer)}.json"
        record = {
            "origin": cp.origin,
            "origin_bus": to_checksum_address(cp.origin_bus),
            "root": "0x" + cp.root.hex(),
            "index": cp.index,
            "signer": to_checksum_address(signer),
            "signature": "0x" + signature.hex(),
            "signed_at": time.time(),
        }
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(record, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def has(self, cp: Checkpoint, signer: str) -> bool:
        """Whether ``signer`` already published a signature of ``cp``."""
        return (self._folder(cp) / f"{to_checksum_address(signer)}.json").exists()

    def checkpoints(self, origin: int, min_index: int = 0) -> Iterator[SignedCheckpoint]:
        """Checkpoints of ``origin``, newest first, with signatures that recover to their signer.

        Lazy: a relayer looking for the newest usable checkpoint reads one folder, not all.
        """
        base = self.root / str(origin)
        if not base.exists():
            return
        for folder in sorted(base.iterdir(), reverse=True):
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            index_text, _, root_hex = folder.name.partition("-")
            if int(index_text) < min_index:
                return
            signed = self._read(folder, origin, int(index_text), bytes.fromhex(root_hex))
            if signed is not None:
                yield signed

    def _read(self, folder: Path, origin: int, index: int, root: bytes) -> SignedCheckpoint | None:
        checkpoint: Checkpoint | None = None
        signatures: dict[str, bytes] = {}
        for path in folder.glob("0x*.json"):
            entry = self._verified.get(path)
            if path not in self._verified:
                entry = self._verify(path, origin, index, root)
                self._verified[path] = entry
            if entry is None:
                continue
            origin_bus, signer, signature = entry
            cp = Checkpoint(origin, origin_bus, root, index)
            if checkpoint is None:
                checkpoint = cp
            if cp == checkpoint:
                signatures[signer] = signature
        if checkpoint is None:
            return None
        return SignedCheckpoint(checkpoint, signatures)

    @staticmethod
    def _verify(path: Path, origin: int, index: int, root: bytes) -> tuple[str, str, bytes] | None:
        try:
            record = json.loads(path.read_text())
            cp = Checkpoint(origin, record["origin_bus"], root, index)
            signature = bytes.fromhex(record["signature"][2:])
            signer = to_checksum_address(record["signer"])
            if recover_signer(cp, signature) != signer:
                return None  # not what it claims: ignore it
        except (OSError, ValueError, KeyError):
            return None
        return to_checksum_address(cp.origin_bus), signer, signature

    def signers_covering(self, origin: int, nonce: int) -> dict[str, int]:
        """Each signer of a checkpoint covering ``nonce``, with the highest such index."""
        signers: dict[str, int] = {}
        for signed in self.checkpoints(origin, min_index=nonce):
            for signer in signed.signatures:
                signers[signer] = max(signers.get(signer, 0), signed.checkpoint.index)
        return signers
