"""Stateful fuzzing: the MessageBus destination against a model of exactly-once delivery.

Rules add messages on a simulated origin (to a recording or a reverting recipient),
accept checkpoints, deliver random subsets in batches or one by one, replay delivered
messages, retry failed ones and flip the recipient between failing and working.
After every step the bus's processed and failed flags and the recipient's count
equal the model: every message is processed at most once, and executed successfully
at most once.
"""

import ape
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.utils.bus_harness import DELIVERY_GAS, ORIGIN, OriginSim, accept, process


def test_bus__random_deliveries__exactly_once(
    project, chain, deployer, bus_setup, validator_keys, relayer
):
    bus = bus_setup
    signers = [validator_keys[n] for n in ("customs", "tax", "forex")]
    reached: set[str] = set()

    class BusMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.snapshot = chain.snapshot()
            self.sim = OriginSim(ORIGIN, chain.chain_id, bus.address)
            self.recorder = deployer.deploy(project.RecordingRecipient)
            self.reverter = deployer.deploy(project.RevertingRecipient)
            self.accepted = 0  # messages covered by the newest accepted checkpoint
            self.processed: set[int] = set()
            self.failed: set[int] = set()
            self.recorder_failing = False
            self.executed = 0

        def teardown(self):
            chain.restore(self.snapshot)

        @rule(to_reverter=st.booleans())
        def add_message(self, to_reverter):
            self.sim.add(
                self.reverter if to_reverter else self.recorder, b"m%d" % len(self.sim.messages)
            )

        @precondition(lambda self: self.sim.messages)
        @rule()
        def accept_checkpoint(self):
            accept(bus, self.sim, signers, relayer)
            self.accepted = len(self.sim.messages)

        def _record(self, message):
            self.processed.add(message.nonce)
            if message.recipient == self.recorder.address and not self.recorder_failing:
                self.executed += 1
            else:
                self.failed.add(message.nonce)

        @precondition(lambda self: self.accepted)
        @rule(data=st.data())
        def deliver_batch(self, data):
            open_ = [m for m in self.sim.messages[: self.accepted] if m.nonce not in self.processed]
            if not open_:
                return
            batch = data.draw(st.lists(st.sampled_from(open_), min_size=1, max_size=6, unique=True))
            batch.sort(key=lambda m: m.nonce)
            count = self.accepted
            height = max(0, (count - 1).bit_length())
            levels = self.sim.tree.levels(count, height)
            siblings = [s for m in batch for s in self.sim.tree.proof(m.nonce, count, height)]
            bus.deliver(
                ORIGIN, self.sim.tree.root(count), height, levels[height][0],
                [m.encode() for m in batch], siblings, sender=relayer, gas_limit=DELIVERY_GAS,
            )  # fmt: skip
            for m in batch:
                self._record(m)
            reached.add("batch")

        @precondition(lambda self: self.sim.messages)
        @rule(data=st.data())
        def process_one(self, data):
            message = data.draw(st.sampled_from(self.sim.messages))
            if message.nonce in self.processed:
                with ape.reverts(bus.MessageBusAlreadyProcessed):
                    process(bus, self.sim, message, signers, relayer)
                reached.add("replay")
                return
            process(bus, self.sim, message, signers, relayer)
            self._record(message)

        @precondition(lambda self: self.failed)
        @rule(data=st.data())
        def retry_failed(self, data):
            nonce = data.draw(st.sampled_from(sorted(self.failed)))
            message = self.sim.messages[nonce]
            if self.recorder_failing and data.draw(st.booleans()):
                self.flip_recorder()  # the recipient was fixed before the retry
            bus.retry(message.encode(), sender=relayer, gas_limit=DELIVERY_GAS)
            reached.add("retried")
            if message.recipient == self.recorder.address and not self.recorder_failing:
                self.failed.discard(nonce)
                self.executed += 1

        @rule()
        def flip_recorder(self):
            self.recorder_failing = not self.recorder_failing
            self.recorder.setFailing(self.recorder_failing, sender=deployer)

        @invariant()
        def flags_and_executions_match_model(self):
            for m in self.sim.messages:
                assert bus.processed(ORIGIN, m.nonce) == (m.nonce in self.processed)
                assert bus.failed(m.id) == (m.nonce in self.failed)
            assert self.recorder.received() == self.executed

    run_state_machine_as_test(BusMachine, settings=settings(deadline=None))
    # The run must have exercised batches, replays and successful retries.
    assert {"batch", "replay", "retried"} <= reached, reached
