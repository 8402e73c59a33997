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
from trustspace.cli import main as cli_main
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
        cli_main, ["bus", "status", "--config", str(config), "0x" + sent[0].id.hex(), "--json"]
    )
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["found_by"] == "message id" and status["not_validators"] == []
    assert status["state"] == "delivered"
    assert status["nonce"] == sent[0].nonce and status["threshold"] == 3
    assert len(status["signers"]) >= 3
    assert set(status["signers"].values()) <= {1, 2, 3, 4, 5}
    assert status["delivery_tx"].startswith("0x")


def test_status__unknown_id__says_so(network):
    _, _, config, _ = network
    result = CliRunner().invoke(
        cli_main, ["bus", "status", "--config", str(config), "0x" + "ab" * 32]
    )
    assert result.exit_code == 1
    assert "no message found for 0x" + "ab" * 32 in " ".join(result.output.split())


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


# ---------------------------------------------------------------- issue 11, finding 2
# Signature gathering under attack, and the validator's start-up checks (real processes).

import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

from trustspace.bus.announced import ATTRIBUTE  # noqa: E402
from trustspace.bus.checkpoint import Checkpoint as _Checkpoint  # noqa: E402
from trustspace.bus.config import Announcements, load_config  # noqa: E402
from trustspace.bus.signatures import SignatureEntry  # noqa: E402
from trustspace.consortium.constants import Action  # noqa: E402
from trustspace.devnet.daemons import account_alias, daemon_env  # noqa: E402
from trustspace.did.registry import str_to_bytes32  # noqa: E402
from trustspace.paths import project_root  # noqa: E402

HOSTILE_KEY_INDEX = 16  # not a validator of any set: a stranger with write access


def edited_config(config, folder, **chain_changes):
    """A copy of the bus config with changed chain fields (and its own folder)."""
    data = json.loads(config.read_text())
    for name, changes in chain_changes.items():
        data["chains"][name].update(changes)
    folder.mkdir(parents=True, exist_ok=True)
    data["signatures"] = str(folder / "signatures")
    data["database"] = str(folder / "relay.sqlite")
    path = folder / "bus.json"
    path.write_text(json.dumps(data))
    return path


def one_line(output: str) -> str:
    """The one error line (rich's console wraps long lines at its width: unwrap them)."""
    assert output.count("error:") == 1, output
    return " ".join(output.split())


def run_validator_once(config, chain, key):
    return CliRunner().invoke(
        cli_main, ["validator", "run", "--config", str(config), "--chain", chain, "--once",
                   "--account", account_alias(key)],
    )  # fmt: skip


def test_validator__node_reports_another_chain_id__refuses_with_one_line(network, tmp_path):
    env, deps, config, _ = network
    wrong = edited_config(config, tmp_path, customs={"chain_id": 1})
    result = run_validator_once(wrong, "customs", env.validators[0])
    assert result.exit_code == 2, result.output
    line = one_line(result.output)
    assert "refusing to sign: the node at" in line and "reports chain id 31338" in line
    assert "the config says customs is chain 1" in line
    pinned = edited_config(config, tmp_path / "ok", customs={"chain_id": deps["customs"].chain_id})
    assert run_validator_once(pinned, "customs", env.validators[0]).exit_code == 0


def test_validator__bus_address_holds_other_code__refuses_with_one_line(network, tmp_path):
    env, deps, config, _ = network
    consortium = deps["customs"].consortium.address
    wrong = edited_config(config, tmp_path, customs={"bus": consortium})
    result = run_validator_once(wrong, "customs", env.validators[0])
    assert result.exit_code == 2, result.output
    line = one_line(result.output)
    assert (
        f"refusing to sign: {consortium} on customs does not hold this release's MessageBus" in line
    )
    bad_hash = edited_config(config, tmp_path / "hash", customs={"codehash": "0x" + "11" * 32})
    result = run_validator_once(bad_hash, "customs", env.validators[0])
    assert result.exit_code == 2 and "does not have the configured codehash" in result.output


