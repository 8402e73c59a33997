"""Checkpoint signatures between validators and relayers: what an entry must be, and a folder.

A published signature is untrusted input: it may come from a hostile validator, a
broken disk or a stranger's HTTP server. :func:`parse_entry` is the one gate every
entry passes, from any transport: a JSON object with exactly typed fields, a
65-byte low-s signature, and a signer recovered from the signature over *the
checkpoint the entry names*. Anything else raises :class:`BadEntry`, which readers
log as a warning and skip — never raise out of a scan, so one organisation cannot
stop a relayer. Entries are grouped by the full checkpoint they sign (origin chain,
origin bus, root, index), never by where they were found.

The folder (:class:`SignatureStore`), for validators and relayers on one machine::

    <root>/<signer address>/<origin>/<index:010d>-<root hex>-<origin bus hex>.json

Each validator writes only under its own address (give each its own directory
permissions in production); the relayer reads every validator's folder but trusts
a file only if it names the checkpoint of its path and its signature recovers to
the folder's address. Files are written to a temporary name, fsynced and renamed
(atomic on POSIX), so a reader never sees half a signature.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import re
import stat
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from eth_utils.address import is_hex_address, to_checksum_address

from trustspace.bus.checkpoint import SIGNATURE_SIZE, Checkpoint, recover_signer

__all__ = [
    "ADDRESS_NAME",
    "CACHE_SIZE",
    "ENTRY_MAX_BYTES",
    "ENTRY_NAME",
    "SECP256K1_N",
    "UINT32_MAX",
    "BadEntry",
    "Combined",
    "SignatureEntry",
    "SignatureSource",
    "SignatureStore",
    "SignedCheckpoint",
    "Warnings",
    "check_signature_shape",
    "group",
    "loads_entry",
    "merge",
    "parse_entry",
    "verified_signer",
]

log = logging.getLogger("trustspace.signatures")

UINT32_MAX = 2**32 - 1
# secp256k1 group order: signatures with s above half of it are malleable copies, which
# the bus refuses (OpenZeppelin ECDSA); relayers must never pick one.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ENTRY_MAX_BYTES = 4_096  # a genuine entry is ~400 bytes
ADDRESS_NAME = re.compile(r"^0x[0-9a-fA-F]{40}$")
ENTRY_NAME = re.compile(r"^(\d{10})-([0-9a-f]{64})-([0-9a-f]{40})\.json$")
CACHE_SIZE = 65_536


class BadEntry(ValueError):
    """A published signature entry that is malformed or does not verify; the message says why."""


@dataclass(frozen=True)
class SignatureEntry:
    """One verified signature: ``signer`` signed exactly ``checkpoint``."""

    checkpoint: Checkpoint
    signer: str
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        """The published form (what :func:`parse_entry` reads back)."""
        cp = self.checkpoint
        return {
            "origin": cp.origin,
            "origin_bus": to_checksum_address(cp.origin_bus),
            "root": "0x" + cp.root.hex(),
            "index": cp.index,
            "signer": to_checksum_address(self.signer),
            "signature": "0x" + self.signature.hex(),
        }


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint with the valid signatures published for it, by signer."""

    checkpoint: Checkpoint
    signatures: dict[str, bytes]


class SignatureSource(Protocol):
    """Where a relayer finds signed checkpoints (a folder, announced HTTP endpoints, both)."""

    def checkpoints(
        self, origin: int, min_index: int = 0, max_index: int | None = None
    ) -> Iterator[SignedCheckpoint]:
        """Checkpoints of ``origin`` with ``min_index <= index <= max_index``, newest first."""
        ...


# ---------------------------------------------------------------------- one entry


