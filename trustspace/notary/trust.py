"""How a relying party finds the Notary (and its Consortium) it trusts on a chain.

A proof bundle or a disclosure is written by whoever hands it over, so nothing in
it can decide *which contract* answers "is this valid": an outsider can deploy
a Consortium of their own with copied organisation names ("Tax Administration"
as org 2), a Notary over it, attest a forged file and ship a bundle naming that
Notary. The contract therefore comes only from the relying party's side, in
this order:

1. an address the relying party typed (``--notary``), whose code is checked
   against the Notary runtime code shipped in this package
   (:func:`trustspace.artifacts.runtime_matches`), and whose ``consortium()`` must hold the shipped
   Consortium code;
2. else the relying party's own deployment record for the connected chain
   (:mod:`trustspace.deploy.records`, in :func:`trustspace.paths.deployments_folder`,
   ``$TRUSTSPACE_DEPLOYMENTS`` to point elsewhere): the code at the recorded
   Notary and Consortium must hash to the ``codehash`` recorded at deployment,
   and the Notary's ``consortium()`` must be the recorded Consortium.

Anything else is refused with :class:`TrustError`. A bundle may then only say
which chain to look on; :func:`check_claims` refuses a bundle or disclosure that
names another chain id or another contract than the trusted one.

Why two code checks. A deployment record holds the hash of the exact code the
deployer found at the address, immutables included, so comparing hashes is
exact and catches a reset chain (no code) or another contract at the address.
A typed address has no such hash; its code is compared with the shipped
runtime bytecode instead. Solidity leaves each ``immutable`` (the Notary's
Consortium, OpenZeppelin EIP-712's cached domain) as a 32-byte zero placeholder
``PUSH32 0`` in the runtime object and writes the value at deployment, so those
32-byte windows are masked and every other byte must be equal; the Consortium
itself is then read through ``consortium()``, which returns that immutable.
solc's CBOR metadata trailer (the last ``2 + length`` bytes) is left out too: it
hashes the source text (a comment changes it), sits after the last instruction
and is never executed, so two builds of one contract may differ there only.
Vyper 0.4 appends immutables after the runtime code instead; the Consortium has
none, so its code must equal the shipped runtime exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from eth_utils.address import to_checksum_address

from trustspace.artifacts import runtime_code, runtime_matches
from trustspace.crypto.address import is_valid_address
from trustspace.crypto.hashing import keccak
from trustspace.deploy import records
from trustspace.errors import InputError
from trustspace.paths import deployments_folder

__all__ = [
    "SOURCE_FLAG",
    "ApeChainReader",
    "ChainReader",
    "TrustError",
    "TrustedNotary",
    "check_claims",
    "trusted_notary",
]

SOURCE_FLAG = "--notary"
CODE_RECORDED = "codehash recorded at deployment"
CODE_SHIPPED = "runtime bytecode shipped with trustspace (immutables masked)"


class TrustError(InputError):
    """The trusted contract cannot be established, or a bundle names another one."""


@dataclass(frozen=True)
class TrustedNotary:
    """The Notary (and Consortium) the relying party trusts on one chain, and why."""

    chain_id: int
    notary: str
    consortium: str
    #: ``--notary``, or the deployment record's path.
    source: str
    #: How the code at the addresses was checked.
    code_check: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (what every report prints)."""
        return {
            "chain_id": self.chain_id,
            "notary": self.notary,
            "consortium": self.consortium,
            "trusted_from": self.source,
            "code_check": self.code_check,
        }


class ChainReader(Protocol):
    """What the trust decision reads from the connected chain."""

    def chain_id(self) -> int:
        """Chain id the node reports."""

    def code(self, address: str) -> bytes:
        """Runtime code at ``address`` (empty if none)."""

    def consortium_of(self, notary: str) -> str:
        """``consortium()`` of the Notary at ``notary``."""


class ApeChainReader:
    """:class:`ChainReader` over ape's connected provider (ABIs from the shipped manifest)."""

    def __init__(self, provider: Any = None) -> None:
        if provider is None:
            from ape import chain

            provider = chain.provider
        self.provider = provider

    def chain_id(self) -> int:
        return int(self.provider.chain_id)

    def code(self, address: str) -> bytes:
        return bytes(self.provider.get_code(address))

    def consortium_of(self, notary: str) -> str:
        from ape.contracts import ContractInstance

        from trustspace.artifacts import contract_type

        return str(ContractInstance(notary, contract_type("Notary")).consortium())

    def network(self) -> str:
        """``ecosystem:network`` of the provider (the deployment record's key)."""
        network = self.provider.network
        return f"{network.ecosystem.name}:{network.name}"


# ------------------------------------------------------------------ code comparison


# ------------------------------------------------------------------ trust decision


def _checksum(address: str, what: str) -> str:
    if not isinstance(address, str) or not is_valid_address(address):
        raise TrustError(f"{what} {address!r} is not an address")
    return to_checksum_address(address)