def test_status__unknown_id__json_one_document_and_same_exit_code(network):
    _, _, config, _ = network
    result = CliRunner().invoke(
        cli_main, ["bus", "status", "--config", str(config), "0x" + "ab" * 32, "--json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["ok"] is False and document["state"] == "unknown"
    assert document["error"].startswith("no message found for 0x" + "ab" * 32)


def garbage_writer(root, stop_event, deps):
    """A hostile organisation with write access to the shared folder: garbage everywhere,
    self-signed checkpoints naming another bus, squats under the honest validators' names."""
    hostile = mnemonic_key(HOSTILE_KEY_INDEX)
    rng = random.Random(11)
    n = 0
    while not stop_event.is_set():
        n += 1
        origin = deps["customs"].chain_id
        junk = [b"[]", b"null", b"{", b"\x00" * 64, b"[" * 50_000]
        targets = [
            root
            / hostile.address
            / str(origin)
            / f"{rng.randrange(10**10):010d}-{'ab' * 32}-{'cd' * 20}.json",
            root / hostile.address / str(origin) / f"junk-{n}.json",
            root / f"junk-{n}",
            root / str(origin) / f"not-a-checkpoint-{n}" / "0xjunk.json",
        ]
        for validator in _VALIDATOR_ADDRESSES:
            targets.append(
                root / validator / str(origin) / f"{n:010d}-{'00' * 32}-{'00' * 20}.json"
            )
        for path in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rng.choice(junk))
        tree_root, count = deps["customs"].bus.functions.tree().call()
        if count:
            decoy = _Checkpoint(origin, "0x" + "ee" * 20, bytes(tree_root), count - 1)
            from trustspace.bus.checkpoint import sign_checkpoint as sign

            entry = SignatureEntry(decoy, hostile.address, sign(decoy, hostile.key)).to_json()
            name = f"{decoy.index:010d}-{decoy.root.hex()}-{'ee' * 20}.json"
            path = root / hostile.address / str(origin) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(entry))
        stop_event.wait(0.05)


_VALIDATOR_ADDRESSES: list[str] = []


def test_relayer__hostile_validator_writes_garbage__keeps_delivering(network, tmp_path):
    env, deps, config, sender = network
    _VALIDATOR_ADDRESSES[:] = [k.address for k in env.validators]
    root = load_config(config).signatures
    stop_event = threading.Event()
    writer = threading.Thread(target=garbage_writer, args=(root, stop_event, deps), daemon=True)
    writer.start()
    relayer = spawn_relayer(config, mnemonic_key(18), "--db", str(tmp_path / "relay.sqlite"))
    try:
        sent = []
        for i in range(4):
            sent += [dispatch(deps, sender, "customs", "tax", b"under attack %d" % i)]
            time.sleep(0.5)
        assert wait_for(lambda: all(processed(deps, m) for m in sent)), "relayer stopped"
        assert relayer.poll() is None
    finally:
        stop_event.set()
        writer.join(10)
        stop(relayer)
    log = (config.parent / "relayer.log").read_text()
    assert "ignoring" in log  # the garbage was seen, and skipped with a warning


