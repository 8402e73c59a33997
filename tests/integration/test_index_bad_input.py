"""Every kind of mistake with ``trustspace index``, in-process through click's CliRunner: one
line saying what was wrong and what to do, the right exit code, no traceback; ``--json``
stays one document (checked once per way of failing). No chain is needed: a chain that is
down is a free port nobody listens on.
"""

from __future__ import annotations

import json
import os
import signal

import psycopg
import pytest
from click.testing import CliRunner
from web3 import Web3

from tests.utils.postgres import running_postgres
from trustspace.cli import main
from trustspace.devnet.chains import free_port, start_chain, stop_pid
from trustspace.errors import UnreachableError
from trustspace.index import follower as follower_module
from trustspace.index import source
from trustspace.index.follower import (
    ChainSource,
    Follower,
    IndexMismatchError,
    StepResult,
)
from trustspace.index.store import open_store
from trustspace.networks import ChainSpec

pytestmark = pytest.mark.anvil


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path))
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "deployments"))
    monkeypatch.delenv("TRUSTSPACE_INDEX", raising=False)
    monkeypatch.delenv("TRUSTSPACE_INDEX_CHUNK", raising=False)
    return tmp_path


def run(*args: str, code: int):
    result = CliRunner(mix_stderr=False).invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def line(result) -> str:
    lines = [x for x in result.stderr.strip().splitlines() if x.startswith("error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def document(result) -> dict:
    payload = json.loads(result.stdout)  # exactly one document
    assert payload["ok"] is False and payload["exit_code"] == result.exit_code
    return payload


def test_index_status__empty_index__ok_with_no_chain(home):
    open_store(str(home / "index.sqlite")).close()
    payload = json.loads(run("index", "status", "--json", code=0).stdout)
    assert payload == {"ok": True, "database": str(home / "index.sqlite"), "chains": []}
    assert "no chain indexed yet" in run("index", "status", code=0).stdout


def test_index_status__no_index_yet_or_a_mistyped_path__one_line_exit_2_nothing_created(
    home, monkeypatch
):
    assert "`trustspace index run` builds it" in line(run("index", "status", code=2))
    typo = home / "typo" / "index.sqlite"
    monkeypatch.setenv("TRUSTSPACE_INDEX", str(typo))
    payload = document(run("index", "status", "--json", code=2))
    assert payload["error"].startswith(f"no index at {typo}:")
    assert not (home / "index.sqlite").exists() and not typo.parent.exists()


def test_index_run__unknown_network__one_line_exit_2(home):
    assert "unknown network 'nosuch'" in line(run("index", "run", "--network", "nosuch", code=2))
    payload = document(run("index", "run", "--network", "nosuch", "--json", code=2))
    assert "unknown network" in payload["error"]


def test_index_run__nothing_recorded_and_no_network__says_what_to_give(home):
    assert "no chain to index" in line(run("index", "run", "--once", code=2))
    assert "give --network" in document(run("index", "run", "--once", "--json", code=2))["error"]


def test_index_run__chain_down__one_line_exit_3(home):
    down = f"http://127.0.0.1:{free_port()}"
    result = run("index", "run", "--network", down, "--once", code=3)
    assert f"cannot index {down}: the node does not answer; start it" in line(result)
    payload = document(run("index", "run", "--network", down, "--once", "--json", code=3))
    assert payload["chains"] == [] and "does not answer" in payload["error"]


@pytest.mark.parametrize(
    ("database", "says"),
    [
        ("mysql://db.example/index", "unknown database kind"),
        ("{home}", "is a folder"),
        ("{home}/not-sqlite.txt", "is not an SQLite index database"),
    ],
)
def test_index_commands__bad_database__one_line_exit_2(home, monkeypatch, database, says):
    (home / "not-sqlite.txt").write_text("hello, not a database\n" * 100)
    monkeypatch.setenv("TRUSTSPACE_INDEX", database.format(home=home))
    assert says in line(run("index", "status", code=2))


def test_index_run__database_path_under_a_file__one_line_says_what_to_do(home, monkeypatch):
    (home / "not-a-folder").write_text("a file\n")
    monkeypatch.setenv("TRUSTSPACE_INDEX", str(home / "not-a-folder" / "index.sqlite"))
    message = line(run("index", "run", "--network", "hub", "--once", code=2))
    assert "(File exists: " in message and "point TRUSTSPACE_INDEX at a file in a folder" in message


def test_index_commands__postgresql_not_answering__one_line_exit_3(home, monkeypatch):
    url = f"postgresql://indexer:secret@127.0.0.1:{free_port()}/index"
    monkeypatch.setenv("TRUSTSPACE_INDEX", url)
    message = line(run("index", "status", code=3))
    assert "cannot reach the index database" in message and "PostgreSQL server" in message
    assert "secret" not in message  # the password is never printed
    payload = document(run("index", "status", "--json", code=3))
    assert "cannot reach the index database" in payload["error"]


@pytest.mark.parametrize(
    "url",
    ["postgresql://indexer:secret@127.0.0.1:notaport/index",
     "postgresql://indexer:secret@127.0.0.1:99999/index"],
)  # fmt: skip
def test_index_commands__postgresql_url_with_a_bad_port__one_line_exit_2(home, monkeypatch, url):
    monkeypatch.setenv("TRUSTSPACE_INDEX", url)
    message = line(run("index", "run", "--network", "hub", "--once", code=2))
    assert "refused the connection" in message and "correct the user, password, port" in message
    assert "secret" not in message and "is the PostgreSQL server running" not in message
    assert "port" in document(run("index", "status", "--json", code=2))["error"]


@pytest.fixture(scope="module")
def postgres_server():
    with running_postgres() as server:
        yield server


def test_index_commands__postgresql_database_missing__one_line_exit_2(
    home, monkeypatch, postgres_server
):
    # trust authentication: the database name is what is wrong
    monkeypatch.setenv("TRUSTSPACE_INDEX", postgres_server.rsplit("/", 1)[0] + "/nosuch")
    message = line(run("index", "status", code=2))
    assert 'database "nosuch" does not exist' in message and "correct the user" in message


def test_index_run__postgresql_restarted_while_running__connects_again_and_goes_on(
    postgres_server,
):
    store = open_store(postgres_server)
    try:
        store.add_chain(31_482, "customs", 0, "0x" + "00" * 32)
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database()"
            )
        with pytest.raises(UnreachableError, match=r"the index database .* does not answer"):
            store.chain(31_482)  # the lost connection, said as such
        assert store.chain(31_482) is not None  # was: "the connection is closed" for good
        store.commit_step(31_482, 0, 3, [], [])
        assert store.chain(31_482).next_block == 3  # type: ignore[union-attr]
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute("DELETE FROM chains WHERE chain_id = 31482")
        store.close()


def test_index_run__chain_restarted_from_nothing_while_followed__refused_index_kept(home, caplog):
    port = free_port()
    spec = ChainSpec("restarting", 31_481, port)
    chain = start_chain(spec, record=False)
    store = open_store(str(home / "index.sqlite"))
    try:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        w3.provider.make_request("anvil_mine", ["0x5"])  # type: ignore[arg-type]
        follower = Follower(store, ChainSource(chain.url, w3))
        while not follower.step().caught_up:
            pass
        stop_pid(chain.pid)
        # The same port and chain id, another block 0 (anvil's genesis holds its start time,
        # the same within one second: the free-gas flags make it differ regardless).
        chain = start_chain(spec, record=False, free_gas=True)
        w3.provider.make_request("anvil_mine", ["0x2"])  # type: ignore[arg-type]
        with pytest.raises(IndexMismatchError, match=r"block 0 differs.*--reindex"):
            follower.step()  # was: a "reorg" to block 0 that silently emptied the index
        assert store.chain(31_481).next_block == 6  # type: ignore[union-attr]
        assert source.index_for(w3) is None  # the shorter new chain: read quietly, no warning
        assert "index not used" not in caplog.text
        payload = json.loads(run("index", "status", "--json", code=0).stdout)
        assert payload["chains"][0]["restarted"] is True and payload["chains"][0]["lag"] is None
        assert "--reindex" in run("index", "status", code=0).stdout
        again = Follower(store, ChainSource(chain.url, w3), reindex=True)
        assert again.step().restarted
        while not again.step().caught_up:
            pass
        assert store.chain(31_481).next_block == 3  # type: ignore[union-attr]
    finally:
        store.close()
        stop_pid(chain.pid)


def test_index_run__start_block_for_a_chain_already_indexed__says_it_is_not_used(home):
    chain = start_chain(ChainSpec("started", 31_483, free_port()), record=False)
    try:
        Web3(Web3.HTTPProvider(chain.url)).provider.make_request("anvil_mine", ["0x3"])  # type: ignore[arg-type]
        run("index", "run", "--network", chain.url, "--once", code=0)
        result = run("index", "run", "--network", chain.url, "--start-block", "2", "--once",
                     code=0)  # fmt: skip
        assert "--start-block 2 not used: the index holds this chain from block 0" in (
            result.stderr
        )  # was: silently ignored
    finally:
        stop_pid(chain.pid)


def test_index_run__ctrl_c_twice_while_a_node_hangs__stops_at_once_one_document(home, monkeypatch):
    def hanging_node(followers, *, should_stop, **options):
        os.kill(os.getpid(), signal.SIGINT)  # the first: stop after the step under way
        assert should_stop()
        os.kill(os.getpid(), signal.SIGINT)  # the second, while the step still waits
        raise AssertionError("not stopped at once")  # was: a wait of up to 76 s

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(follower_module, "follow", hanging_node)
    try:
        down = f"http://127.0.0.1:{free_port()}"
        result = run("index", "run", "--network", down, "--json", code=0)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    assert json.loads(result.stdout)["ok"] is True
    assert "Ctrl-C again stops at once" in result.stderr


def test_index_run__node_down_for_long__one_warning_then_answers_again(home, monkeypatch):
    def down_three_times_then_up(followers, *, warn, report, **options):
        for _attempt in range(3):
            warn("customs", ConnectionError("refused"))
            warn("tax", UnreachableError("the index database db does not answer: closed"))
        report(StepResult("customs", 1, 5, 6, 5))
        report(StepResult("tax", 2, 5, 6, 5))

    monkeypatch.setattr(follower_module, "follow", down_three_times_then_up)
    result = run("index", "run", "--network", f"http://127.0.0.1:{free_port()}", code=0)
    assert result.stderr.count("warning: customs: the node does not answer") == 1  # was 3
    assert "customs: the node answers again" in result.stderr
    # the database's failure is not blamed on the node
    assert result.stderr.count("warning: tax: the index database db does not answer") == 1
    assert "tax: indexing again" in result.stderr and "tax: the node" not in result.stderr


def test_index_run__bad_chunk_setting__one_line_exit_2(home, monkeypatch):
    monkeypatch.setenv("TRUSTSPACE_INDEX_CHUNK", "lots")
    assert "TRUSTSPACE_INDEX_CHUNK='lots'" in line(run("index", "run", "--network", "hub", code=2))
    monkeypatch.delenv("TRUSTSPACE_INDEX_CHUNK")
    assert "--chunk" in run("index", "run", "--chunk", "0", code=2).stderr


def test_index_run__bad_start_block__one_line_exit_2(home):
    down = f"http://127.0.0.1:{free_port()}"
    result = run("index", "run", "--network", down, "--start-block", "soon", code=2)
    assert "--start-block 'soon': give a block number" in line(result)
    result = run("index", "run", "--network", down, "--start-block", "tax=5", code=2)
    assert f"--start-block 'tax=5': no chain 'tax' is indexed ({down})" in line(result)