def _check_code(
    reader: ChainReader, name: str, address: str, chain_id: int, codehash: str | None
) -> str:
    code = reader.code(address)
    if not code:
        raise TrustError(
            f"no contract at {name} {address} on chain {chain_id}"
            + (" (was the chain reset? the deployment record is stale)" if codehash else "")
        )
    if codehash is not None:
        if "0x" + keccak(code).hex() != codehash.lower():
            raise TrustError(
                f"{name} {address} on chain {chain_id} holds other code than its deployment "
                "record says (codehash differs): refusing it; redeploy (`trustspace deploy suite "
                "--replace-stale`) or point TRUSTSPACE_DEPLOYMENTS at the right records"
            )
        return CODE_RECORDED
    if not runtime_matches(code, runtime_code(name)):
        raise TrustError(
            f"{address} on chain {chain_id} does not hold the {name} code of this trustspace "
            "version: refusing it; check the address, or leave --notary out to use your "
            "deployment record"
        )
    return CODE_SHIPPED


def _records_for(folder: Path, chain_id: int, network: str | None) -> list[tuple[Path, Any]]:
    """The records of the connected chain: the network's own record if it has one, else
    every record for the chain id (several distinct ones are ambiguous: the caller refuses)."""
    if network:
        ecosystem, _, name = network.partition(":")
        path = records.record_path(folder, ecosystem or "ethereum", name or "local", chain_id)
        own = records.load(path)
        if own is not None and own.chain_id == chain_id:
            return [(path, own)]
    return [
        (path, record)
        for path, record in records.current(folder)
        if record.chain_id == chain_id and "Notary" in dict(record.deployed())
    ]


def trusted_notary(
    reader: ChainReader,
    *,
    notary: str | None = None,
    folder: Path | None = None,
    network: str | None = None,
) -> TrustedNotary:
    """The Notary the relying party trusts on the connected chain; :class:`TrustError` if none.

    ``notary``: an address the relying party gave (``--notary``); else the deployment record
    for the connected chain in ``folder`` (default :func:`trustspace.paths.deployments_folder`),
    preferring the record named after ``network`` (``ethereum:customs``).
    """
    chain_id = reader.chain_id()
    if notary:
        address = _checksum(notary, "--notary")
        check = _check_code(reader, "Notary", address, chain_id, None)
        consortium = _checksum(reader.consortium_of(address), "the Notary's consortium()")
        _check_code(reader, "Consortium", consortium, chain_id, None)
        return TrustedNotary(chain_id, address, consortium, SOURCE_FLAG, check)

    folder = deployments_folder() if folder is None else folder
    found = _records_for(folder, chain_id, network)
    if not found:
        # ape's in-process chain is what a command connects to when --network is left out.
        hint = " (the in-process chain: pass --network, e.g. customs)" if chain_id == 1337 else ""
        raise TrustError(
            f"no trusted Notary for chain {chain_id}{hint}: no deployment record for it in "
            f"{folder} (set TRUSTSPACE_DEPLOYMENTS to your records' folder) and no --notary "
            "ADDRESS given; the contract is never taken from a bundle"
        )
    notaries = {
        entry.address.lower() if entry else None
        for entry in (dict(record.deployed()).get("Notary") for _, record in found)
    }
    if len(notaries) > 1:
        names = ", ".join(path.name for path, _ in found)
        raise TrustError(
            f"several deployment records for chain {chain_id} name different Notaries ({names}): "
            "choose with --network NAME or --notary ADDRESS"
        )
    path, record = found[0]
    try:
        notary_entry = record.contracts["Notary"]
        address = _checksum(record.address("Notary"), f"{path.name}: Notary")
    except KeyError as err:
        raise TrustError(f"{path}: {err.args[0]}") from err
    check = _check_code(reader, "Notary", address, chain_id, notary_entry.codehash)
    consortium = _checksum(reader.consortium_of(address), "the Notary's consortium()")
    entry = record.contracts.get("Consortium")
    if entry is not None and entry.status == records.DEPLOYED:
        if _checksum(entry.address, f"{path.name}: Consortium") != consortium:
            raise TrustError(
                f"the Notary {address} answers to Consortium {consortium}, but {path.name} "
                f"records Consortium {entry.address}: refusing it; the record is not of this "
                "suite: redeploy, or point TRUSTSPACE_DEPLOYMENTS at the right records"
            )
        _check_code(reader, "Consortium", consortium, chain_id, entry.codehash)
    else:
        _check_code(reader, "Consortium", consortium, chain_id, None)
    return TrustedNotary(chain_id, address, consortium, f"deployment record {path}", check)


def check_claims(
    trusted: TrustedNotary,
    *,
    chain_id: int | None,
    notary: str | None,
    what: str = "the bundle",
) -> None:
    """Refuse ``what`` if it names another chain or another Notary than ``trusted``.

    A missing claim (``None``) is fine: the trusted contract answers. A claim is never
    used to pick the contract, only checked against it.
    """
    if chain_id is not None and int(chain_id) != trusted.chain_id:
        raise TrustError(
            f"{what} is for chain {chain_id}, but the connected chain is {trusted.chain_id}: "
            f"connect to chain {chain_id} with --network (refusing to check it here)"
        )
    if notary is not None and (
        not is_valid_address(str(notary)) or to_checksum_address(str(notary)) != trusted.notary
    ):
        raise TrustError(
            f"{what} names Notary {notary}, but the Notary you trust on chain "
            f"{trusted.chain_id} is {trusted.notary} ({trusted.source}): refusing it (the bundle "
            "is not from the Notary you trust; ask its issuer which chain and Notary it is of)"
        )
