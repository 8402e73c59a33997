"""The relayer daemon: watches origin buses, gathers signatures, proves and delivers.

One loop, each turn: settle transactions left open (e.g. by a crash), scan every
origin for new ``Dispatched`` events, deliver what a signed checkpoint covers
(one call for a lone message, otherwise accept the checkpoint once and deliver
in batches with proofs built from the local tree mirror), and retry failed
messages with exponential back-off. All progress goes through ``RelayStore``;
before delivering, messages are checked on chain, so a restarted (or a second)
relayer never sends a delivery the bus has already seen.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound
from web3.logs import DISCARD

from trustspace.artifacts import artifact
from trustspace.bus.checkpoint import Checkpoint, select_signatures
from trustspace.bus.config import FAST_WINDOW, RELAYER_FAST_POLL, RELAYER_POLL, BusConfig
from trustspace.bus.message import Message
from trustspace.bus.signatures import SignatureSource
from trustspace.bus.store import (
    DELIVERED,
    FAILED,
    FOREIGN,
    PENDING,
    REFUSED,
    RelayStore,
    StoredMessage,
    StoredTx,
)
from trustspace.bus.tree import MessageTree, height_for, proof_from_levels
from trustspace.bus.web3tx import TxSender, at, connect

__all__ = [
    "DISCARDED",
    "FLAGS_PER_WORD",
    "NEEDS_GOVERNANCE",
    "PERMANENT",
    "Link",
    "Relayer",
    "RelayerOptions",
    "error_names",
]

log = logging.getLogger("trustspace.relayer")

# Delivery flags per storage word of the bus (MessageBus.FLAGS_PER_WORD).
FLAGS_PER_WORD = 255

# Errors after which the bus will never take a message, whoever relays it.
PERMANENT = {
    "MessageBusProtectedRecipient",
    "MessageBusWrongDestination",
    "MessageBusWrongDestinationBus",
    "MessageBusWrongOrigin",
    "MessageBusMalformedMessage",
}


# Why a processed message is settled as refused without a revert to name it.
DISCARDED = "MessageBusDiscarded"
NEEDS_GOVERNANCE = "MessageBusRetryNeedsGovernance"


def error_names() -> dict[str, str]:
    """Selector (0x…) → custom error name, for the bus's errors."""
    abi = artifact("MessageBus").abi
    names = {}
    for item in abi:
        if item.get("type") == "error":
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            names["0x" + keccak(text=signature)[:4].hex()] = item["name"]
    return names


@dataclass
class RelayerOptions:
    """Tuning knobs of the relayer."""

    batch_size: int = 50
    #: Seconds between turns while nothing is on its way.
    poll: float = RELAYER_POLL
    #: Seconds between turns while a message waits for its signatures (they are due within a
    #: validator's poll), for at most ``fast_window`` seconds after the message was seen.
    fast_poll: float = RELAYER_FAST_POLL
    fast_window: float = FAST_WINDOW
    confirmations: int = 0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    scan_chunk: int = 2_000
    delivery_gas: int = 0  # 0: estimate


@dataclass
class Link:
    """One chain as the relayer sees it."""

    name: str
    chain_id: int
    bus: Contract
    tx: TxSender


