"""Logs of the node turned into index rows, decoded by the shipped contracts' ABIs.

topic0 → event ABI across every contract of the shipped manifest
(:mod:`trustspace.artifacts`); an event whose signature several contracts share with other
``indexed`` flags is decoded by the first candidate whose topic count and data fit. A log
no candidate decodes is kept raw (``event`` and ``args`` empty): a permissioned chain's
other traffic is indexed too.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak

from trustspace.artifacts import DEPLOYABLE, abi, abi_type
from trustspace.index.store import LogRow

__all__ = ["decode_event", "events_by_topic", "hex0x", "row_of", "topic_of"]


def hex0x(value: Any) -> str:
    """0x-hex, lower case, of bytes / HexBytes / a hex string."""
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


def topic_of(event: Mapping[str, Any]) -> str:
    """The topic0 of an event ABI entry."""
    signature = f"{event['name']}({','.join(abi_type(i) for i in event['inputs'])})"
    return "0x" + keccak(text=signature).hex()


@cache
def events_by_topic() -> dict[str, tuple[dict[str, Any], ...]]:
    """topic0 → the distinct event ABIs with that signature across the shipped contracts."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in DEPLOYABLE:
        for entry in abi(name):
            if entry.get("type") != "event" or entry.get("anonymous"):
                continue
            found = out.setdefault(topic_of(entry), [])
            if entry not in found:
                found.append(entry)
    return {topic: tuple(entries) for topic, entries in out.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    return value


def _decode_with(event: Mapping[str, Any], topics: list[str], data: bytes) -> dict[str, Any]:
    indexed = [i for i in event["inputs"] if i.get("indexed")]
    plain = [i for i in event["inputs"] if not i.get("indexed")]
    if len(indexed) != len(topics) - 1:
        raise ValueError("topic count")
    values = abi_decode([abi_type(i) for i in plain], data)
    args: dict[str, Any] = {}
    decoded = iter(values)
    topic = iter(topics[1:])
    for item in event["inputs"]:
        if item.get("indexed"):
            word = next(topic)
            if len(word) != 66:
                raise ValueError("a topic is 32 bytes")
            kind = abi_type(item)
            if (
                kind == "bytes32"
                or kind in ("string", "bytes")
                or kind.endswith("]")
                or (kind.startswith("("))
            ):
                args[item["name"]] = word  # a dynamic value is logged as its hash
            elif kind.startswith("uint") and int(word, 16) < 1 << int(kind[4:] or 256):
                args[item["name"]] = int(word, 16)  # the common static types without eth_abi
            elif kind == "address" and int(word[:26], 16) == 0:
                args[item["name"]] = "0x" + word[-40:]
            else:
                args[item["name"]] = abi_decode([kind], bytes.fromhex(word[2:]))[0]
        else:
            args[item["name"]] = next(decoded)
    return {k: _jsonable(v) for k, v in args.items()}


def decode_event(topics: list[str], data: bytes) -> tuple[str, dict[str, Any]] | None:
    """(event name, arguments) of a log a shipped ABI decodes, None otherwise."""
    if not topics:
        return None
    for event in events_by_topic().get(topics[0], ()):
        try:
            return str(event["name"]), _decode_with(event, topics, data)
        except Exception:  # eth_abi raises several kinds on data of another layout
            continue
    return None


def row_of(chain_id: int, log: Mapping[str, Any]) -> LogRow:
    """The index row of one log as web3 returns it (``w3.eth.get_logs``) or as the node's
    JSON answer has it (hex strings)."""
    topics = [hex0x(t) for t in log["topics"]]
    data = bytes.fromhex(hex0x(log["data"])[2:])
    decoded = decode_event(topics, data)
    block_number, log_index = _number(log["blockNumber"]), _number(log["logIndex"])
    tx_index = _number(log["transactionIndex"])
    if block_number is None or log_index is None or tx_index is None:
        raise ValueError("a log without block number, log index or transaction index")
    return LogRow(
        chain_id=chain_id,
        block_number=block_number,
        log_index=log_index,
        block_hash=hex0x(log["blockHash"]),
        tx_hash=hex0x(log["transactionHash"]),
        tx_index=tx_index,
        address=str(log["address"]).lower(),
        topics=tuple(topics),
        data="0x" + data.hex(),
        event=decoded[0] if decoded else None,
        args=decoded[1] if decoded else None,
        block_timestamp=_number(log.get("blockTimestamp")),
    )


def _number(value: Any) -> int | None:
    if value is None:
        return None
    return int(value, 16) if isinstance(value, str) else int(value)
