"""The validator daemon: signs checkpoints of its origin chain once blocks are final enough.

At start it checks its node (:mod:`trustspace.bus.preflight`): the chain id and the
code at the bus address; it refuses to run otherwise. Each poll reads the origin
bus's (root, count) at block ``latest - confirmations`` and, unless its own folder
already holds a signature that verifies for its key over that exact checkpoint,
signs Checkpoint(origin, bus, root, count - 1) and publishes it there. The daemon
keeps no state of its own: killed and restarted, it signs the current checkpoint
again at most; a file squatted or corrupted in its place is replaced.

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

    def current(self) -> Checkpoint | None:
        """The checkpoint at the final-enough block (None before the first message); the tree
        is read again only when that block moved, so a poll between blocks costs one
        ``eth_blockNumber``."""
        final = int(self.w3.eth.block_number) - (self.confirmations or 0)
        if final < 0:
            return None
        if final == self._read_at:
            return self.last
        root, count = self.bus.functions.tree().call(block_identifier=final)
        self._read_at = final
        if count == 0:
            self.last = None  # nothing dispatched: an empty tree is never signed
        else:
            self.last = Checkpoint(self.origin, self.bus.address, bytes(root), int(count) - 1)
        return self.last

    def tick(self) -> Checkpoint | None:
        """Sign the checkpoint at the final-enough block unless already signed; return it if
        signed now."""
        cp = self.current()
        if cp is None:
            return None
        if self.store.has(cp, self.key.address):
            return None
        self.store.publish(cp, self.key.address, sign_checkpoint(cp, self.key.key))
        log.info(
            "signed checkpoint origin=%d index=%d root=0x%s", cp.origin, cp.index, cp.root.hex()
        )
        return cp

    def run(self, poll: float = DEFAULT_POLL, stop: Callable[[], bool] = lambda: False) -> None:
        """Poll until ``stop()``; errors of the node are logged and retried."""
        while not stop():
            try:
                self.tick()
            except Exception as err:  # a node hiccup must not kill the daemon
                log.warning("validator tick failed: %s", err)
            time.sleep(poll)


__all__ = [
    "DEFAULT_CONFIRMATIONS",
    "DEFAULT_POLL",
    "LOCAL_HOSTS",
    "Validator",
    "default_confirmations",
    "key_from_hex",
]