@dataclass
class Relayer:
    """Delivers messages between every pair of configured chains."""

    config: BusConfig
    key: LocalAccount
    store: RelayStore
    signatures: SignatureSource  # a folder, announced endpoints, or both (signatures.Combined)
    options: RelayerOptions = field(default_factory=RelayerOptions)

    def __post_init__(self) -> None:
        self.links: dict[int, Link] = {}
        for chain in self.config.chains.values():
            w3 = connect(chain.rpc)
            chain_id = int(w3.eth.chain_id)
            self.links[chain_id] = Link(
                chain.name, chain_id, at(w3, "MessageBus", chain.bus), TxSender(w3, self.key)
            )
        self.errors = error_names()
        self._mismatched: set[Checkpoint] = set()  # signature gathering: warned once each
        # Destinations are served side by side, one thread each (each has its own node,
        # account nonce and transactions); signature sources and their caches are read by one
        # thread at a time.
        self._gathering = threading.Lock()
        self._pool = ThreadPoolExecutor(max(1, len(self.links)), thread_name_prefix="deliver")
        #: Until when the loop polls fast: a message seen recently waits for its signatures.
        self._hurry_until = 0.0
        self.topic = "0x" + keccak(text="Dispatched(bytes32,uint32,uint32,bytes)").hex()
        # Messages scanned while their destination was not configured here: delivered now.
        adopted = self.store.adopt(lambda raw: self._serves(Message.decode(raw)))
        if adopted:
            log.info("%d message(s) for chains added to the configuration: now pending", adopted)

    # ------------------------------------------------------------------ settle

    def reconcile(self) -> None:
        """Settle every transaction recorded as sent: from its receipt, or as dropped."""
        for tx in self.store.open_txs():
            link = self.links.get(tx.chain)
            if link is None:
                continue
            w3 = link.tx.w3
            try:
                receipt = w3.eth.get_transaction_receipt(HexBytes(tx.tx_hash))
            except TransactionNotFound:
                try:
                    w3.eth.get_transaction(HexBytes(tx.tx_hash))
                except TransactionNotFound:
                    # Recorded but never reached the node (killed in between): the
                    # messages stay pending and are checked on chain before resending.
                    self.store.settle(tx.tx_hash, "dropped", {})
                    continue
                receipt = w3.eth.wait_for_transaction_receipt(HexBytes(tx.tx_hash), timeout=120)
            self._settle_receipt(link, tx, receipt)

    def _settle_receipt(self, link: Link, tx: StoredTx, receipt: Any) -> None:
        outcomes: dict[tuple[int, int], tuple[str, str | None]] = {}
        backoff: dict[tuple[int, int], tuple[float, str]] = {}
        if receipt["status"] == 1:
            for event in link.bus.events.Delivered().process_receipt(receipt, errors=DISCARD):
                outcomes[(int(event["args"]["origin"]), int(event["args"]["nonce"]))] = (
                    DELIVERED,
                    None,
                )
            for event in link.bus.events.DeliveryFailed().process_receipt(receipt, errors=DISCARD):
                key = (int(event["args"]["origin"]), int(event["args"]["nonce"]))
                reason = "0x" + bytes(event["args"]["reason"]).hex()
                outcomes[key] = (FAILED, reason)
                backoff[key] = (self._backoff_until(self._attempts(key) + 1), reason)
            self.store.settle(tx.tx_hash, "mined", outcomes, backoff)
        else:
            for nonce in tx.nonces:
                key = (tx.origin, nonce)
                backoff[key] = (self._backoff_until(self._attempts(key)), f"{tx.kind} reverted")
            self.store.settle(tx.tx_hash, "reverted", {}, backoff)

    def _attempts(self, key: tuple[int, int]) -> int:
        return self.store.attempts(*key)

    def _backoff_until(self, attempts: int) -> float:
        delay = min(
            self.options.backoff_max, self.options.backoff_base * 2.0 ** max(0, attempts - 1)
        )
        return time.time() + delay

    # ------------------------------------------------------------------ scan

    def scan(self, link: Link) -> int:
        """Record new Dispatched events of one origin; returns how many were found."""
        w3 = link.tx.w3
        start = self.store.next_block(link.chain_id)
        last = int(w3.eth.block_number) - self.options.confirmations
        found = 0
        while start <= last:
            end = min(last, start + self.options.scan_chunk - 1)
            logs = w3.eth.get_logs(
                {
                    "address": link.bus.address,
                    "fromBlock": start,
                    "toBlock": end,
                    "topics": [self.topic],
                }
            )
            rows = []
            for entry in logs:
                event = link.bus.events.Dispatched().process_log(entry)
                raw = bytes(event["args"]["message"])
                message = Message.decode(raw)
                state = PENDING if self._serves(message) else FOREIGN
                rows.append(
                    (
                        message.nonce,
                        message.id,
                        message.destination,
                        raw,
                        int(entry["blockNumber"]),
                        state,
                    )
                )
            self.store.record_scan(link.chain_id, end + 1, rows)
            found += len(rows)
            start = end + 1
        return found

    def _serves(self, message: Message) -> bool:
        """Whether ``message`` is for a bus this relayer delivers to (chain and address:
        a message for an earlier deployment of that chain's bus is someone else's)."""
        dest = self.links.get(message.destination)
        return dest is not None and message.destination_bus.lower() == dest.bus.address.lower()

    # ------------------------------------------------------------------ deliver

    def deliver(self, origin: Link, dest: Link) -> int:
        """Deliver what a signed checkpoint covers from ``origin`` to ``dest``; count sent."""
        pending = self.store.due(
            origin.chain_id, dest.chain_id, PENDING, self.options.batch_size * 4
        )
        if not pending:
            return 0
        origin_bus, threshold, _epoch, paused = dest.bus.functions.originConfig(
            origin.chain_id
        ).call()
        if paused or int(origin_bus, 16) == 0:
            return 0
        keys, orgs = dest.bus.functions.validators(origin.chain_id).call()
        tree = MessageTree(self.store.leaves(origin.chain_id))
        chosen = self._checkpoint(
            origin.chain_id,
            origin_bus,
            tree,
            dict(zip(keys, orgs, strict=True)),
            threshold,
            pending[0].nonce,
        )
        if chosen is None:
            self._hurry_until = max(
                self._hurry_until, pending[-1].seen_at + self.options.fast_window
            )
            return 0
        cp, packed = chosen
        log.info(
            "checkpoint usable origin=%d index=%d destination=%d",
            origin.chain_id, cp.index, dest.chain_id,
        )  # fmt: skip
        todo = self._unprocessed(origin, dest, [m for m in pending if m.nonce <= cp.index])
        if not todo:
            return 0
        self._prepare_flags(origin, dest, todo)
        count = cp.index + 1
        accepted = bool(dest.bus.functions.checkpoint(origin.chain_id, cp.root).call()[0])
        if len(todo) == 1 and not accepted:
            m = todo[0]
            call = dest.bus.functions.process(
                cp.root, cp.index, packed, m.raw, tree.proof(m.nonce, count)
            )
            return len(todo) if self._send(dest, "process", origin.chain_id, todo, call) else 0
        if not accepted:
            call = dest.bus.functions.acceptCheckpoint(origin.chain_id, cp.root, cp.index, packed)
            if not self._send(dest, "accept", origin.chain_id, [], call):
                return 0
        height = height_for(count)
        levels = tree.levels(count, height)
        subroot = levels[height][0]
        sent = 0
        for start in range(0, len(todo), self.options.batch_size):
            chunk = todo[start : start + self.options.batch_size]
            sent += self._deliver_chunk(dest, origin.chain_id, cp, height, subroot, levels, chunk)
        return sent

    def _deliver_chunk(
        self, dest: Link, origin: int, cp: Checkpoint, height: int, subroot: bytes,
        levels: Sequence[Sequence[bytes]], chunk: list[StoredMessage],
    ) -> int:  # fmt: skip
        siblings = [s for m in chunk for s in proof_from_levels(levels, m.nonce)]
        call = dest.bus.functions.deliver(
            origin, cp.root, height, subroot, [m.raw for m in chunk], siblings
        )
        if self._send(dest, "deliver", origin, chunk, call):
            return len(chunk)
        if len(chunk) == 1:
            return 0
        # One bad message must not hold up the others: deliver them one by one.
        return sum(
            self._deliver_chunk(dest, origin, cp, height, subroot, levels, [m]) for m in chunk
        )

    def _prepare_flags(self, origin: Link, dest: Link, todo: list[StoredMessage]) -> None:
        """Write the flag words these (and the next) deliveries use ahead of them.

        The first write to a storage slot costs 20,000 gas more; doing it in its own small
        transaction, once per 255 messages, keeps every delivery on the cheap path.
        """
        first = todo[0].nonce // FLAGS_PER_WORD
        last = todo[-1].nonce // FLAGS_PER_WORD + 1
        flags = dest.bus.functions
        missing = [
            w for w in range(first, last + 1) if not flags.flagsPrepared(origin.chain_id, w).call()
        ]
        if missing:
            call = flags.prepareFlags(origin.chain_id, missing[0], missing[-1] - missing[0] + 1)
            self._send(dest, "prepare", origin.chain_id, [], call)

    def _checkpoint(
        self, origin: int, origin_bus: str, tree: MessageTree, orgs: dict[str, int],
        threshold: int, first_nonce: int,
    ) -> tuple[Checkpoint, bytes] | None:  # fmt: skip
        # --- signature gathering (issue 11, finding 2): the source validates every entry and
        # groups signatures by the exact checkpoint they sign; only checkpoints this relayer
        # has scanned are asked for, and a mismatch is logged once per checkpoint.
        if not tree.leaves:
            return None
        with self._gathering:
            return self._gather(origin, origin_bus, tree, orgs, threshold, first_nonce)

    def _gather(
        self, origin: int, origin_bus: str, tree: MessageTree, orgs: dict[str, int],
        threshold: int, first_nonce: int,
    ) -> tuple[Checkpoint, bytes] | None:  # fmt: skip
        last = len(tree.leaves) - 1
        for signed in self.signatures.checkpoints(origin, min_index=first_nonce, max_index=last):
            cp = signed.checkpoint
            if cp.origin_bus.lower() != origin_bus.lower() or cp.index > last:
                continue
            if tree.root(cp.index + 1) != cp.root:
                if cp not in self._mismatched:
                    if len(self._mismatched) > 10_000:
                        self._mismatched.clear()  # bounded: hostile signers can mint many
                    self._mismatched.add(cp)
                    log.warning(
                        "checkpoint %d of origin %d (root 0x%s) does not match the scanned tree",
                        cp.index, origin, cp.root.hex(),
                    )  # fmt: skip
                continue
            packed = select_signatures(signed.signatures, orgs, threshold)
            if packed is not None:
                return cp, packed
        return None
        # --- end of signature gathering

    def _unprocessed(
        self, origin: Link, dest: Link, messages: list[StoredMessage]
    ) -> list[StoredMessage]:
        """Drop (and record) messages the destination bus has already processed."""
        todo = []
        outcomes: dict[tuple[int, int], tuple[str, str | None]] = {}
        flags = self._processed(dest, origin.chain_id, [m.nonce for m in messages])
        for m, done in zip(messages, flags, strict=True):
            if done:
                outcomes[(m.origin, m.nonce)] = self._outcome(dest, m)
            else:
                todo.append(m)
        if outcomes:
            self.store.settle(None, "", outcomes)
        return todo

    @staticmethod
    def _processed(dest: Link, origin: int, nonces: list[int]) -> list[bool]:
        """``processed(origin, nonce)`` on ``dest`` for each nonce, in JSON-RPC batches (one
        round trip per 100 instead of one each)."""
        flags: list[bool] = []
        for start in range(0, len(nonces), 100):
            chunk = nonces[start : start + 100]
            if len(chunk) == 1:
                flags.append(bool(dest.bus.functions.processed(origin, chunk[0]).call()))
                continue
            with dest.tx.w3.batch_requests() as batch:
                for nonce in chunk:
                    batch.add(dest.bus.functions.processed(origin, nonce))
                answers = batch.execute()
            if len(answers) != len(chunk):
                raise RuntimeError(f"{dest.name}: a batch of {len(chunk)} calls got {len(answers)}")
            flags += [bool(a) for a in answers]
        return flags

    def _send(
        self, dest: Link, kind: str, origin: int, messages: Sequence[StoredMessage], call: Any
    ) -> bool:
        """Sign, record, send and settle one transaction; False if it could not go through."""
        try:
            prepared = dest.tx.prepare(call, gas=self.options.delivery_gas or None)
        except (ContractCustomError, ContractLogicError) as err:
            name = self._error_name(err)
            log.info("%s to %s would revert: %s", kind, dest.name, name)
            if len(messages) == 1:
                key = (messages[0].origin, messages[0].nonce)
                if name in PERMANENT:
                    self.store.settle(None, "", {key: (REFUSED, name)})
                else:
                    self.store.settle(
                        None, "", {}, {key: (self._backoff_until(self._attempts(key) + 1), name)}
                    )
            return False
        tx = StoredTx(
            prepared.tx_hash,
            dest.chain_id,
            prepared.nonce,
            kind,
            origin,
            [m.nonce for m in messages],
            prepared.raw,
        )
        self.store.record_tx(tx)
        receipt = dest.tx.send(prepared)
        self._settle_receipt(dest, tx, receipt)
        log.info(
            "%s mined destination=%d origin=%d nonces=%s status=%d",
            kind, dest.chain_id, origin, ",".join(str(m.nonce) for m in messages),
            receipt["status"],
        )  # fmt: skip
        return bool(receipt["status"] == 1)

    def _error_name(self, err: Exception) -> str:
        data = getattr(err, "data", None)
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            return self.errors.get(data[:10], data[:10])
        return str(err)

    def _outcome(self, dest: Link, m: StoredMessage) -> tuple[str, str | None]:
        """State of a processed message on ``dest``: failed, discarded (refused) or delivered."""
        failed, discarded, _epoch = dest.bus.functions.failure(m.id).call()
        if failed:
            return FAILED, None
        return (REFUSED, DISCARDED) if discarded else (DELIVERED, None)

    # ------------------------------------------------------------------ retry

    def retry_failed(self, origin: Link, dest: Link) -> int:
        """Retry failed messages whose back-off has passed (up to ``max_retries`` attempts).

        A message that failed under a validator set governance has since replaced is left to
        governance (the bus refuses anyone else's retry); one that governance discarded, or
        that someone else retried successfully, is settled from the chain.
        """
        sent = 0
        due = self.store.due(origin.chain_id, dest.chain_id, FAILED, self.options.batch_size)
        if not due:
            return 0
        epoch = int(dest.bus.functions.originConfig(origin.chain_id).call()[2])
        for m in due:
            if m.attempts > self.options.max_retries:
                continue
            failed, _discarded, proven = dest.bus.functions.failure(m.id).call()
            if not failed:
                self.store.settle(None, "", {(m.origin, m.nonce): self._outcome(dest, m)})
                continue
            if int(proven) != epoch:
                self.store.settle(None, "", {(m.origin, m.nonce): (REFUSED, NEEDS_GOVERNANCE)})
                continue
            if self._send(dest, "retry", origin.chain_id, [m], dest.bus.functions.retry(m.raw)):
                sent += 1
        return sent

    # ------------------------------------------------------------------ loop

    def serve(self, dest: Link) -> int:
        """Deliver and retry everything due on ``dest`` from every other chain; work done."""
        work = 0
        for origin in self.links.values():
            if origin.chain_id != dest.chain_id:
                work += self.deliver(origin, dest)
                work += self.retry_failed(origin, dest)
        return work

    def turn(self) -> int:
        """One pass over every chain; returns how much work it did (0: idle).

        Destinations are served at the same time, one thread each: a message for two chains
        reaches both after one delivery's time. A chain whose node fails does not hold up
        the others: its error is logged and the next turn tries again.
        """
        self.reconcile()
        work = 0
        for link in self.links.values():
            try:
                work += self.scan(link)
            except Exception as err:  # this origin's node; the others go on
                log.warning("scanning %s failed: %s", link.name, err)
        futures = {dest.name: self._pool.submit(self.serve, dest) for dest in self.links.values()}
        for name, future in futures.items():
            try:
                work += future.result()
            except Exception as err:  # this destination's node; the others go on
                log.warning("delivery to %s failed: %s", name, err)
        return work

    def pause(self) -> float:
        """Seconds to wait after an idle turn: short while a message waits for signatures."""
        if time.time() < self._hurry_until:
            return min(self.options.poll, self.options.fast_poll)
        return self.options.poll

    def run(self, stop: Callable[[], bool] = lambda: False, until_idle: bool = False) -> None:
        """Work until ``stop()`` (or, with ``until_idle``, until a pass finds nothing to do)."""
        while not stop():
            try:
                work = self.turn()
            except Exception as err:  # a node hiccup must not kill the daemon
                log.warning("relayer turn failed: %s", err)
                work = 0
            if work == 0:
                if until_idle:
                    return
                time.sleep(self.pause())
