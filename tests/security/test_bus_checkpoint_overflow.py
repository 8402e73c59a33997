"""Finding 1 of issue 11: an accepted checkpoint must never change epoch.

The bus stored an accepted checkpoint as ``epoch << 32 | (index + 1)``. With
``index = 2**32 - 1`` the ``+ 1`` carried into the epoch field: a checkpoint accepted in
epoch e read as epoch e + 1, stale now and *usable after the next setValidators* — the very
rotation governance performs to retire compromised keys. A compromised threshold could so
plant a root the new, honest set never signed. In odd epochs the carry also made the
``checkpoint()`` view revert (the stored index field read 0, and 0 - 1 underflows).

Fixed: the epoch and the message count of a checkpoint are separate fields, and an index no
tree can hold (a tree takes at most 2**32 - 1 messages, so the last index is 2**32 - 2) is
refused with ``MessageBusCheckpointIndexTooLarge``. On the old code the first ``reverts``
below fails (the checkpoint was accepted), and the forged message was delivered after the
rotation.
"""

import ape
import pytest

from tests.utils.bus_harness import ORIGIN, ORIGIN_BUS, deliver, govern, sign
from trustspace.bus.checkpoint import Checkpoint

EXTREME_INDEX = 2**32 - 1
LAST_INDEX = 2**32 - 2


def _sorted(keys):
    return sorted((k.address for k in keys), key=lambda a: int(a, 16))


def _reach_parity(bus, gov, approvers, validator_keys, parity):
    """Rotate until the origin's epoch has ``parity`` (bus_setup starts at epoch 1)."""
    if parity == "even":
        keys = _sorted(validator_keys.values())
        govern(gov, approvers, bus, "setValidators", ORIGIN, ORIGIN_BUS, keys, 3)
    epoch = bus.originConfig(ORIGIN)[2]
    assert epoch % 2 == (0 if parity == "even" else 1)
    return epoch


def _rotate_to_honest_set(bus, gov, approvers, validator_keys):
    """Governance retires the compromised keys: a new set of the other organisations."""
    honest = [validator_keys[n] for n in ("forex", "ministry", "customs_2")]
    govern(gov, approvers, bus, "setValidators", ORIGIN, ORIGIN_BUS, _sorted(honest), 2)


@pytest.mark.parametrize("parity", ["odd", "even"])
def test_checkpoint_overflow__extreme_index_planted_before_rotation__never_usable(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, three_signers,
    relayer, parity,
):  # fmt: skip
    bus = bus_setup
    epoch = _reach_parity(bus, bus_gov, bus_approvers, validator_keys, parity)
    # The compromised threshold (three organisations of the current set) signs a forged
    # root at the index whose + 1 used to carry into the epoch.
    forged = origin_sim.add(recorder, b"mint a million")
    cp = Checkpoint(ORIGIN, ORIGIN_BUS, origin_sim.tree.root(), EXTREME_INDEX)
    with ape.reverts(bus.MessageBusCheckpointIndexTooLarge, index=EXTREME_INDEX, max=LAST_INDEX):
        bus.acceptCheckpoint(ORIGIN, cp.root, cp.index, sign(cp, three_signers), sender=relayer)
    # The view answers (it used to revert in odd epochs) and nothing was stored.
    assert bus.checkpoint(ORIGIN, cp.root) == (False, 0)
    _rotate_to_honest_set(bus, bus_gov, bus_approvers, validator_keys)
    assert bus.originConfig(ORIGIN)[2] == epoch + 1
    assert bus.checkpoint(ORIGIN, cp.root) == (False, 0)
    with ape.reverts(bus.MessageBusUnknownCheckpoint, origin=ORIGIN, root=cp.root):
        deliver(bus, origin_sim, [forged], relayer)
    assert recorder.received() == 0


@pytest.mark.parametrize("parity", ["odd", "even"])
def test_checkpoint_overflow__extreme_index_in_one_call__refused(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, three_signers,
    relayer, parity,
):  # fmt: skip
    bus = bus_setup
    _reach_parity(bus, bus_gov, bus_approvers, validator_keys, parity)
    message = origin_sim.add(recorder)
    cp = Checkpoint(ORIGIN, ORIGIN_BUS, origin_sim.tree.root(), EXTREME_INDEX)
    with ape.reverts(bus.MessageBusCheckpointIndexTooLarge, index=EXTREME_INDEX, max=LAST_INDEX):
        bus.process(
            cp.root, cp.index, sign(cp, three_signers), message.encode(), origin_sim.proof(message),
            sender=relayer, gas_limit=3_000_000,
        )  # fmt: skip
    assert recorder.received() == 0


@pytest.mark.parametrize("parity", ["odd", "even"])
def test_checkpoint_overflow__last_index_stays_in_its_epoch__stale_after_rotation(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, three_signers,
    relayer, parity,
):  # fmt: skip
    bus = bus_setup
    _reach_parity(bus, bus_gov, bus_approvers, validator_keys, parity)
    message = origin_sim.add(recorder)
    cp = Checkpoint(ORIGIN, ORIGIN_BUS, origin_sim.tree.root(), LAST_INDEX)
    tx = bus.acceptCheckpoint(ORIGIN, cp.root, cp.index, sign(cp, three_signers), sender=relayer)
    (event,) = tx.decode_logs(bus.CheckpointAccepted)
    assert (event.origin, bytes(event.root), event.index) == (ORIGIN, cp.root, LAST_INDEX)
    assert bus.checkpoint(ORIGIN, cp.root) == (True, LAST_INDEX)
    _rotate_to_honest_set(bus, bus_gov, bus_approvers, validator_keys)
    assert bus.checkpoint(ORIGIN, cp.root) == (False, LAST_INDEX)
    with ape.reverts(bus.MessageBusStaleCheckpoint, origin=ORIGIN, root=cp.root):
        deliver(bus, origin_sim, [message], relayer)
    assert recorder.received() == 0
