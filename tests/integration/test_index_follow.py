"""The indexer on a real anvil with a Notary's traffic, on SQLite and on a real PostgreSQL.

One anvil per module: a Consortium and a Notary (deployment and governance events), then
attestations a few to a block with empty blocks between them, batches, revocations and
records derived from others. Every behaviour runs on both stores (``store_target``).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from web3 import HTTPProvider, Web3

from tests.utils.index_chain import (
    NotarySuite,
    attest_many,
    deploy_log_emitter,
    deploy_notary,
    emit_logs,
    send_many,
)
from tests.utils.postgres import running_postgres
from trustspace.cli import main
from trustspace.devnet.chains import free_port, start_chain, stop_pid
from trustspace.index import source
from trustspace.index.decode import hex0x
from trustspace.index.follower import (
    ChainSource,
    Follower,
    IndexMismatchError,
    NodeAnswerError,
    follow,
)
from trustspace.index.store import ChainRow, Store, open_store
from trustspace.networks import ChainSpec

pytestmark = pytest.mark.anvil

CHAIN_ID = 31_471
BUSY_CHAIN_ID = 31_472
_databases = itertools.count()


@pytest.fixture(scope="module")
def index_home(tmp_path_factory):
    return tmp_path_factory.mktemp("index-home")


@pytest.fixture(scope="module")
def anvil(index_home):
    # anvil's log goes to $TRUSTSPACE_HOME: this module's folder, restored afterwards.
    before = os.environ.get("TRUSTSPACE_HOME")
    os.environ["TRUSTSPACE_HOME"] = str(index_home)
    chain = start_chain(ChainSpec("indexed", CHAIN_ID, free_port()), record=False)
    yield chain
    stop_pid(chain.pid)
    if before is None:
        os.environ.pop("TRUSTSPACE_HOME", None)
    else:
        os.environ["TRUSTSPACE_HOME"] = before


@pytest.fixture(scope="module")
def suite(anvil, index_home) -> NotarySuite:
    """The Notary's traffic: 120 attestations 4 to a block, 3 empty blocks after each such
    block, 3 batches, 4 revocations, a lineage of 3 derived records."""
    s = deploy_notary(anvil.url, index_home / "deployments")
    n = s.notary.functions
    ids: list[bytes] = []
    for round_ in range(30):
        ids += attest_many(s, 4, per_block=4, tag=f"r{round_}")
        s.w3.provider.make_request("anvil_mine", [hex(3)])  # type: ignore[arg-type]
    batches = [n.anchorBatch(Web3.keccak(text=f"root{i}"), 8, s.schema_id, 0) for i in range(3)]
    revokes = [n.revoke(record, 2) for record in ids[:4]]
    send_many(s.w3, s.clerk, batches + revokes, per_block=3)
    parent = ids[10]
    for depth in range(3):
        parent = attest_many(s, 1, parent=parent, tag=f"child{depth}")[0]
    s.lineage_leaf = parent  # type: ignore[attr-defined]
    s.ids = ids  # type: ignore[attr-defined]
    return s


@pytest.fixture(scope="module")
def busy_chain(anvil, index_home):
    """A second anvil with thousands of logs: a Notary's traffic, then 10 blocks of 300 raw
    logs each (an emitter no shipped ABI knows), 30 empty blocks after each (at one block per
    step they keep the indexer busy long enough to be killed mid-way, on a loaded machine too)."""
    chain = start_chain(ChainSpec("busy", BUSY_CHAIN_ID, free_port()), record=False)
    try:
        s = deploy_notary(chain.url, index_home / "busy-deployments")
        attest_many(s, 20, per_block=5)
        emitter = deploy_log_emitter(s.w3, s.clerk)
        for _ in range(10):
            emit_logs(s.w3, s.clerk, emitter, 300)
            s.w3.provider.make_request("anvil_mine", [hex(30)])  # type: ignore[arg-type]
        yield chain, s.w3
    finally:
        stop_pid(chain.pid)


@pytest.fixture(scope="module")
def postgres_server():
    with running_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path, postgres_server) -> str:
    """A fresh, empty index database of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "index.sqlite")
    return _fresh_database(postgres_server)


def _fresh_database(server: str) -> str:
    import psycopg

    name = f"index_{next(_databases)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + f"/{name}"


