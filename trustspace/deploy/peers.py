"""Which deployment record a ``wire --peer`` means, and whether that chain still holds it.

A peer is named by its network (``customs``, ``ethereum:customs``) — the record file is
then unambiguous — or by a chain id, accepted only when exactly one current record has
it: two records of one chain id (a URL-reached ``ethereum-custom-31338.json`` beside
``ethereum-customs.json``) are refused with both named, never picked alphabetically.

Before anything is wired the peer chain is asked, over JSON-RPC, whether the record
still describes it: its chain id, its block 0 (when recorded) and the code at every
recorded address. A bus origin, once set, cannot be changed by wiring again, so a
stale peer must be refused here rather than discovered after the proposal executed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trustspace.artifacts import runtime_code, runtime_matches
from trustspace.crypto.hashing import keccak
from trustspace.deploy.records import DeploymentError, DeploymentRecord, candidates, load
from trustspace.networks import local_spec

__all__ = ["Peer", "candidates_by_name", "peer_problems", "resolve_peer"]


@dataclass(frozen=True)
class Peer:
    """A peer chain's record and, where known, the RPC URL to check it against."""

    record: DeploymentRecord
    url: str | None


def _network_of(spec: str) -> str:
    """``ecosystem:network`` of a peer spec: ``tax``, ``ethereum:tax`` and ``ethereum:tax:node``
    (the ``--network`` form) all name the record ``ethereum-tax.json``."""
    parts = spec.split(":")
    if len(parts) == 1:
        return f"ethereum:{spec}"
    return ":".join(parts[:2])


def resolve_peer(folder: Path, spec: str, url: str | None = None) -> Peer:
    """The record ``spec`` names in ``folder`` (a network name, or a unique chain id)."""
    text = spec.strip()
    if text.isdigit():
        found = candidates(folder, int(text))
        if not found:
            raise DeploymentError(f"--peer {text}: no record of chain {text} in {folder}")
        if len(found) > 1:
            names = ", ".join(r.network for r in found)
            raise DeploymentError(
                f"--peer {text}: {len(found)} records have chain id {text} ({names}); "
                "name the network instead (--peer customs)"
            )
        record = found[0]
    else:
        network = _network_of(text)
        named = candidates_by_name(folder, network)
        if not named:
            raise DeploymentError(
                f"--peer {text}: no record of {network} in {folder}; deploy it first with "
                f"`trustspace deploy suite --network {network}`"
            )
        record = named[0]
    local = local_spec(record.network.partition(":")[2])
    if url is None and local is not None and local.chain_id == record.chain_id:
        url = local.url
    return Peer(record, url)


def candidates_by_name(folder: Path, network: str) -> list[DeploymentRecord]:
    """The record of ``network`` in ``folder`` (zero or one), whatever its chain id."""
    ecosystem, _, name = network.partition(":")
    path = folder / f"{ecosystem}-{name}.json"
    record = load(path)
    if record is not None and record.network != f"{ecosystem}:{name}":
        # The file decides which node checks it only through its name, never its contents.
        raise DeploymentError(
            f"{path} says it records {record.network}, not {ecosystem}:{name}: refusing a "
            "record whose contents disagree with its name"
        )
    return [record] if record is not None else []


#: The contracts wiring points this chain at on a peer: their code must be this release's.
WIRED_CONTRACTS = ("Notary", "MessageBus")


def peer_problems(peer: Peer, timeout: float = 5.0) -> list[str]:
    """What the peer chain contradicts in its record (empty: it matches).

    The record is another organisation's file: the peer's node is asked for its chain id,
    block 0 and code, and the Notary and MessageBus wiring would trust must hold this
    release's code (a recorded codehash alone would let the file vouch for itself). Without
    a URL nothing can be checked: that is a problem too (the caller may accept it)."""
    if peer.url is None:
        return [f"no RPC URL is known for {peer.record.network}: its record cannot be checked"]
    from web3 import HTTPProvider, Web3

    w3 = Web3(HTTPProvider(peer.url, request_kwargs={"timeout": timeout}))
    where = f"{peer.record.network} at {peer.url}"
    try:
        chain_id = int(w3.eth.chain_id)
        if chain_id != peer.record.chain_id:
            return [f"{where} is chain {chain_id}, the record says {peer.record.chain_id}"]
        problems = []
        if peer.record.genesis:
            genesis = "0x" + bytes(w3.eth.get_block(0)["hash"]).hex()
            if genesis != peer.record.genesis:
                return [f"{where}: block 0 differs (the chain was restarted from nothing)"]
        deployed = dict(peer.record.deployed())
        for name in WIRED_CONTRACTS:
            if name not in deployed:
                problems.append(f"{peer.record.network}: no {name} is recorded as deployed")
        for name, entry in deployed.items():
            code = bytes(w3.eth.get_code(w3.to_checksum_address(entry.address)))
            if not code:
                problems.append(f"{where}: no code at {name} {entry.address}")
            elif entry.codehash and "0x" + keccak(code).hex() != entry.codehash:
                problems.append(f"{where}: other code at {name} {entry.address}")
            elif name in WIRED_CONTRACTS and not runtime_matches(code, runtime_code(name)):
                problems.append(
                    f"{where}: {name} {entry.address} does not hold this release's {name} code"
                )
        return problems
    except Exception as err:  # a peer's node is another organisation's: any failure refuses
        return [f"{where} does not answer properly ({type(err).__name__}): start it, or check "
                "the URL"]  # fmt: skip
