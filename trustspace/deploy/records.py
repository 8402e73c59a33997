"""Deployment records: what the suite deployed on one network, kept as a JSON file.

One file per network under ``deployments/`` (``ethereum-customs.json``; a
network reached by URL is ``ethereum-custom-<chain id>.json``)::

    {
      "version": 1,
      "network": "ethereum:customs",
      "chain_id": 31338,
      "genesis": "0x…",
      "compilers": {"solidity": "0.8.37+commit.f401782d", "vyper": "0.4.3"},
      "contracts": {
        "Consortium": {"contract_type": "Consortium", "address": "0x…", "tx_hash": "0x…",
                       "block": 1, "deployer": "0x…", "codehash": "0x…", "compiler": "vyper 0.4.3",
                       "args": [...], "status": "deployed", "deployed_at": "2026-…Z"},
        …
      },
      "wiring": {"protect:Notary": {"tx_hash": "0x…", "proposal_id": 4}}
    }

A contract is recorded as ``pending`` (with its signed transaction's hash and the
address it will have) before the transaction is sent, and ``deployed`` once
mined, so a run killed half-way is completed by the next one, never duplicated.
Every write replaces the file atomically (write a temporary file, then rename).

``genesis`` is the hash of the chain's block 0 when the record was made: a chain
restarted from nothing under the same id (an anvil reset) has another one, so a
record of the old chain is recognised as stale even where an address happens to
hold code again. Records written before it existed have none and are judged by code.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustspace.errors import TrustspaceError
from trustspace.paths import deployments_folder

__all__ = [
    "DEPLOYED",
    "PENDING",
    "RECORD_VERSION",
    "ContractRecord",
    "DeploymentError",
    "DeploymentRecord",
    "archive",
    "candidates",
    "check_chain_id",
    "current",
    "default_folder",
    "find",
    "load",
    "record_name",
    "record_path",
    "save",
    "utc_now",
]

RECORD_VERSION = 1
DEPLOYED = "deployed"
PENDING = "pending"


class DeploymentError(TrustspaceError, RuntimeError):
    """A deployment record does not match the chain; the message says what and what to do."""


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string (seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class ContractRecord:
    """One deployed (or pending) contract."""

    contract_type: str
    address: str
    tx_hash: str
    deployer: str
    status: str = DEPLOYED
    block: int | None = None
    codehash: str | None = None
    compiler: str | None = None
    args: list[Any] = field(default_factory=list)
    gas_used: int | None = None
    deployed_at: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContractRecord:
        """Parse one entry of ``contracts``."""
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class DeploymentRecord:
    """Everything deployed on one network."""

    network: str
    chain_id: int
    contracts: dict[str, ContractRecord] = field(default_factory=dict)
    wiring: dict[str, dict[str, Any]] = field(default_factory=dict)
    compilers: dict[str, str] = field(default_factory=dict)
    version: int = RECORD_VERSION
    genesis: str | None = None

    def address(self, name: str) -> str:
        """The address of a deployed contract; ``KeyError`` naming the missing one."""
        entry = self.contracts.get(name)
        if entry is None or entry.status != DEPLOYED:
            raise KeyError(f"{name} is not deployed on {self.network} (chain {self.chain_id})")
        return entry.address

    def deployed(self) -> Iterator[tuple[str, ContractRecord]]:
        """The contracts whose deployment was mined."""
        for name, entry in self.contracts.items():
            if entry.status == DEPLOYED:
                yield name, entry

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "version": self.version,
            "network": self.network,
            "chain_id": self.chain_id,
            **({"genesis": self.genesis} if self.genesis else {}),
            "compilers": dict(self.compilers),
            "contracts": {name: asdict(entry) for name, entry in self.contracts.items()},
            "wiring": dict(self.wiring),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeploymentRecord:
        """Parse :meth:`to_json` output."""
        return cls(
            network=str(data["network"]),
            chain_id=int(data["chain_id"]),
            contracts={
                str(name): ContractRecord.from_json(entry)
                for name, entry in dict(data.get("contracts", {})).items()
            },
            wiring={str(k): dict(v) for k, v in dict(data.get("wiring", {})).items()},
            compilers={str(k): str(v) for k, v in dict(data.get("compilers", {})).items()},
            version=int(data.get("version", RECORD_VERSION)),
            genesis=str(data["genesis"]) if data.get("genesis") else None,
        )


def default_folder() -> Path:
    """Where deployment records live (:func:`trustspace.paths.deployments_folder`)."""
    return deployments_folder()


def record_name(ecosystem: str, network: str, chain_id: int) -> str:
    """The record file name for a network; networks reached by URL are told apart by chain id."""
    if network in ("custom", "") or "://" in network:
        return f"{ecosystem}-custom-{chain_id}.json"
    return f"{ecosystem}-{network}.json"


def record_path(folder: Path, ecosystem: str, network: str, chain_id: int) -> Path:
    """Where the record of this network lives in ``folder``."""
    return folder / record_name(ecosystem, network, chain_id)


def load(path: Path) -> DeploymentRecord | None:
    """The record at ``path``, or None if there is none; ``DeploymentError`` if unreadable."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    try:
        return DeploymentRecord.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        # AttributeError: an entry that is not an object ("Notary": "0x…"), from a hand edit.
        raise DeploymentError(f"{path} is not a deployment record: {err!r}") from err


