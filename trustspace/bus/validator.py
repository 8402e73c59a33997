"""The validator daemon: signs checkpoints of its origin chain once blocks are final enough.

At start it checks its node (:mod:`trustspace.bus.preflight`): the chain id and the
code at the bus address; it refuses to run otherwise. Each poll reads the origin
bus's (root, count) at every block up to ``latest - confirmations`` it has not read
yet (at most :data:`CATCH_UP` back) and, for each checkpoint its own folder does not
already hold a signature of that verifies for its key, signs Checkpoint(origin, bus,
root, count - 1) and publishes it there: validators sign the same per-block
checkpoints, so a threshold of them meets on one even while messages stream in. The
daemon keeps no state of its own: killed and restarted, it signs the current
checkpoint again at most; a file squatted or corrupted in its place is replaced.

Confirmations default to 0 on a local chain (a chain id of
:data:`trustspace.networks.LOCAL_CHAIN_IDS` served from this machine: anvil mines a
block only when a transaction arrives, so a checkpoint would never be buried) and to
1 elsewhere; a chain that can reorganise deeper needs more, given explicitly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from eth_account.signers.local import LocalAccount

from trustspace.bus.checkpoint import Checkpoint, sign_checkpoint
from trustspace.bus.config import VALIDATOR_POLL, ChainConfig
from trustspace.bus.keys import key_from_hex
from trustspace.bus.preflight import preflight
from trustspace.bus.signatures import SignatureStore
from trustspace.bus.web3tx import at, connect
from trustspace.networks import LOCAL_CHAIN_IDS

#: Host names that mean "this machine" in a node URL.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Confirmations on a chain that is not local, unless given.
DEFAULT_CONFIRMATIONS = 1
#: Seconds between polls: a poll without a new block costs one ``eth_blockNumber``, and a new
#: checkpoint waits for its signature half of this on average.
DEFAULT_POLL = VALIDATOR_POLL
#: Blocks a poll looks back at most for checkpoints to sign.
CATCH_UP = 32
#: While blocks come faster than polls, validators sign the checkpoints of the blocks whose
#: number is a multiple of GRID (the same for all, whenever each polls). Each signature costs
#: ~7 ms of CPU here and ~8 ms for each relayer to check: not every block of a stream.
GRID = 4


def default_confirmations(rpc: str, chain_id: int) -> int:
    """0 on one of our local chains (a local chain id on this machine), else 1."""
    local = chain_id in LOCAL_CHAIN_IDS and urlparse(rpc).hostname in LOCAL_HOSTS
    return 0 if local else DEFAULT_CONFIRMATIONS


log = logging.getLogger("trustspace.validator")


@dataclass
class Validator:
    """Signs the checkpoints of one origin bus with one key."""

    chain: ChainConfig
    key: LocalAccount
    store: SignatureStore
    #: Blocks a checkpoint must be buried under; None: :func:`default_confirmations`.
    confirmations: int | None = None

    def __post_init__(self) -> None:
        self.w3 = connect(self.chain.rpc)
        self.origin = preflight(self.w3, self.chain)
        if self.confirmations is None:
            self.confirmations = default_confirmations(self.chain.rpc, self.origin)
        if self.chain.chain_id is None:
            log.warning(
                "chain id not pinned for %s: trusting the node's %d (add chain_id to the config)",
                self.chain.name,
                self.origin,
            )
        self.bus = at(self.w3, "MessageBus", self.chain.bus)
        self.last: Checkpoint | None = None
        self._read_at: int | None = None  # the block ``last`` was read at

    def checkpoints(self) -> list[Checkpoint]:
        """The checkpoints to sign at this poll, oldest first.

        Signing whatever the head is at each poll leaves validators on checkpoints of their
        own while blocks come faster than they poll (a stream of messages), and the bus needs
        a threshold of signatures over *one* checkpoint. So: the newest final-enough block's
        checkpoint when it is the only new block since the last poll (blocks slower than
        polls: every validator sees each block as the newest) or when no block came since
        (the chain went quiet); otherwise, in a stream, the checkpoints of the new blocks
        whose number is a multiple of :data:`GRID`, the same for every validator whenever
        it polls. At most :data:`CATCH_UP` blocks back (after a pause only the newest
        matters: it covers every message); the trees are read in one JSON-RPC batch, and a
        poll without a new block costs one ``eth_blockNumber``.
        """
        final = int(self.w3.eth.block_number) - (self.confirmations or 0)
        if final < 0:
            return []
        if final == self._read_at:  # quiet since the last poll: the newest is everyone's
            return [] if self.last is None else [self.last]
        if self._read_at is None or self._read_at > final:  # first poll, or the chain rewound
            first = final
        else:
            first = max(self._read_at + 1, final - CATCH_UP + 1)
        blocks = range(first, final + 1)
        try:
            trees = self._trees(blocks)
        except Exception as err:
            if first == final:
                raise
            # A node without the state of older blocks (pruned, or restarted from a state
            # file): the newest checkpoint alone, as after a pause.
            log.info("reading the tree of blocks %d-%d failed (%s): newest only", first, final, err)
            blocks = range(final, final + 1)
            trees = self._trees(blocks)
        self._read_at = final
        found: list[Checkpoint] = []
        self.last = None
        for block, (root, count) in zip(blocks, trees, strict=True):
            if count == 0:
                continue  # nothing dispatched: an empty tree is never signed
            cp = Checkpoint(self.origin, self.bus.address, bytes(root), int(count) - 1)
            if block == final:
                self.last = cp
            # One new block: the chain is slower than the poll, every validator sees it as the
            # newest. Several: it streams, only grid blocks are common (the newest waits for
            # a grid block, or for a quiet poll).
            wanted = block % GRID == 0 or (block == final and len(blocks) == 1)
            if wanted and (not found or found[-1] != cp):
                found.append(cp)
        return found

    def _trees(self, blocks: range) -> list[tuple[bytes, int]]:
        tree = self.bus.functions.tree()
        if len(blocks) == 1:
            root, count = tree.call(block_identifier=blocks[0])
            return [(bytes(root), int(count))]
        with self.w3.batch_requests() as batch:
            for block in blocks:
                batch.add(tree.call(block_identifier=block))
            answers: list[Any] = list(batch.execute())
        if len(answers) != len(blocks):
            raise RuntimeError(f"a batch of {len(blocks)} tree() calls got {len(answers)}")
        return [(bytes(root), int(count)) for root, count in answers]

    def tick(self) -> Checkpoint | None:
        """Sign the checkpoints of the final-enough blocks not signed yet; return the newest
        signed now (None if none)."""
        signed = None
        for cp in self.checkpoints():
            if self.store.has(cp, self.key.address):
                continue
            self.store.publish(cp, self.key.address, sign_checkpoint(cp, self.key.key))
            log.info(
                "signed checkpoint origin=%d index=%d root=0x%s",
                cp.origin, cp.index, cp.root.hex(),
            )  # fmt: skip
            signed = cp
        return signed

    def run(self, poll: float = DEFAULT_POLL, stop: Callable[[], bool] = lambda: False) -> None:
        """Poll until ``stop()``; errors of the node are logged and retried."""
        while not stop():
            try:
                self.tick()
            except Exception as err:  # a node hiccup must not kill the daemon
                log.warning("validator tick failed: %s", err)
            time.sleep(poll)


__all__ = [
    "CATCH_UP",
    "DEFAULT_CONFIRMATIONS",
    "DEFAULT_POLL",
    "GRID",
    "LOCAL_HOSTS",
    "Validator",
    "default_confirmations",
    "key_from_hex",
]
