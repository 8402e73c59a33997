"""What a validator checks before it signs anything: the chain and the code behind its RPC.

A validator signs whatever its RPC says the bus's tree is, so it must at least know it
talks to the chain it was configured for and that the bus address holds the MessageBus
it expects. Two checks, each a refusal with one clear line:

* the chain id the node reports equals the config's ``chain_id`` (when the config pins
  one; without it the validator says so at start and trusts the node's chain id);
* the code at the bus address is the shipped MessageBus. With the config's ``codehash``
  (the ``codehash`` of the bus in its deployment record, which also binds the
  constructor's immutables: Consortium, recipient gas, chain) the keccak of the code
  must equal it. Without one, the code must equal the shipped runtime code outside its
  immutable slots: Solidity leaves each immutable as ``PUSH32 0x00…00`` in the runtime
  code and the constructor writes the value there, so those 32-byte windows are masked
  and every other byte — length, opcodes, constants, metadata hash — must match.

Neither check makes a lying node honest (it could fake the tree too); they catch the
operator's mistakes — the wrong URL, a reset chain, the wrong address — which are the
common way to sign for the wrong thing. docs/operations.md says what remains trusted.
"""

from __future__ import annotations

from typing import Any

from eth_utils.crypto import keccak

from trustspace.artifacts import artifact, runtime_matches
from trustspace.bus.config import ChainConfig
from trustspace.errors import InputError

__all__ = [
    "PreflightError",
    "check_bus_code",
    "check_chain",
    "preflight",
]


class PreflightError(InputError):
    """The node or the bus address is not what the config says; the message says which."""


def check_chain(w3: Any, chain: ChainConfig) -> int:
    """The node's chain id, checked against the config; raises :class:`PreflightError`."""
    reported = int(w3.eth.chain_id)
    if chain.chain_id is not None and reported != chain.chain_id:
        raise PreflightError(
            f"refusing to sign: the node at {chain.rpc} reports chain id {reported}, "
            f"the config says {chain.name} is chain {chain.chain_id}"
        )
    return reported


def check_bus_code(w3: Any, chain: ChainConfig) -> None:
    """Refuse unless ``chain.bus`` holds the shipped MessageBus (see the module docstring)."""
    code = bytes(w3.eth.get_code(w3.to_checksum_address(chain.bus)))
    if not code:
        raise PreflightError(
            f"refusing to sign: no contract at bus address {chain.bus} on {chain.name}"
        )
    if chain.codehash is not None:
        if "0x" + keccak(code).hex() != chain.codehash.lower():
            raise PreflightError(
                f"refusing to sign: the code at {chain.bus} on {chain.name} does not have the "
                f"configured codehash {chain.codehash}"
            )
        return
    runtime = bytes.fromhex(artifact("MessageBus").runtime_bytecode.removeprefix("0x"))
    if not runtime_matches(code, runtime):
        raise PreflightError(
            f"refusing to sign: {chain.bus} on {chain.name} does not hold this release's "
            "MessageBus code"
        )


def preflight(w3: Any, chain: ChainConfig) -> int:
    """Both checks; the chain id on success."""
    chain_id = check_chain(w3, chain)
    check_bus_code(w3, chain)
    return chain_id
