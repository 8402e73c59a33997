"""Where a message is: dispatched, signed by which validators, delivered or failed and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3.contract import Contract

from trustspace.bus.config import BusConfig
from trustspace.bus.message import Message
from trustspace.bus.signatures import SignatureStore
from trustspace.bus.web3tx import at, connect

__all__ = ["DISPATCHED_TOPIC", "MessageStatus", "message_status"]

DISPATCHED_TOPIC = "0x" + keccak(text="Dispatched(bytes32,uint32,uint32,bytes)").hex()


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
    signers: dict[str, int] = field(default_factory=dict)
    threshold: int | None = None
    checkpoint_index: int | None = None
    delivery_tx: str | None = None
    failure_reason: str | None = None
    # Epoch of the validator set a failed message was proven under, and whether only
    # governance may retry it now (that set was replaced).
    failure_epoch: int | None = None
    retry_needs_governance: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _find_dispatch(buses: dict[str, Contract], message_id: bytes) -> tuple[str, Any] | None:
    for name, bus in buses.items():
        logs = bus.w3.eth.get_logs(
            {"address": bus.address, "fromBlock": 0, "toBlock": "latest",
             "topics": [DISPATCHED_TOPIC, "0x" + message_id.hex()]}
        )  # fmt: skip
        if logs:
            return name, logs[0]
    return None


def message_status(config: BusConfig, message_id: bytes) -> MessageStatus:
    """Look a message up on every configured chain and in the signature directory."""
    buses = {c.name: at(connect(c.rpc), "MessageBus", c.bus) for c in config.chains.values()}
    chain_ids = {name: int(bus.w3.eth.chain_id) for name, bus in buses.items()}
    status = MessageStatus(id="0x" + message_id.hex(), state="unknown")
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
        status.signers = dict.fromkeys(signers, 0)
        return status
    dest = buses[dest_name]
    keys, orgs = dest.functions.validators(message.origin).call()
    org_of = dict(zip(keys, orgs, strict=True))
    status.signers = {s: int(org_of.get(s, 0)) for s in signers}
    status.threshold = int(dest.functions.originConfig(message.origin).call()[1])
    status.checkpoint_index = max(signers.values()) if signers else None
    if not dest.functions.processed(message.origin, message.nonce).call():
        return status
    topic = "0x" + message_id.hex()
    delivered = dest.events.Delivered().get_logs(from_block=0, argument_filters={"id": topic})
    failed_logs = dest.events.DeliveryFailed().get_logs(
        from_block=0, argument_filters={"id": topic}
    )
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