def _catch_up(store: Store, w3: Web3, start: int = 0, **kwargs) -> Follower:
    follower = Follower(store, ChainSource("indexed", w3, start), **kwargs)
    while not follower.step().caught_up:
        pass
    return follower


def _row(store: Store) -> ChainRow:
    row = store.chain(CHAIN_ID)
    assert row is not None, "the chain is not in the index"
    return row


def _indexed(store: Store) -> source.IndexedChain:
    return source.IndexedChain(store, _row(store))


def _raw_fields(log) -> dict:
    return {k: (hex0x(v) if isinstance(v, bytes) else v) for k, v in dict(log).items()}


def test_index__notary_traffic__every_log_equals_eth_getlogs_field_by_field(suite, store_target):
    store = open_store(store_target)
    follower = _catch_up(store, suite.w3, chunk=50)
    end = _row(store).next_block - 1
    chain_logs = suite.w3.eth.get_logs({"fromBlock": 0, "toBlock": end})
    stored = store.select_logs(CHAIN_ID, 0, end)
    assert len(stored) == len(chain_logs) > 130
    for row, log in zip(stored, chain_logs, strict=True):
        assert _raw_fields(source.to_web3_log(row)) == _raw_fields(log)
    events = {r.event for r in stored}
    assert {"Attested", "BatchAnchored", "Revoked", "Derived", "SchemaRegistered"} <= events
    attested = next(r for r in stored if r.event == "Attested")
    args = attested.args or {}
    assert args["orgId"] == 1 and args["schemaId"] == suite.schema_id
    assert args["attester"] == suite.clerk.address.lower()
    assert follower.step().logs == 0  # caught up: nothing indexed twice
    assert store.log_count(CHAIN_ID) == len(chain_logs)


def test_lookups__indexed_notary__records_organisation_schema_lineage(suite, store_target):
    store = open_store(store_target)
    _catch_up(store, suite.w3)
    index = _indexed(store)
    revoked = source.record_events(index, suite.ids[0])
    assert [r.event for r in revoked] == ["Attested", "Revoked"]
    assert (revoked[1].args or {})["reason"] == 2
    assert [r.event for r in source.record_events(index, suite.ids[50])] == ["Attested"]
    assert source.record_events(index, bytes(32)) == []
    newest = source.records_of_organisation(index, 1, limit=5)
    assert len(newest) == 5 and (newest[0].args or {})["id"] == hex0x(suite.lineage_leaf)
    assert source.records_of_organisation(index, 2) == []
    assert len(source.records_by_schema(index, suite.schema_id, limit=500)) == 120 + 3 + 3
    assert source.records_by_schema(index, suite.schema_id + 1) == []
    edges = source.lineage(index, suite.lineage_leaf, depth=10)
    assert len(edges) == 3 and edges[-1][0] == hex0x(suite.ids[10])
    assert len(source.lineage(index, suite.lineage_leaf, depth=2)) == 2


