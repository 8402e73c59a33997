"""Where a message is: dispatched, signed by which validators, delivered or failed and why.

A message is found by its id, by the hash of the transaction that dispatched it, or by
the id of the Notary record it mirrors (the ``Mirrored`` event of the origin chain's
Notary names the message; the latest mirror of the record is the one shown). Only
signatures of keys in the destination's validator set for the origin count as signers;
others found in the signature folder are listed apart, as not validators.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3.contract import Contract
from web3.exceptions import TransactionNotFound

from trustspace.bus.config import BusConfig
from trustspace.bus.message import Message
from trustspace.bus.signatures import SignatureStore
from trustspace.bus.web3tx import at, connect
from trustspace.event_logs import read_from, web3_logs
from trustspace.index.source import get_logs

__all__ = ["DISPATCHED_TOPIC", "MIRRORED_TOPIC", "MessageStatus", "lookup", "message_status"]

DISPATCHED_TOPIC = "0x" + keccak(text="Dispatched(bytes32,uint32,uint32,bytes)").hex()
#: Notary's ``Mirrored(bytes32 indexed id, uint32 indexed destination, bytes32 messageId)``.
MIRRORED_TOPIC = "0x" + keccak(text="Mirrored(bytes32,uint32,bytes32)").hex()


@dataclass
class MessageStatus:
    """Everything known about one message, from its origin to its destination."""

    id: str
    state: str  # unknown | dispatched | delivered | failed | discarded
    origin: str | None = None
    destination: str | None = None
    destination_bus: str | None = None
    nonce: int | None = None
    sender: str | None = None
    recipient: str | None = None
    dispatch_tx: str | None = None
    #: Validators of the origin (at the destination) whose signatures cover the message, by org.
    signers: dict[str, int] = field(default_factory=dict)
    #: Keys with signatures in the folder that are not in that validator set: they do not count.
    not_validators: list[str] = field(default_factory=list)
    #: Signers that could not be checked (the destination is not configured).
    unchecked_signers: list[str] = field(default_factory=list)
    threshold: int | None = None
    checkpoint_index: int | None = None
    delivery_tx: str | None = None
    failure_reason: str | None = None
    # Epoch of the validator set a failed message was proven under, and whether only
    # governance may retry it now (that set was replaced).
    failure_epoch: int | None = None
    retry_needs_governance: bool | None = None
    #: How the message was found: "message id", "transaction" or "record".
    found_by: str | None = None
    #: The transaction hash or record id asked for, when not the message id.
    query: str | None = None
    #: Other messages of that transaction or record (earlier mirrors), oldest first.
    other_messages: list[str] = field(default_factory=list)
    #: Where the events were read: "index" when the event index holds a configured chain
    #: (its logs came from there), else "chain".
    source: str = "chain"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _find_dispatch(buses: dict[str, Contract], message_id: bytes) -> tuple[str, Any] | None:
    for name, bus in buses.items():
        logs = get_logs(
            bus.w3,
            {"address": bus.address, "fromBlock": 0, "toBlock": "latest",
             "topics": [DISPATCHED_TOPIC, "0x" + message_id.hex()]},
        )  # fmt: skip
        if logs:
            return name, logs[0]
    return None


def _buses(config: BusConfig) -> dict[str, Contract]:
    return {c.name: at(connect(c.rpc), "MessageBus", c.bus) for c in config.chains.values()}


def _from_transaction(buses: dict[str, Contract], tx_hash: bytes) -> list[bytes]:
    """Message ids a configured bus dispatched in transaction ``tx_hash``."""
    for bus in buses.values():
        try:
            receipt = bus.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        except TransactionNotFound:
            continue
        return [
            bytes(entry["topics"][1])
            for entry in receipt["logs"]
            if entry["address"].lower() == bus.address.lower()
            and entry["topics"]
            and HexBytes(entry["topics"][0]).to_0x_hex() == DISPATCHED_TOPIC
        ]
    return []


def _from_record(buses: dict[str, Contract], record_id: bytes) -> list[bytes]:
    """Message ids that mirrored record ``record_id``, oldest first.

    Any contract can emit a ``Mirrored`` event, so one counts only if its emitter is the
    sender of the message it names, dispatched on the configured bus of the same chain.
    """
    found = []
    for bus in buses.values():
        topics: Any = [MIRRORED_TOPIC, "0x" + record_id.hex()]
        logs = get_logs(bus.w3, {"fromBlock": 0, "toBlock": "latest", "topics": topics})
        for entry in logs:
            data = bytes(entry["data"])
            if len(data) != 32:
                continue
            dispatched = _find_dispatch({"": bus}, data)
            if dispatched is None:
                continue
            event = bus.events.Dispatched().process_log(dispatched[1])
            message = Message.decode(bytes(event["args"]["message"]))
            if message.sender.lower() == str(entry["address"]).lower():
                found.append(data)
    return found


def lookup(config: BusConfig, ident: bytes) -> MessageStatus:
    """The status of the message ``ident`` names: a message id, a transaction hash or a
    mirrored record id (tried in this order)."""
    buses = _buses(config)
    status = message_status(config, ident, buses)
    if status.state != "unknown":
        status.found_by = "message id"
        return status
    for how, ids in (
        ("transaction", _from_transaction(buses, ident)),
        ("record", _from_record(buses, ident)),
    ):
        if ids:
            main = ids[0] if how == "transaction" else ids[-1]
            status = message_status(config, main, buses)
            status.found_by, status.query = how, "0x" + ident.hex()
            status.other_messages = ["0x" + i.hex() for i in ids if i != main]
            return status
    return status


def _source(buses: dict[str, Contract]) -> str:
    """ "index" when the event index holds one of the chains (it answered their log queries)."""
    return "index" if any(read_from(bus.w3) == "index" for bus in buses.values()) else "chain"


def message_status(
    config: BusConfig, message_id: bytes, buses: dict[str, Contract] | None = None
) -> MessageStatus:
    """Look a message up on every configured chain and in the signature directory."""
    buses = buses if buses is not None else _buses(config)
    chain_ids = {name: int(bus.w3.eth.chain_id) for name, bus in buses.items()}
    status = MessageStatus(id="0x" + message_id.hex(), state="unknown", source=_source(buses))
    found = _find_dispatch(buses, message_id)
    if found is None:
        return status
    origin_name, entry = found
    event = buses[origin_name].events.Dispatched().process_log(entry)
    message = Message.decode(bytes(event["args"]["message"]))
    # The message names its destination bus: a configured bus at another address (a
    # redeployment) will never take it.
    dest_name = next(
        (
            n
            for n, cid in chain_ids.items()
            if cid == message.destination
            and buses[n].address.lower() == message.destination_bus.lower()
        ),
        None,
    )
    status.state = "dispatched"
    status.origin = f"{origin_name} ({message.origin})"
    status.destination = f"{dest_name or 'unconfigured'} ({message.destination})"
    status.destination_bus = message.destination_bus
    status.nonce, status.sender, status.recipient = message.nonce, message.sender, message.recipient
    status.dispatch_tx = HexBytes(entry["transactionHash"]).to_0x_hex()
    signers = SignatureStore(config.signatures).signers_covering(message.origin, message.nonce)
    if dest_name is None:
        status.unchecked_signers = sorted(signers)
        return status
    dest = buses[dest_name]
    keys, orgs = dest.functions.validators(message.origin).call()
    org_of = {str(k).lower(): int(o) for k, o in zip(keys, orgs, strict=True)}
    valid = {s: i for s, i in signers.items() if org_of.get(s.lower(), 0) != 0}
    status.signers = {s: org_of[s.lower()] for s in valid}
    status.not_validators = sorted(s for s in signers if s not in valid)
    status.threshold = int(dest.functions.originConfig(message.origin).call()[1])
    status.checkpoint_index = max(valid.values()) if valid else None
    if not dest.functions.processed(message.origin, message.nonce).call():
        return status
    topic = "0x" + message_id.hex()
    delivered = web3_logs(dest.events.Delivered(), topic)
    failed_logs = web3_logs(dest.events.DeliveryFailed(), topic)
    failed, discarded, epoch = dest.functions.failure(message_id).call()
    if failed or discarded:
        status.state = "failed" if failed else "discarded"
        status.failure_epoch = int(epoch)
        current = int(dest.functions.originConfig(message.origin).call()[2])
        status.retry_needs_governance = bool(failed) and int(epoch) != current
        if failed_logs:
            last = failed_logs[-1]
            status.delivery_tx = HexBytes(last["transactionHash"]).to_0x_hex()
            status.failure_reason = "0x" + bytes(last["args"]["reason"]).hex()
    else:
        status.state = "delivered"
        if delivered:
            status.delivery_tx = HexBytes(delivered[-1]["transactionHash"]).to_0x_hex()
    return status
