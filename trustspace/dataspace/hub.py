"""The hub a connector verifies credential presentations against.

A policy naming a ``credentialType`` makes the connector check presentations with the
credentials :class:`~trustspace.credentials.verifier.Verifier` over the hub's DID registry,
Consortium and CredentialRegistry. The connector's own chain may be a domain chain, so the hub
is read over JSON-RPC (web3.py, :class:`Web3Reader`) beside ape's connection, or, when the
connector's chain is itself the hub, through the contracts ape already has bound.
"""

from __future__ import annotations

from typing import Any

from trustspace.credentials.schemas import SchemaStore
from trustspace.credentials.verifier import Verifier
from trustspace.did.resolver import ChainSource, Resolver

__all__ = ["Web3Reader", "hub_verifier"]


class Web3Reader:
    """View calls of a web3.py contract spelled as ape spells them (``c.name(*args)``)."""

    def __init__(self, contract: Any) -> None:
        """Wrap a ``w3.eth.contract(address=…, abi=…)``."""
        self._contract = contract
        self.address = str(contract.address)

    def __getattr__(self, name: str) -> Any:
        function = getattr(self._contract.functions, name)

        def call(*args: Any) -> Any:
            return function(*args).call()

        return call


def hub_verifier(
    source: ChainSource, consortium: Any, registry: Any, schemas: list[dict[str, Any]]
) -> Verifier:
    """A Verifier over the hub: DID documents from ``source``, organisations from
    ``consortium``, schemas, accreditations and status from ``registry`` (on chain, now)."""
    return Verifier(
        Resolver([source]), consortium, registry, SchemaStore(schemas), status_registry=registry
    )