def test_get_logs__random_filters__index_plus_chain_tail_equal_the_chain(
    suite, store_target, monkeypatch, caplog
):
    head = int(suite.w3.eth.block_number)
    store = open_store(store_target)
    # Blocks below 20 and above head / 2 come from the node.
    _catch_up(store, suite.w3, start=20, confirmations=head // 2)
    monkeypatch.setenv("TRUSTSPACE_INDEX", store_target)
    assert source.source_name(suite.w3) == "index"
    cursor = _row(store).next_block
    assert 0 < cursor < head
    known = suite.w3.eth.get_logs({"fromBlock": 0, "toBlock": head})
    topic0s = sorted({hex0x(log["topics"][0]) for log in known})
    topic1s = sorted({hex0x(log["topics"][1]) for log in known if len(log["topics"]) > 1})[:6]
    addresses = [suite.notary.address, suite.consortium.address, "0x" + "11" * 20]
    blocks = st.integers(0, head)

    @settings(max_examples=12, deadline=None)
    @given(
        start=blocks,
        span=st.one_of(st.integers(0, head), st.just("latest")),
        address=st.one_of(st.none(), st.sampled_from(addresses), st.just(addresses[:2])),
        first=st.one_of(st.none(), st.sampled_from(topic0s), st.lists(st.sampled_from(topic0s))),
        second=st.one_of(st.none(), st.sampled_from(topic1s)),
        as_hex=st.booleans(),
    )
    def check(start, span, address, first, second, as_hex):
        end = span if span == "latest" else min(start + span, head)
        params: dict = {"fromBlock": start, "toBlock": end}
        if as_hex:  # block numbers as JSON-RPC quantities, "earliest" for 0
            params = {k: ("earliest" if v == 0 else hex(v)) if isinstance(v, int) else v
                      for k, v in params.items()}  # fmt: skip
        if address is not None:
            params["address"] = address
        topics = [first, second]
        while topics and topics[-1] is None:
            topics.pop()
        if topics and first != []:
            params["topics"] = topics
        assert source.get_logs(suite.w3, params) == suite.w3.eth.get_logs(params)

    check()
    # Every answer above came through the index (a failure there would fall back silently).
    assert not [r for r in caplog.records if "index not used" in r.getMessage()]


def test_get_logs__no_index_configured__reads_the_chain(suite, tmp_path, monkeypatch):
    monkeypatch.delenv("TRUSTSPACE_INDEX", raising=False)
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path))
    assert source.index_for(suite.w3) is None and source.source_name(suite.w3) == "chain"
    params = {"fromBlock": 0, "toBlock": "latest", "address": suite.notary.address}
    assert source.get_logs(suite.w3, params) == suite.w3.eth.get_logs(params)


def test_get_logs__postgresql_connection_lost__reads_the_chain_then_the_index_again(
    suite, postgres_server, monkeypatch
):
    import psycopg

    target = _fresh_database(postgres_server)
    _catch_up(open_store(target), suite.w3)
    monkeypatch.setenv("TRUSTSPACE_INDEX", target)
    params = {"fromBlock": 0, "toBlock": "latest", "address": suite.notary.address}
    assert source.source_name(suite.w3) == "index"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (target.rsplit("/", 1)[1],),
        )
    assert source.source_name(suite.w3) == "chain"  # the broken connection is dropped
    assert source.get_logs(suite.w3, params) == suite.w3.eth.get_logs(params)
    assert source.source_name(suite.w3) == "index"  # and a new one opened


@pytest.mark.parametrize(
    ("replaced_blocks", "new_blocks"), [(3, 4), (5, 1)], ids=["longer", "shorter"]
)
def test_reorg__replaced_blocks__their_logs_undone_and_the_new_chain_indexed(
    suite, store_target, replaced_blocks, new_blocks
):
    w3 = suite.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    replaced = attest_many(suite, 2 * replaced_blocks, per_block=2)
    store = open_store(store_target)
    follower = _catch_up(store, w3)
    assert len(source.record_events(_indexed(store), replaced[0])) == 1
    assert w3.provider.make_request("evm_revert", [snapshot])["result"]  # type: ignore[arg-type]
    kept = attest_many(suite, new_blocks, per_block=1)
    result = follower.step()
    while not result.caught_up:
        result = follower.step()
    assert _row(store).next_block == int(w3.eth.block_number) + 1
    index = _indexed(store)
    assert source.record_events(index, replaced[0]) == []
    assert len(source.record_events(index, kept[-1])) == 1
    head = int(w3.eth.block_number)
    chain_logs = [_raw_fields(log) for log in w3.eth.get_logs({"fromBlock": 0, "toBlock": head})]
    stored = [_raw_fields(source.to_web3_log(r)) for r in store.select_logs(CHAIN_ID, 0, head)]
    assert stored == chain_logs


def test_reorg__before_the_indexer_notices__get_logs_reads_the_chain(
    suite, store_target, monkeypatch
):
    w3 = suite.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    attest_many(suite, 2, per_block=1)
    store = open_store(store_target)
    _catch_up(store, w3)
    monkeypatch.setenv("TRUSTSPACE_INDEX", store_target)
    assert source.source_name(w3) == "index"
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    attest_many(suite, 3, per_block=1)
    assert source.source_name(w3) == "chain"
    params = {"fromBlock": 0, "toBlock": "latest"}
    assert source.get_logs(w3, params) == w3.eth.get_logs(params)


