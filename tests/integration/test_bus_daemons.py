"""Validators and a relayer as real processes on three local anvil chains."""

from __future__ import annotations

import json
import random
import signal
import time

import pytest
from click.testing import CliRunner
from eth_utils.crypto import keccak
from web3 import Web3

from tests.utils.bus_local import (
    SENDER_INDEX,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from tests.utils.contracts import test_contract
from trustspace.bus.checkpoint import sign_checkpoint
from trustspace.bus.message import Message
from trustspace.bus.store import RelayStore
from trustspace.bus.web3tx import TxSender
from trustspace.cli.bus import bus as bus_group
from trustspace.devnet.chains import local_chains

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """Three chains, the bus on each, a sender allowed on each, recorders as recipients."""
    folder = tmp_path_factory.mktemp("bus")
    with local_chains() as chains:
        env = LocalBus(chains)
        deps = env.deploy()
        sender = mnemonic_key(SENDER_INDEX)
        for name in deps:
            env.allow_sender(name, sender.address)
            deps[name].extra["recorder"] = env.sender(name).deploy(
                test_contract("RecordingRecipient")
            )
        config = write_config(deps, folder)
        validators = [spawn_validator(config, name, key) for name in deps for key in env.validators]
        try:
            yield env, deps, config, sender
        finally:
            for process in validators:
                stop(process)


def dispatch(deps, sender, origin, destination, body: bytes) -> Message:
    dep, dest = deps[origin], deps[destination]
    receipt = TxSender(dep.w3, sender).transact(
        dep.bus.functions.dispatch(dest.chain_id, dest.extra["recorder"].address, body), gas=200_000
    )
    (event,) = dep.bus.events.Dispatched().process_receipt(receipt)
    return Message.decode(bytes(event["args"]["message"]))


def wait_for(predicate, timeout=60.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def processed(deps, message: Message) -> bool:
    dest = next(d for d in deps.values() if d.chain_id == message.destination)
    return bool(dest.bus.functions.processed(message.origin, message.nonce).call())


def test_relayer__delivers_both_ways_and_status_tells_where(network, tmp_path):
    _env, deps, config, sender = network
    relayer = spawn_relayer(config, mnemonic_key(18), "--db", str(tmp_path / "relay.sqlite"))
    try:
        sent = [dispatch(deps, sender, "customs", "tax", b"declaration %d" % i) for i in range(3)]
        sent.append(dispatch(deps, sender, "tax", "customs", b"assessment"))
        sent.append(dispatch(deps, sender, "hub", "tax", b"hub notice"))
        assert wait_for(lambda: all(processed(deps, m) for m in sent)), "not all delivered"
    finally:
        stop(relayer)
    result = CliRunner().invoke(
        bus_group, ["status", "--config", str(config), "0x" + sent[0].id.hex(), "--json"]
    )
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["state"] == "delivered"
    assert status["nonce"] == sent[0].nonce and status["threshold"] == 3
    assert len(status["signers"]) >= 3
    assert set(status["signers"].values()) <= {1, 2, 3, 4, 5}
    assert status["delivery_tx"].startswith("0x")


def test_status__unknown_id__says_so(network):
    _, _, config, _ = network
    result = CliRunner().invoke(bus_group, ["status", "--config", str(config), "0x" + "ab" * 32])
    assert result.exit_code == 1
    assert "no chain in the config dispatched this message" in result.output


def test_relayer__sigkilled_at_random_points__every_message_delivered_exactly_once(
    network, tmp_path
):
    _env, deps, config, sender = network
    recorder = deps["tax"].extra["recorder"]
    before = recorder.functions.received().call()
    db = tmp_path / "relay.sqlite"
    rng = random.Random(5)
    total = 120
    messages: list[Message] = []
    relayer = spawn_relayer(config, mnemonic_key(18), "--db", str(db), "--batch-size", "20")
    kills = 0
    try:
        while len(messages) < total:
            for _ in range(rng.randint(5, 15)):
                if len(messages) < total:
                    messages.append(
                        dispatch(deps, sender, "customs", "tax", b"m%d" % len(messages))
                    )
            time.sleep(rng.uniform(0.0, 1.2))
            relayer.send_signal(signal.SIGKILL)
            relayer.wait()
            kills += 1
            relayer = spawn_relayer(config, mnemonic_key(18), "--db", str(db), "--batch-size", "20")
        assert wait_for(lambda: all(processed(deps, m) for m in messages), timeout=120)
    finally:
        stop(relayer)
    assert kills >= 5
    # Exactly once: the recipient counted each message one time, and each id has one Delivered.
    assert recorder.functions.received().call() - before == total
    ids = {m.id for m in messages}
    delivered = deps["tax"].bus.events.Delivered().get_logs(from_block=0)
    counts: dict[bytes, int] = {}
    for event in delivered:
        if bytes(event["args"]["id"]) in ids:
            counts[bytes(event["args"]["id"])] = counts.get(bytes(event["args"]["id"]), 0) + 1
    assert set(counts) == ids and set(counts.values()) == {1}
    store = RelayStore(db)
    assert store.counts().get("delivered", 0) >= total
    store.close()
    assert Web3.is_address(sender.address)


def test_process__gas_limit_below_recipient_cap__reverts_before_calling(network):
    """A relayer cannot starve the recipient into a recorded failure (63/64 rule)."""
    from web3.exceptions import ContractCustomError

    from trustspace.bus.checkpoint import Checkpoint
    from trustspace.bus.tree import MessageTree

    env, deps, _config, sender = network
    message = dispatch(deps, sender, "customs", "hub", b"starve me")
    customs, hub = deps["customs"], deps["hub"]
    logs = customs.bus.events.Dispatched().get_logs(from_block=0)
    tree = MessageTree(
        bytes(e["args"]["id"]) for e in sorted(logs, key=lambda e: e["args"]["nonce"])
    )
    count = len(tree.leaves)
    cp = Checkpoint(customs.chain_id, customs.bus.address, tree.root(count), count - 1)
    signers = sorted(env.validators[:3], key=lambda k: int(k.address, 16))
    sigs = b"".join(sign_checkpoint(cp, k.key) for k in signers)
    call = hub.bus.functions.process(
        cp.root, cp.index, sigs, message.encode(), tree.proof(message.nonce, count)
    )
    relayer = mnemonic_key(18).address
    selector = "0x" + keccak(text="MessageBusInsufficientGas(uint256,uint256)")[:4].hex()
    with pytest.raises(ContractCustomError) as err:
        call.call({"from": relayer, "gas": 150_000})
    assert str(err.value.data).startswith(selector)
    call.call({"from": relayer, "gas": 1_000_000})  # enough gas: it would go through