def save(record: DeploymentRecord, path: Path) -> None:
    """Write ``record`` atomically: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record.to_json(), indent=2, sort_keys=False) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def archive(path: Path) -> Path:
    """Move a stale record aside (``<name>.stale-<time>.json``) and return the new path."""
    stamp = utc_now().replace(":", "").replace("-", "")
    target = path.with_name(f"{path.stem}.stale-{stamp}{path.suffix}")
    os.replace(path, target)
    return target


def check_chain_id(record: DeploymentRecord, chain_id: int, path: Path) -> None:
    """Refuse a record made on another chain (same network name, different chain id)."""
    if record.chain_id != chain_id:
        raise DeploymentError(
            f"{path} records chain id {record.chain_id}, but the connected node reports "
            f"chain id {chain_id}: the network name points at another chain. Fix the URL in "
            f"ape-config.yaml, or move {path.name} away if the old chain is gone."
        )


def _reached_by_url(network: str | None) -> bool:
    return not network or network.endswith(":custom") or "://" in network


def find(folder: Path, chain_id: int, network: str | None = None) -> DeploymentRecord | None:
    """The record in ``folder`` for ``network`` (``"ethereum:customs"``) on ``chain_id``.

    A named network has exactly one record file, so another named network that shares the
    chain id (``ethereum:local`` on 31337 and ``ethereum:hub``) never lends its record. Only
    a network reached by URL (``ethereum:custom``, or none given) falls back to the record of
    the chain id, and only when exactly one record has it.
    """
    if network and not _reached_by_url(network):
        ecosystem, _, name = network.partition(":")
        hit = load(record_path(folder, ecosystem or "ethereum", name or "local", chain_id))
        return hit if hit is not None and hit.chain_id == chain_id else None
    matches = candidates(folder, chain_id)
    if network:
        ecosystem = network.partition(":")[0] or "ethereum"
        hit = load(record_path(folder, ecosystem, "custom", chain_id))
        if hit is not None and hit.chain_id == chain_id:
            return hit
    return matches[0] if len(matches) == 1 else None


def current(folder: Path) -> Iterator[tuple[Path, DeploymentRecord]]:
    """Every current record in ``folder`` (archived ``*.stale-*`` and unreadable files left
    out), by file name: the one scan every "which record has this chain" question uses."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        if ".stale-" in path.name:
            continue
        try:
            record = load(path)
        except DeploymentError:
            continue
        if record is not None:
            yield path, record


def candidates(folder: Path, chain_id: int) -> list[DeploymentRecord]:
    """Every current record of ``chain_id`` in ``folder``, by file name."""
    return [record for _, record in current(folder) if record.chain_id == chain_id]
