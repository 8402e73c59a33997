"""The index store on SQLite without a chain: one step is one transaction, a rewind undoes
exactly the blocks above the ancestor, logs are decoded by the shipped ABIs or kept raw."""

from __future__ import annotations

import pytest
from eth_abi import encode
from web3 import Web3

from trustspace.errors import InputError
from trustspace.index.decode import decode_event, row_of, topic_of
from trustspace.index.source import topic
from trustspace.index.store import BlockRow, LogRow, Store, describe_target, open_store

CHAIN = 7


def _log(block: int, index: int, topics: tuple[str, ...] = ("0x" + "01" * 32,)) -> LogRow:
    return LogRow(CHAIN, block, index, f"0x{block:064x}", "0x" + "ee" * 32, 0, "0x" + "aa" * 20,
                  topics, "0x")  # fmt: skip


@pytest.fixture
def store(tmp_path) -> Store:
    s = open_store(str(tmp_path / "index.sqlite"))
    s.add_chain(CHAIN, "test", 0, "0x" + "00" * 32)
    return s


def _cursor(store: Store) -> int:
    row = store.chain(CHAIN)
    assert row is not None
    return row.next_block


def test_commit_step__blocks_logs_and_cursor__stored_together(store):
    store.commit_step(CHAIN, 0, 10, [BlockRow(9, "0x09", "0x08", True)], [_log(9, 0), _log(9, 1)])
    assert _cursor(store) == 10 and store.log_count(CHAIN) == 2
    assert store.block(CHAIN, 9) == BlockRow(9, "0x09", "0x08", True)


def test_commit_step__a_log_stored_twice__whole_step_rolled_back(store):
    store.commit_step(CHAIN, 0, 10, [], [_log(9, 0)])
    with pytest.raises(Exception, match="UNIQUE"):
        store.commit_step(CHAIN, 10, 20, [BlockRow(19, "0x19", None, True)], [_log(15, 0),
                                                                             _log(9, 0)])  # fmt: skip
    assert _cursor(store) == 10 and store.log_count(CHAIN) == 1
    assert store.block(CHAIN, 19) is None


def test_commit_step__cursor_moved_by_another_follower__refused_nothing_written(store):
    store.commit_step(CHAIN, 0, 10, [], [])
    with pytest.raises(InputError, match="cursor moved"):
        store.commit_step(CHAIN, 0, 5, [], [_log(3, 0)])
    assert _cursor(store) == 10 and store.log_count(CHAIN) == 0


def test_rewind__reorg_above_block_5__later_logs_and_blocks_gone(store):
    blocks = [BlockRow(n, f"0x{n:02x}", None, True) for n in range(10)]
    store.commit_step(CHAIN, 0, 10, blocks, [_log(n, 0) for n in range(10)])
    assert store.rewind(CHAIN, 5) == 4
    assert _cursor(store) == 6 and store.log_count(CHAIN) == 6
    assert store.block(CHAIN, 6) is None and store.block(CHAIN, 5) is not None


def test_select_logs__topic_and_address_filters__only_matches_in_chain_order(store):
    a, b = "0x" + "01" * 32, "0x" + "02" * 32
    store.commit_step(CHAIN, 0, 10, [], [_log(4, 1, (b,)), _log(2, 0, (a,)), _log(4, 0, (a,))])
    assert [(r.block_number, r.log_index) for r in store.select_logs(CHAIN, 0, 9)] == [
        (2, 0), (4, 0), (4, 1)
    ]  # fmt: skip
    assert [r.block_number for r in store.select_logs(CHAIN, 3, 9, topics=[[a]])] == [4]
    assert store.select_logs(CHAIN, 0, 9, addresses=["0x" + "bb" * 20]) == []


def test_decode__notary_attested__named_arguments(store):
    notary_topic = topic("Attested")
    record, digest = b"\x01" * 32, b"\x02" * 32
    data = encode(["address", "uint32", "uint40"], ["0x" + "ab" * 20, 3, 0])
    topics = [notary_topic, "0x" + record.hex(), "0x" + digest.hex(), "0x" + "00" * 31 + "05"]
    name, args = decode_event(topics, data) or ("", {})
    assert name == "Attested"
    assert args == {"id": "0x" + record.hex(), "digest": "0x" + digest.hex(), "orgId": 5,
                    "attester": "0x" + "ab" * 20, "schemaId": 3, "expiresAt": 0}  # fmt: skip


def test_decode__unknown_event_or_wrong_layout__kept_raw():
    unknown = "0x" + Web3.keccak(text="Transfer(address,address,uint256)").hex().removeprefix("0x")
    assert decode_event([unknown], b"") is None
    assert decode_event([topic("Attested")], b"\x00") is None  # topics do not fit
    log = {"topics": [unknown], "data": "0x", "blockNumber": 1, "logIndex": 0,
           "blockHash": "0x" + "11" * 32, "transactionHash": "0x" + "22" * 32,
           "transactionIndex": 0, "address": "0x" + "AB" * 20}  # fmt: skip
    row = row_of(CHAIN, log)
    assert row.event is None and row.args is None and row.address == "0x" + "ab" * 20


def test_topic_of__event_abi__keccak_of_signature():
    event = {"name": "Derived", "inputs": [{"type": "bytes32"}, {"type": "bytes32"}]}
    assert (
        topic_of(event)
        == topic("Derived")
        == Web3.keccak(text="Derived(bytes32,bytes32)").to_0x_hex()
    )


def test_describe_target__postgresql_password__hidden():
    assert describe_target("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert describe_target("state/index.sqlite") == "state/index.sqlite"


def test_to_web3_log__stored_attested__web3_and_ape_decode_it():
    from ape import networks
    from web3 import Web3 as Offline

    from trustspace.artifacts import abi, contract_type
    from trustspace.index.source import to_web3_log

    data = "0x" + encode(["address", "uint32", "uint40"], ["0x" + "ab" * 20, 3, 0]).hex()
    topics = (topic("Attested"), "0x" + "01" * 32, "0x" + "02" * 32, "0x" + "00" * 31 + "05")
    log = to_web3_log(LogRow(CHAIN, 5, 0, "0x" + "11" * 32, "0x" + "22" * 32, 0,
                             "0x" + "ab" * 20, topics, data))  # fmt: skip
    by_web3 = Offline().eth.contract(abi=abi("Notary")).events.Attested().process_log(log)
    assert by_web3["args"]["orgId"] == 5 and by_web3["args"]["id"] == b"\x01" * 32
    event = contract_type("Notary").events["Attested"]
    (by_ape,) = networks.ethereum.decode_logs([dict(log)], event)
    assert by_ape.orgId == 5 and by_ape.schemaId == 3 and by_ape.block_number == 5
    wrong = to_web3_log(LogRow(CHAIN, 5, 0, "0x" + "11" * 32, "0x" + "22" * 32, 0,
                               "0x" + "ab" * 20, (topic("Derived"), *topics[1:3]), "0x"))  # fmt: skip
    assert list(networks.ethereum.decode_logs([dict(wrong)], event)) == []
