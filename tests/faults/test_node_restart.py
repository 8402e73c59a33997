"""A chain node stopped and restarted from its persisted state, with the bus daemons running.

The destination node goes down while messages keep being dispatched on the origin; later
the origin node goes down right after a burst of dispatches. Nobody touches the daemons:
they must notice, keep their progress, and finish the work once the nodes are back. In the
end every message is delivered exactly once.
"""

from __future__ import annotations

import time

import pytest

from tests.faults.conftest import DESTINATION, ORIGIN, assert_exactly_once, wait_for

pytestmark = pytest.mark.anvil

ROUNDS = 2


def test_node_restart__destination_then_origin__nothing_lost_nothing_twice(fault_net):
    net = fault_net
    before = net.recorder.functions.received().call()
    net.start_relayer()
    messages = [net.dispatch(b"before %d" % i) for i in range(5)]
    assert wait_for(lambda: all(net.processed(m) for m in messages)), "no delivery before faults"
    for round_ in range(ROUNDS):
        # 1. The destination node stops while the origin keeps dispatching.
        burst = [net.dispatch(b"r%d in flight %d" % (round_, i)) for i in range(5)]
        net.stop_node(DESTINATION)
        messages += burst
        messages += [net.dispatch(b"r%d while tax down %d" % (round_, i)) for i in range(5)]
        time.sleep(2.0)  # the relayer's turns fail meanwhile
        net.start_node(DESTINATION)
        # 2. The origin node stops right after a burst, before the validators caught up.
        messages += [net.dispatch(b"r%d before origin stops %d" % (round_, i)) for i in range(5)]
        net.stop_node(ORIGIN)
        time.sleep(2.0)  # validators and the relayer's scans fail meanwhile
        net.start_node(ORIGIN)
        messages += [net.dispatch(b"r%d after %d" % (round_, i)) for i in range(5)]
    assert wait_for(lambda: all(net.processed(m) for m in messages), timeout=120), (
        "the system did not recover on its own"
    )
    assert_exactly_once(net, messages, before)
