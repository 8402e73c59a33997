"""Validators below threshold for a while: three of the five origin validators stop.

Threshold 3 of 5 organisations. With two validators left, no checkpoint of the new messages
can reach the threshold, so nothing new is delivered (and nothing wrong is); when the
validators come back they sign the current checkpoint and everything is delivered, exactly
once, without anyone touching the relayer.
"""

from __future__ import annotations

import time

import pytest

from tests.faults.conftest import assert_exactly_once, wait_for

pytestmark = pytest.mark.anvil

DOWN = [0, 2, 4]  # customs, maritime and ministry validators stop; tax and forex keep signing


def test_validators_below_threshold__nothing_delivered_then_all_exactly_once(fault_net):
    net = fault_net
    before = net.recorder.functions.received().call()
    if net.relayer is None or net.relayer.poll() is not None:
        net.start_relayer()
    warmup = [net.dispatch(b"warm-up %d" % i) for i in range(3)]
    assert wait_for(lambda: all(net.processed(m) for m in warmup))
    net.stop_validators(DOWN)
    stranded = [net.dispatch(b"below threshold %d" % i) for i in range(10)]
    time.sleep(6.0)  # many relayer turns and validator polls
    assert not any(net.processed(m) for m in stranded), "delivered without a threshold"
    net.start_validators(DOWN)
    late = [net.dispatch(b"after recovery %d" % i) for i in range(5)]
    messages = warmup + stranded + late
    assert wait_for(lambda: all(net.processed(m) for m in messages), timeout=120), (
        "the system did not recover on its own"
    )
    assert_exactly_once(net, messages, before)
