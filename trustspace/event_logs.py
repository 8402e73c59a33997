"""A contract event's logs through the log source: the event index for the blocks it holds,
the node for the rest (:func:`trustspace.index.source.get_logs`).

ape's ``ContractEvent.range`` and web3.py's ``ContractEvent.get_logs`` ask the node for every
block since the deployment. Readers ask here instead: the same filter goes to the log source and
the same decoder turns its answer into what those methods return (ape's ``ContractLog`` through
the ecosystem's ``decode_logs``; web3.py's event data through ``process_log``). A provider with
no web3 connection (ape's in-process EVM, which keeps no logs) is asked through ``range``.
"""

from __future__ import annotations

import json
from typing import Any

from web3 import Web3

from trustspace.index import source

__all__ = ["INDEX_NOTE", "ape_logs", "ape_read_from", "read_from", "web3_logs", "web3_of"]

#: The line a command prints (dim) when it read the event index.
INDEX_NOTE = "events read from the event index (blocks it has not indexed yet: from the chain)"


def web3_of(provider: Any) -> Web3 | None:
    """The web3.py connection of an ape provider; None for one without (the in-process EVM)."""
    try:
        w3 = getattr(provider, "web3", None)
    except Exception:  # ape's ProviderNotConnectedError: not connected, so no connection
        return None
    return w3 if isinstance(w3, Web3) else None


def read_from(w3: Web3 | None) -> str:
    """``"index"`` when the event index holds this chain (its logs come from there), else
    ``"chain"``: what a command says about where it read."""
    if w3 is None:
        return "chain"
    return source.source_name(w3)


def ape_read_from() -> str:
    """:func:`read_from` for the chain of ape's connected provider."""
    from ape import chain

    return read_from(web3_of(chain.provider))


def ape_logs(
    event: Any,
    start_block: int = 0,
    stop_block: int | None = None,
    search_topics: dict[str, Any] | None = None,
) -> list[Any]:
    """The logs of ``event`` (an ape ``ContractEvent`` of a contract instance) in blocks
    ``start_block``…``stop_block`` (inclusive; the head when None), matching the indexed
    arguments in ``search_topics``, in chain order, decoded as ape's ``ContractLog``."""
    from ape.types.events import LogFilter

    provider = getattr(event, "provider", None)
    if provider is None:
        # Not an ape event: the portal's web3.py view, whose ``range`` asks the log source.
        stop = event.view.chain_manager.blocks.height if stop_block is None else stop_block
        return list(event.range(start_block, stop + 1, search_topics=search_topics))
    height = int(event.chain_manager.blocks.height)
    stop = height if stop_block is None else min(stop_block, height)
    w3 = web3_of(provider)
    if w3 is None:
        return list(event.range(start_block, stop + 1, search_topics=search_topics))
    if start_block > stop:
        return []
    address: Any = str(event.contract.address)
    log_filter = LogFilter.from_event(event.abi, search_topics, [address], start_block, stop)
    params = {
        "address": address,
        "fromBlock": start_block,
        "toBlock": stop,
        "topics": list(log_filter.topic_filter),
    }
    # The node's JSON form (hex strings), as ape decodes it in ``range``: web3.py's HexBytes
    # would leave ``transaction_hash`` and ``block_hash`` as bytes instead of 0x-strings.
    logs = json.loads(Web3.to_json(source.get_logs(w3, params)))  # type: ignore[arg-type]
    return list(provider.network.ecosystem.decode_logs(logs, event.abi))


def web3_logs(event: Any, *topics: str | None, from_block: int = 0) -> list[Any]:
    """The logs of ``event`` (a web3.py ``ContractEvent`` of a contract, e.g.
    ``contract.events.Delivered()``) from ``from_block`` to the head whose indexed arguments
    are ``topics`` (0x-hex words, None for any), in chain order, decoded by ``process_log``."""
    params = {
        "address": event.address,
        "fromBlock": from_block,
        "toBlock": "latest",
        "topics": [event.topic, *topics],
    }
    return [event.process_log(log) for log in source.get_logs(event.w3, params)]