def test_restarted_chain__other_genesis__follower_refuses_and_get_logs_reads_the_chain(
    suite, store_target, monkeypatch
):
    store = open_store(store_target)
    _catch_up(store, suite.w3)
    fresh = start_chain(ChainSpec("restarted", CHAIN_ID, free_port()), record=False)
    try:
        w3 = Web3(Web3.HTTPProvider(fresh.url))
        w3.provider.make_request("anvil_mine", [hex(_row(store).next_block + 2)])  # type: ignore[arg-type]
        assert w3.eth.get_block(0)["hash"] != suite.w3.eth.get_block(0)["hash"]
        monkeypatch.setenv("TRUSTSPACE_INDEX", store_target)
        assert source.source_name(w3) == "chain"
        assert source.get_logs(w3, {"fromBlock": 0, "toBlock": "latest"}) == []
        with pytest.raises(IndexMismatchError, match=r"block 0 differs.*--reindex"):
            Follower(store, ChainSource("restarted", w3)).step()
        again = Follower(store, ChainSource("restarted", w3), reindex=True)
        while not again.step().caught_up:
            pass
        assert store.log_count(CHAIN_ID) == 0 and source.source_name(w3) == "index"
    finally:
        stop_pid(fresh.pid)


class _HostileProvider(HTTPProvider):
    """A node that tampers with its answers: ``mode`` says how."""

    def __init__(self, url: str, mode: str) -> None:
        super().__init__(url)
        self.mode = mode
        self.calls = 0

    def make_request(self, method, params):
        answer = super().make_request(method, params)
        if self.mode == "out_of_range" and method == "eth_getLogs" and answer.get("result"):
            answer["result"][0]["blockNumber"] = hex(int(params[0]["toBlock"], 16) + 5)
        if self.mode == "flapping_hash" and method == "eth_getBlockByNumber":
            self.calls += 1
            if self.calls % 2 == 0 and answer.get("result"):
                answer["result"]["hash"] = "0x" + "ab" * 32
        if self.mode == "capped" and method == "eth_getLogs":
            asked = int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16) + 1
            if asked > 8:  # a node that refuses wide ranges, as public providers do
                return {"jsonrpc": "2.0", "id": answer.get("id"),
                        "error": {"code": -32005, "message": "query exceeds 8 blocks"}}  # fmt: skip
        if self.mode == "malformed" and method == "eth_getLogs" and answer.get("result"):
            answer["result"][0] = {"topics": "not a list", "blockNumber": "0xzz"}
        if self.mode == "forged_block_hash" and method == "eth_getLogs" and answer.get("result"):
            answer["result"][-1]["blockHash"] = "0x" + "cd" * 32
        return answer


@pytest.mark.parametrize(
    "mode", ["out_of_range", "flapping_hash", "forged_block_hash", "malformed"]
)
def test_attack_hostile_node__inconsistent_answers__nothing_stored(suite, anvil, tmp_path, mode):
    store = open_store(str(tmp_path / "index.sqlite"))
    w3 = Web3(_HostileProvider(anvil.url, mode))
    follower = Follower(store, ChainSource("hostile", w3))
    with pytest.raises(NodeAnswerError):
        follower.step()
    assert store.log_count(CHAIN_ID) == 0
    assert _row(store).next_block == _row(store).start_block
    honest = Follower(store, ChainSource("honest", suite.w3))
    assert honest.step().logs > 0  # the same range from an honest node is indexed


def _trustspace() -> str:
    return str(Path(sys.executable).parent / "trustspace")