def spawn_publishing_validator(config, chain, key, listen, log_name):
    command = [
        sys.executable, "-m", "trustspace.bus", "validator", "run", "--config", str(config),
        "--chain", chain, "--account", account_alias(key), "--poll", "0.2", "--publish", listen,
    ]  # fmt: skip
    log = (config.parent / log_name).open("ab")
    return subprocess.Popen(
        command, env=daemon_env(), cwd=project_root(),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_relayer__signatures_from_announced_endpoints_only__delivers_despite_hostile_one(
    network, tmp_path
):
    """One validator per machine: each has its own folder and HTTP endpoint, announced as a
    TrustspaceValidator service of its organisation's DID on the hub; the relayer shares no
    folder with them. The ministry announces a server that hangs."""
    from tests.utils.hostile_http import HostileServer, slow
    from trustspace.devnet.chains import free_port

    env, deps, config, sender = network
    hub = deps["hub"]
    registry = env.sender("hub").deploy("DIDRegistry")
    hostile = HostileServer(slow)
    validators = []
    try:
        for org_id, key in enumerate(env.validators[:4], start=1):
            identity = mnemonic_key(30 + org_id)  # each organisation's DID key
            hub.w3.provider.make_request("anvil_setBalance", [identity.address, hex(10**20)])
            env.govern("hub", Action.SET_DID, org_id=org_id, did=identity.address)
            if org_id <= 3:
                port = free_port()
                machine = edited_config(config, tmp_path / f"agency-{org_id}")
                validators.append(spawn_publishing_validator(
                    machine, "customs", key, f"127.0.0.1:{port}", f"validator-http-{org_id}.log"
                ))  # fmt: skip
                url = f"http://127.0.0.1:{port}"
            else:
                url = hostile.url
            TxSender(hub.w3, identity).transact(
                registry.functions.setAttribute(
                    identity.address, str_to_bytes32(ATTRIBUTE), url.encode(), 86_400
                )
            )
        relay_config = edited_config(config, tmp_path / "relayer")
        data = json.loads(relay_config.read_text())
        data["announcements"] = {"chain": "hub", "did_registry": registry.address}
        relay_config.write_text(json.dumps(data))
        assert load_config(relay_config).announcements == Announcements("hub", registry.address)
        relayer = spawn_relayer(relay_config, mnemonic_key(18), "--db", str(tmp_path / "r.sqlite"))
        try:
            sent = [dispatch(deps, sender, "customs", "tax", b"over http %d" % i) for i in range(2)]
            assert wait_for(lambda: all(processed(deps, m) for m in sent), timeout=90)
        finally:
            stop(relayer)
        assert not any((tmp_path / "relayer" / "signatures").iterdir())  # nothing shared
    finally:
        for process in validators:
            stop(process)
        hostile.close()


# ---------------------------------------------------------------- issue 13: records, ids, keys


def cli(*args, env=None):
    return CliRunner(mix_stderr=False).invoke(cli_main, list(args), env=env)


def record_chains(deps, *names):
    """``--chain NAME=URL`` for each chain: the bus comes from its deployment record."""
    return [arg for name in names for arg in ("--chain", f"{name}={deps[name].url}")]


def test_cli__chains_from_records__validator_default_confirmations_sign_and_status_finds_by_tx(
    network, tmp_path
):
    env, deps, _config, sender = network
    records = {"TRUSTSPACE_DEPLOYMENTS": str(env.folder)}
    sigs = ["--signatures", str(tmp_path / "sigs")]
    dep = deps["customs"]
    receipt = TxSender(dep.w3, sender).transact(
        dep.bus.functions.dispatch(deps["tax"].chain_id, deps["tax"].extra["recorder"].address,
                                   b"from records"), gas=200_000,
    )  # fmt: skip
    (event,) = dep.bus.events.Dispatched().process_receipt(receipt)
    message_id = "0x" + bytes(event["args"]["id"]).hex()
    # Default confirmations on a local anvil chain: 0, so the checkpoint is signed at once.
    validator = env.validators[0]
    signed = cli("validator", "run", *record_chains(deps, "customs"), "--account",
                 account_alias(validator), "--once", *sigs, env=records)  # fmt: skip
    assert signed.exit_code == 0, signed.stdout + signed.stderr
    assert signed.stdout.startswith("signed index ")
    # A key outside the validator set signs into the same folder: it must not count.
    stranger = mnemonic_key(HOSTILE_KEY_INDEX)
    other = cli("validator", "run", *record_chains(deps, "customs"), "--account",
                account_alias(stranger), "--once", *sigs, env=records)  # fmt: skip
    assert other.exit_code == 0, other.stdout + other.stderr
    tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
    result = cli("bus", "status", *record_chains(deps, "customs", "tax"), *sigs, tx_hash,
                 "--json", env=records)  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    status = json.loads(result.stdout)
    assert status["id"] == message_id and status["found_by"] == "transaction"
    assert status["query"] == tx_hash
    assert status["signers"] == {validator.address: 1}
    assert status["not_validators"] == [stranger.address]
    text = cli("bus", "status", *record_chains(deps, "customs", "tax"), *sigs, message_id,
               env={**records, "COLUMNS": "60"})  # fmt: skip
    assert text.exit_code == 0, text.stdout + text.stderr
    lines = text.stdout.splitlines()
    # Ids whole on one line each, never cut with an ellipsis, however narrow the terminal.
    assert any(line.split()[-1] == message_id for line in lines if line.startswith("id "))
    signers_line = next(line for line in lines if line.startswith("signers"))
    assert "…" not in text.stdout and stranger.address not in signers_line


def test_cli__status_by_mirrored_record_id__finds_the_latest_mirror(network, tmp_path):
    env, deps, _config, _sender = network
    customs, tax = deps["customs"], deps["tax"]
    for dep in (customs, tax):
        dep.extra.setdefault(
            "notary", env.sender(dep.name).deploy("Notary", dep.consortium.address)
        )
    for dep, peer in ((customs, tax), (tax, customs)):
        notary = dep.extra["notary"]
        env.govern(dep.name, Action.CALL, target=notary.address,
                   data=notary.functions.setBus(dep.bus.address)._encode_transaction_data())  # fmt: skip
        env.govern(dep.name, Action.CALL, target=notary.address,
                   data=notary.functions.setPeer(peer.chain_id, peer.extra["notary"].address)._encode_transaction_data())  # fmt: skip
        env.allow_sender(dep.name, notary.address)
    from trustspace.consortium.constants import Role

    clerk = mnemonic_key(19)
    env.govern("customs", Action.ADD_ACCOUNT, org_id=1, account=clerk.address)
    env.govern("customs", Action.GRANT_ROLE, account=clerk.address, roles=Role.NOTARY)
    origin = customs.extra["notary"]
    clerk_tx = TxSender(customs.w3, clerk)
    clerk_tx.transact(origin.functions.registerSchema("decl", "1.0", b"\x00" * 32, ""))
    digest = keccak(b"declaration mirrored twice")
    schema = origin.functions.schemaCount().call()
    clerk_tx.transact(origin.functions.attest(digest, schema, b"\x00" * 32, 0))
    record_id = origin.functions.recordId(digest, schema).call()
    mirrored = []
    for _ in range(2):
        receipt = clerk_tx.transact(origin.functions.mirror(record_id, tax.chain_id))
        mirrored.append(bytes(receipt["logs"][-1]["data"]))
    records = {"TRUSTSPACE_DEPLOYMENTS": str(env.folder)}
    result = cli("bus", "status", *record_chains(deps, "customs", "tax"), "--signatures",
                 str(tmp_path), "0x" + bytes(record_id).hex(), "--json", env=records)  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    status = json.loads(result.stdout)
    assert status["found_by"] == "record" and status["id"] == "0x" + mirrored[-1].hex()
    assert status["other_messages"] == ["0x" + mirrored[0].hex()]
    assert status["sender"] == origin.address


# ---------------------------------------------------------------- issue 14, latency
# Validators that poll slower than blocks come still sign checkpoints a threshold shares.

from trustspace.bus.signatures import SignatureStore  # noqa: E402
from trustspace.bus.validator import CATCH_UP, GRID, Validator  # noqa: E402


def signed_indices(store: SignatureStore, signer: str, origin: int, low: int) -> set[int]:
    return {e.checkpoint.index for e in store.own(signer, origin, min_index=low)}


def burst_on(deps, sender, origin: str, count: int) -> tuple[list[Message], list[int]]:
    """``count`` messages, one block each (anvil mines one per transaction); their blocks."""
    head = int(deps[origin].w3.eth.block_number)
    messages = [dispatch(deps, sender, origin, "tax", b"burst %d" % i) for i in range(count)]
    return messages, list(range(head + 1, head + 1 + count))


def test_validators__polling_at_different_blocks__sign_common_checkpoints(network, tmp_path):
    env, deps, config, sender = network
    spec = load_config(config).chain("hub")
    stores = [SignatureStore(tmp_path / f"v{i}") for i in range(3)]
    validators = [Validator(spec, k, s, 0) for k, s in zip(env.validators, stores, strict=False)]
    validators[0].tick()
    validators[1].tick()
    early, early_blocks = burst_on(deps, sender, "hub", 2)
    validators[0].tick()  # polls once more than the other two, within the burst
    late, late_blocks = burst_on(deps, sender, "hub", GRID - 1)
    burst, blocks = early + late, early_blocks + late_blocks
    for v in validators:
        v.tick()  # several new blocks (but for the third): only the grid ones are common
    for v in validators:
        v.tick()  # no new block: the chain is quiet, the newest is common too
    hub = deps["hub"].chain_id
    first, last = burst[0].nonce, burst[-1].nonce
    # GRID + 1 blocks: exactly one multiple of GRID before the newest.
    (on_grid,) = [
        m.nonce for m, b in zip(burst, blocks, strict=True) if b % GRID == 0 and b != blocks[-1]
    ]
    signed = [signed_indices(s, v.key.address, hub, first) for v, s in zip(validators, stores,
                                                                           strict=True)]  # fmt: skip
    # Both that polled before the burst signed the grid block's checkpoint and then the
    # newest, whenever they polled: a threshold meets on them.
    assert {on_grid, last} <= signed[0] & signed[1]
    assert signed[1] == {on_grid, last}
    # One that started after the burst signs the newest only; a poll with no new block nothing.
    assert signed[2] == {last}
    assert validators[1].tick() is None


def test_validator__more_blocks_than_catch_up__signs_only_the_newest_ones(network, tmp_path):
    env, deps, config, sender = network
    spec = load_config(config).chain("customs")
    store = SignatureStore(tmp_path / "v")
    validator = Validator(spec, env.validators[0], store, 0)
    validator.tick()
    burst, blocks = burst_on(deps, sender, "customs", CATCH_UP + 2)
    validator.tick()
    validator.tick()  # quiet: the newest too
    final = blocks[-1]
    expected = {
        m.nonce for m, b in zip(burst, blocks, strict=True)
        if b > final - CATCH_UP and (b == final or b % GRID == 0)
    }  # fmt: skip
    indices = signed_indices(store, validator.key.address, deps["customs"].chain_id, 0)
    assert indices & {m.nonce for m in burst} == expected
    assert burst[0].nonce not in indices and burst[1].nonce not in indices