def _uint32(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= UINT32_MAX:
        raise BadEntry(f"{name} is not a uint32")
    return value


def _hex(value: Any, size: int, name: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 2 + 2 * size:
        raise BadEntry(f"{name} is not {size} bytes of 0x-hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError as err:
        raise BadEntry(f"{name} is not hex") from err


def _address(value: Any, name: str) -> str:
    if not isinstance(value, str) or not is_hex_address(value):
        raise BadEntry(f"{name} is not an address")
    return to_checksum_address(value)


def check_signature_shape(signature: bytes) -> None:
    """Refuse what the bus refuses before recovering anything: zero or out-of-range r/s,
    high s (a malleable copy anyone can make of a genuine signature), v other than 27/28."""
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    if not 0 < r < SECP256K1_N or not 0 < s <= SECP256K1_N // 2:
        raise BadEntry("signature r/s out of range or malleable (high s)")
    if signature[64] not in (27, 28):
        raise BadEntry("signature v is not 27 or 28")


_recovered: OrderedDict[tuple[bytes, bytes], str | None] = OrderedDict()
_recovered_lock = threading.Lock()  # the validator's HTTP thread verifies too


def verified_signer(checkpoint: Checkpoint, signature: bytes) -> str | None:
    """The address ``signature`` recovers to over ``checkpoint`` (None if it recovers to
    nothing); memoised, since relayers see the same signatures every turn."""
    key = (checkpoint.digest(), signature)
    with _recovered_lock:
        if key in _recovered:
            _recovered.move_to_end(key)
            return _recovered[key]
    try:
        signer: str | None = to_checksum_address(recover_signer(checkpoint, signature))
    except Exception:  # eth_keys raises several types for unrecoverable bytes
        signer = None
    with _recovered_lock:
        _recovered[key] = signer
        if len(_recovered) > CACHE_SIZE:
            _recovered.popitem(last=False)
    return signer


def parse_entry(data: Any) -> SignatureEntry:
    """Check one published entry (decoded JSON) completely; raise :class:`BadEntry` if not."""
    if not isinstance(data, dict):
        raise BadEntry(f"not a JSON object but {type(data).__name__}")
    checkpoint = Checkpoint(
        _uint32(data.get("origin"), "origin"),
        _address(data.get("origin_bus"), "origin_bus"),
        _hex(data.get("root"), 32, "root"),
        _uint32(data.get("index"), "index"),
    )
    if checkpoint.root == bytes(32):
        raise BadEntry("root is zero")  # the bus refuses it; never worth a transaction
    signer = _address(data.get("signer"), "signer")
    signature = _hex(data.get("signature"), SIGNATURE_SIZE, "signature")
    check_signature_shape(signature)
    recovered = verified_signer(checkpoint, signature)
    if recovered != signer:
        raise BadEntry(f"signature does not recover to {signer} over the checkpoint it names")
    return SignatureEntry(checkpoint, signer, signature)


def loads_entry(raw: bytes | str) -> SignatureEntry:
    """:func:`parse_entry` over JSON text (NaN, Infinity and deep nesting refused)."""
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as err:
        raise BadEntry(f"not JSON: {err}") from err
    return parse_entry(data)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def group(entries: Iterable[SignatureEntry]) -> list[SignedCheckpoint]:
    """Entries grouped by the exact checkpoint they sign, newest index first, then by how many
    signed (most first); one signature per signer and checkpoint."""
    groups: dict[Checkpoint, dict[str, bytes]] = {}
    for entry in entries:
        groups.setdefault(entry.checkpoint, {}).setdefault(entry.signer, entry.signature)
    ordered = sorted(
        groups.items(),
        key=lambda item: (-item[0].index, -len(item[1]), item[0].origin_bus, item[0].root),
    )
    return [SignedCheckpoint(cp, sigs) for cp, sigs in ordered]


def merge(sources: Iterable[Iterator[SignedCheckpoint]]) -> Iterator[SignedCheckpoint]:
    """Several newest-first streams as one, signatures of the same checkpoint united."""
    merged = heapq.merge(*sources, key=lambda s: -s.checkpoint.index)
    pending: list[SignedCheckpoint] = []
    for signed in merged:
        if pending and pending[0].checkpoint.index != signed.checkpoint.index:
            yield from _unite(pending)
            pending = []
        pending.append(signed)
    yield from _unite(pending)


def _unite(same_index: list[SignedCheckpoint]) -> list[SignedCheckpoint]:
    return group(
        SignatureEntry(s.checkpoint, signer, sig)
        for s in same_index
        for signer, sig in s.signatures.items()
    )


class Warnings:
    """Logs each distinct problem once: a hostile file seen every turn must not flood the log."""

    def __init__(self, limit: int = CACHE_SIZE) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def __call__(self, key: str, message: str, *args: Any) -> None:
        if key in self._seen:
            return
        self._seen[key] = None
        if len(self._seen) > self._limit:
            self._seen.popitem(last=False)
        log.warning(message, *args)


# ---------------------------------------------------------------------- the folder


class SignatureStore:
    """A directory of checkpoint signatures, one sub-folder per validator address."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        # Entries already checked, by (path, inode, size, mtime): a rewritten file is re-read.
        self._checked: OrderedDict[tuple[str, int, int, int], SignatureEntry | None] = OrderedDict()
        self.warn = Warnings()

    def path(self, cp: Checkpoint, signer: str) -> Path:
        """Where ``signer`` publishes its signature of ``cp``."""
        bus = to_checksum_address(cp.origin_bus)[2:].lower()
        name = f"{cp.index:010d}-{cp.root.hex()}-{bus}.json"
        return self.root / to_checksum_address(signer) / str(cp.origin) / name

    def publish(self, cp: Checkpoint, signer: str, signature: bytes) -> Path:
        """Write one signature atomically under the signer's own folder (replacing any file
        there); publishing the same one again is harmless."""
        target = self.path(cp, signer)
        target.parent.mkdir(parents=True, exist_ok=True)
        record = SignatureEntry(cp, to_checksum_address(signer), signature).to_json()
        record["signed_at"] = time.time()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
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
        """Whether the signer's folder holds a signature that verifies for ``signer`` over
        exactly ``cp`` (a squatted, corrupt or foreign file there does not count)."""
        return self._load(self.path(cp, signer)) is not None

    def _load(self, path: Path) -> SignatureEntry | None:
        """The verified entry at ``path``, or None (a warning names the problem once)."""
        try:
            info = path.lstat()
        except OSError:
            return None
        key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
        if key in self._checked:
            self._checked.move_to_end(key)
            return self._checked[key]
        entry: SignatureEntry | None = None
        try:
            entry = self._check(path, info)
        except BadEntry as err:
            self.warn(str(key), "ignoring signature file %s: %s", path, err)
        self._checked[key] = entry
        if len(self._checked) > CACHE_SIZE:
            self._checked.popitem(last=False)
        return entry

    @staticmethod
    def _check(path: Path, info: os.stat_result) -> SignatureEntry:
        # lstat, then O_NOFOLLOW: a symlink to /dev/zero or a FIFO would hang the reader.
        if not stat.S_ISREG(info.st_mode):
            raise BadEntry("not a regular file")
        if info.st_size > ENTRY_MAX_BYTES:
            raise BadEntry(f"larger than {ENTRY_MAX_BYTES} bytes")
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as handle:
                raw = handle.read(ENTRY_MAX_BYTES + 1)
        except OSError as err:
            raise BadEntry(f"unreadable: {err}") from err
        if len(raw) > ENTRY_MAX_BYTES:
            raise BadEntry(f"larger than {ENTRY_MAX_BYTES} bytes")
        entry = loads_entry(raw)
        match = ENTRY_NAME.match(path.name)
        owner = path.parent.parent.name
        assert match is not None  # callers only pass names of this shape
        cp = entry.checkpoint
        expected = (int(path.parent.name), int(match[1]), match[2], match[3])
        found = (cp.origin, cp.index, cp.root.hex(), cp.origin_bus[2:].lower())
        if found != expected:
            raise BadEntry("names another checkpoint than its file name")
        if entry.signer != to_checksum_address(owner):
            raise BadEntry(f"signed by {entry.signer}, not by the folder's owner {owner}")
        return entry

    def _candidates(
        self, origin: int, min_index: int, max_index: int | None, signers: Iterable[Path]
    ) -> dict[int, list[Path]]:
        found: dict[int, list[Path]] = {}
        for folder in signers:
            base = folder / str(origin)
            try:
                names = os.listdir(base)
            except OSError:
                continue  # this validator signed nothing for this origin
            for name in names:
                if name.startswith(".tmp-"):
                    continue  # a write in progress, or left by a killed validator
                match = ENTRY_NAME.match(name)
                if match is None:
                    self.warn(
                        str(base / name), "ignoring %s: not a signature file name", base / name
                    )
                    continue
                index = int(match[1])
                if index >= min_index and (max_index is None or index <= max_index):
                    found.setdefault(index, []).append(base / name)
        return found

    def _signer_folders(self) -> list[Path]:
        folders = []
        try:
            children = list(os.scandir(self.root))
        except OSError as err:
            self.warn(f"root:{err}", "cannot list signature folder %s: %s", self.root, err)
            return []
        for child in children:
            if child.name.startswith("."):
                continue
            if not child.is_dir(follow_symlinks=False) or not ADDRESS_NAME.match(child.name):
                self.warn(
                    f"top:{child.path}",
                    "ignoring %s: not a validator folder (named by its address)",
                    child.path,
                )
                continue
            folders.append(Path(child.path))
        return folders

    def checkpoints(
        self, origin: int, min_index: int = 0, max_index: int | None = None
    ) -> Iterator[SignedCheckpoint]:
        """Checkpoints of ``origin`` in the index range, newest first, each with the signatures
        that verify for it. Lazy: a relayer after the newest usable one reads one index."""
        return self._checkpoints(origin, min_index, max_index, self._signer_folders())

    def _checkpoints(
        self, origin: int, min_index: int, max_index: int | None, folders: list[Path]
    ) -> Iterator[SignedCheckpoint]:
        candidates = self._candidates(origin, min_index, max_index, folders)
        for index in sorted(candidates, reverse=True):
            entries = [e for p in candidates[index] if (e := self._load(p)) is not None]
            yield from group(entries)

    def own(
        self, signer: str, origin: int, min_index: int = 0, max_index: int | None = None
    ) -> Iterator[SignatureEntry]:
        """The verified signatures of one validator, newest first (what it publishes)."""
        folder = self.root / to_checksum_address(signer)
        for signed in self._checkpoints(origin, min_index, max_index, [folder]):
            for who, signature in signed.signatures.items():
                yield SignatureEntry(signed.checkpoint, who, signature)

    def signers_covering(self, origin: int, nonce: int) -> dict[str, int]:
        """Each signer of a checkpoint covering ``nonce``, with the highest such index."""
        signers: dict[str, int] = {}
        for signed in self.checkpoints(origin, min_index=nonce):
            for signer in signed.signatures:
                signers[signer] = max(signers.get(signer, 0), signed.checkpoint.index)
        return signers


class Combined:
    """Several sources read as one: signatures of one checkpoint from any of them count."""

    def __init__(self, sources: Iterable[SignatureSource]) -> None:
        self.sources = list(sources)

    def checkpoints(
        self, origin: int, min_index: int = 0, max_index: int | None = None
    ) -> Iterator[SignedCheckpoint]:
        return merge(s.checkpoints(origin, min_index, max_index) for s in self.sources)