def test_run__killed_mid_way_and_restarted__equals_a_clean_index(
    busy_chain, store_target, tmp_path, monkeypatch
):
    chain, w3 = busy_chain
    env = {**os.environ, "TRUSTSPACE_INDEX": store_target, "TRUSTSPACE_HOME": str(tmp_path),
           "TRUSTSPACE_DEPLOYMENTS": str(tmp_path / "none")}  # fmt: skip
    command = [_trustspace(), "index", "run", "--network", chain.url]
    store = open_store(store_target)
    total = len(w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest"}))
    assert total > 3000
    slow = ["--chunk", "1", "--poll", "0.05"]  # one block per transaction: a long window to kill
    process = subprocess.Popen(command + slow, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            store.chains() and store.log_count(BUSY_CHAIN_ID) > 300
        ):
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(10)
    at_kill = store.log_count(BUSY_CHAIN_ID)
    assert 300 < at_kill < total  # killed while indexing
    # The restart runs in-process (the same command, one interpreter start less).
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = CliRunner(mix_stderr=False).invoke(main, command[1:] + ["--once", "--json"])
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["chains"][0]["chain_id"] == BUSY_CHAIN_ID
    clean = open_store(str(tmp_path / "clean.sqlite"))
    follower = Follower(clean, ChainSource("clean", w3))
    while not follower.step().caught_up:
        pass
    end = int(w3.eth.block_number)
    assert store.select_logs(BUSY_CHAIN_ID, 0, end) == clean.select_logs(BUSY_CHAIN_ID, 0, end)
    assert store.log_count(BUSY_CHAIN_ID) == clean.log_count(BUSY_CHAIN_ID) == total


def test_run_once__one_chain_down__the_other_indexed_status_shows_it_exit_3(
    suite, anvil, tmp_path, monkeypatch
):
    monkeypatch.setenv("TRUSTSPACE_INDEX", str(tmp_path / "index.sqlite"))
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "none"))
    down = f"http://127.0.0.1:{free_port()}"
    runner = CliRunner(mix_stderr=False)
    args = ["index", "run", "--network", down, "--network", anvil.url, "--once", "--json",
            "--start-block", f"{anvil.url}=3"]  # fmt: skip
    result = runner.invoke(main, args)
    assert result.exit_code == 3, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and f"cannot index {down}" in payload["error"]
    assert [c["chain_id"] for c in payload["chains"]] == [CHAIN_ID]
    assert f"warning: {down}: the node does not answer" in result.stderr
    status = json.loads(runner.invoke(main, ["index", "status", "--json"]).stdout)
    (chain,) = status["chains"]
    head = int(suite.w3.eth.block_number)
    assert chain["name"] == anvil.url and chain["head"] == head and chain["start_block"] == 3
    assert chain["lag"] == head + 1 - chain["cursor"] and chain["cursor"] > 3
    logs = suite.w3.eth.get_logs({"fromBlock": 3, "toBlock": chain["cursor"] - 1})
    assert chain["logs"] == len(logs)


def test_follow__chain_down_while_running__warned_and_retried_the_other_goes_on(suite, tmp_path):
    store = open_store(str(tmp_path / "index.sqlite"))
    down = Web3(HTTPProvider(f"http://127.0.0.1:{free_port()}", request_kwargs={"timeout": 2}))
    followers = [
        Follower(store, ChainSource("down", down)),
        Follower(store, ChainSource("up", suite.w3)),
    ]
    warnings: list[str] = []
    reports: list[str] = []
    follow(
        followers,
        once=False,
        should_stop=lambda: len(warnings) >= 3,  # the down chain was tried three times
        report=lambda result: reports.append(result.name),
        warn=lambda name, err: warnings.append(name),
        idle=0.01,
        max_backoff=0.04,
    )
    assert warnings == ["down"] * 3 and "up" in reports
    indexed = suite.w3.eth.get_logs({"fromBlock": 0, "toBlock": _row(store).next_block - 1})
    assert store.log_count(CHAIN_ID) == len(indexed) > 0


def test_follow_once__node_refusing_wide_ranges__narrows_its_steps_and_indexes_everything(
    suite, anvil, tmp_path
):
    store = open_store(str(tmp_path / "index.sqlite"))
    capped = Web3(_HostileProvider(anvil.url, "capped"))
    refusals: list[str] = []
    follow(
        [Follower(store, ChainSource("capped", capped), chunk=100)],
        once=True,
        should_stop=lambda: False,
        report=lambda result: None,
        warn=lambda name, err: refusals.append(str(err)),
        idle=0.01,
    )
    # 100 → 50 → 25 → 12 → 6 blocks; after 16 answered steps 12 is tried once more.
    assert 4 <= len(refusals) <= 6 and all("blocks at a time" in r for r in refusals)
    end = _row(store).next_block - 1
    assert end == int(suite.w3.eth.block_number)
    assert store.log_count(CHAIN_ID) == len(suite.w3.eth.get_logs({"fromBlock": 0, "toBlock": end}))
