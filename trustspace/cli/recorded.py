"""Chains named as a user names them, with the contract addresses of their deployment records.

The bus daemons and the DID commands talk JSON-RPC (web3.py) to several chains at
once; this module turns what the user typed into a node URL, its chain id and the
deployment record of that chain (:mod:`trustspace.deploy.records`, folder
``$TRUSTSPACE_DEPLOYMENTS``), so that nobody types a contract address by hand.

A chain is given as

* a network name: a built-in local chain (``hub``, ``customs``, ``tax``, also as
  ``ethereum:customs[:node]``), or any network of ape's configuration
  (``ethereum:sepolia:node``: its node URL is read from ape's config);
* ``NAME=URL``: that network's record, reached at another URL (a chain started
  with ``trustspace chains up --base-port``);
* a bare ``http(s)://`` URL: the record is the one of the chain id the node reports.

A record is looked up by network name first (``ethereum-customs.json``) and
otherwise by chain id (``ethereum-custom-31338.json`` of a deploy over a URL); a
record naming another chain id than the node reports is refused as stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from trustspace.cli.options import EXIT_BAD_INPUT, EXIT_UNREACHABLE, CommandError, local_url
from trustspace.deploy.records import DeploymentRecord, find, load, record_path
from trustspace.networks import DEFAULT_CHAINS
from trustspace.paths import deployments_folder

__all__ = [
    "ChainTarget",
    "RecordedChain",
    "connect_target",
    "local_recorded",
    "parse_target",
]

_LOCAL = {spec.name: spec for spec in DEFAULT_CHAINS}


@dataclass(frozen=True)
class ChainTarget:
    """What the user named: a label, the node URL and the network whose record to read."""

    label: str
    url: str
    network: str | None  # "ethereum:customs"; None for a bare URL


@dataclass(frozen=True)
class RecordedChain:
    """A chain that answered, with its deployment record (if one exists)."""

    label: str
    url: str
    chain_id: int
    w3: Any
    record: DeploymentRecord | None
    folder: Path

    def address(self, contract: str) -> str:
        """The recorded address of ``contract``; CommandError (exit 2) saying what to do."""
        if self.record is None:
            raise CommandError(
                f"no deployment record for {self.label} (chain {self.chain_id}) in "
                f"{self.folder}: deploy there (`trustspace deploy suite --network …`) or set "
                "TRUSTSPACE_DEPLOYMENTS to the folder that holds its records",
                EXIT_BAD_INPUT,
            )
        try:
            return self.record.address(contract)
        except KeyError as err:
            raise CommandError(
                f"{contract} is not deployed on {self.label} (chain {self.chain_id}) according "
                f"to {self.folder}: deploy it first",
                EXIT_BAD_INPUT,
            ) from err

    def codehash(self, contract: str) -> str | None:
        """The recorded keccak of ``contract``'s runtime code, if recorded."""
        if self.record is None or contract not in self.record.contracts:
            return None
        return self.record.contracts[contract].codehash

    def has(self, contract: str) -> bool:
        """True if the record holds ``contract`` as deployed."""
        return self.record is not None and any(n == contract for n, _ in self.record.deployed())


def _is_url(value: str) -> bool:
    return urlparse(value).scheme in ("http", "https") and bool(urlparse(value).netloc)


def _network_name(value: str) -> tuple[str, str]:
    """(label, "ecosystem:network") of a network choice (provider part dropped)."""
    parts = value.split(":")
    if len(parts) == 1:
        return parts[0], f"ethereum:{parts[0]}"
    return parts[1], f"{parts[0]}:{parts[1]}"


def _ape_node_url(choice: str) -> str:
    """The node URL ape's configuration gives network ``choice`` (not connecting)."""
    try:
        from ape import networks

        provider = networks.get_provider_from_choice(choice)
        uri = getattr(provider, "uri", None)
    except Exception as err:  # ape raises many kinds for an unknown choice
        raise CommandError(
            f"unknown network {choice!r}: use hub, customs, tax, an ape network choice "
            "(ethereum:sepolia:node) or NAME=URL / an http(s) URL",
            EXIT_BAD_INPUT,
        ) from err
    if not isinstance(uri, str) or not _is_url(uri):
        raise CommandError(
            f"network {choice!r} has no node URL in ape's config: give it as NAME=URL",
            EXIT_BAD_INPUT,
        )
    return uri


def parse_target(value: str) -> ChainTarget:
    """A ``--chain`` / ``--network`` value (see the module docstring); never connects."""
    value = value.strip()
    if not value:
        raise CommandError("empty chain name: give hub, customs, tax, NAME=URL or a URL")
    if _is_url(value):
        return ChainTarget(value, value, None)
    name, sep, url = value.partition("=")
    if sep:
        if not _is_url(url):
            raise CommandError(f"{value!r}: after = comes an http(s) node URL")
        label, network = _network_name(name)
        return ChainTarget(label, url, network)
    label, network = _network_name(value)
    if network.startswith("ethereum:") and label in _LOCAL:
        return ChainTarget(label, local_url(label) or _LOCAL[label].url, network)
    return ChainTarget(label, _ape_node_url(value), network)


def _record(folder: Path, target: ChainTarget, chain_id: int) -> DeploymentRecord | None:
    if target.network is not None:
        ecosystem, _, name = target.network.partition(":")
        path = record_path(folder, ecosystem, name, chain_id)
        by_name = load(path)
        if by_name is not None:
            if by_name.chain_id != chain_id:
                raise CommandError(
                    f"{path} records chain id {by_name.chain_id} but the node at {target.url} "
                    f"reports {chain_id}: wrong URL, or the record is stale (redeploy)",
                    EXIT_BAD_INPUT,
                )
            return by_name
    return find(folder, chain_id)


def connect_target(target: ChainTarget, timeout: float = 15.0) -> RecordedChain:
    """Connect to ``target`` (exit 3 if it does not answer) and read its record."""
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(target.url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as err:  # requests, web3 and OS errors of a node that is not there
        raise CommandError(
            f"cannot reach {target.label} at {target.url}: is the chain running? "
            "(`trustspace chains up` starts the local ones)",
            EXIT_UNREACHABLE,
        ) from err
    folder = deployments_folder()
    return RecordedChain(target.label, target.url, chain_id, w3, _record(folder, target, chain_id),
                         folder)  # fmt: skip


def local_recorded(contract: str) -> list[ChainTarget]:
    """The built-in local chains whose deployment record holds ``contract`` (no connection)."""
    folder = deployments_folder()
    out = []
    for spec in DEFAULT_CHAINS:
        record = load(record_path(folder, "ethereum", spec.name, spec.chain_id))
        if record is None or record.chain_id != spec.chain_id:
            record = find(folder, spec.chain_id)
        if record is not None and any(n == contract for n, _ in record.deployed()):
            out.append(
                ChainTarget(spec.name, local_url(spec.name) or spec.url, f"ethereum:{spec.name}")
            )
    return out
