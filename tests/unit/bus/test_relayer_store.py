"""The relayer's SQLite store shared by its destination threads (issue 14)."""

from __future__ import annotations

import threading

import pytest

from trustspace.bus.store import DELIVERED, FOREIGN, PENDING, RelayStore

ORIGIN, DESTINATIONS = 31337, (31338, 31339)
PER_DESTINATION = 60


def scanned(store: RelayStore) -> list[tuple[int, int]]:
    """Messages 0..119 of ORIGIN, alternately for each destination, recorded as one scan."""
    rows = []
    for nonce in range(PER_DESTINATION * len(DESTINATIONS)):
        dest = DESTINATIONS[nonce % len(DESTINATIONS)]
        rows.append((nonce, nonce.to_bytes(32, "big"), dest, b"raw", 1, PENDING))
    store.record_scan(ORIGIN, 2, rows)
    return [(nonce, dest) for nonce, _id, dest, _raw, _block, _state in rows]


def test_relay_store__destination_threads_settle_at_once__every_change_kept(tmp_path):
    store = RelayStore(tmp_path / "relay.sqlite")
    messages = scanned(store)
    errors: list[BaseException] = []

    def serve(dest: int) -> None:
        try:
            for nonce in [n for n, d in messages if d == dest]:
                due = store.due(ORIGIN, dest, PENDING, 500)
                assert any(m.nonce == nonce for m in due)
                store.settle(
                    f"0x{dest:x}{nonce:060x}", "mined", {(ORIGIN, nonce): (DELIVERED, None)}
                )
                assert store.attempts(ORIGIN, nonce) == 0
        except BaseException as err:  # reported to the test's thread
            errors.append(err)

    threads = [threading.Thread(target=serve, args=(dest,)) for dest in DESTINATIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.counts() == {DELIVERED: len(messages)}
    assert len(store.latencies()) == len(messages)
    store.close()


def test_relay_store__change_fails_midway__nothing_of_it_kept(tmp_path):
    store = RelayStore(tmp_path / "relay.sqlite")
    scanned(store)
    with pytest.raises(RuntimeError, match="killed midway"), store.transaction() as db:
        db.execute("UPDATE messages SET state = ? WHERE nonce = 0", (DELIVERED,))
        raise RuntimeError("killed midway")
    assert store.counts() == {PENDING: PER_DESTINATION * len(DESTINATIONS)}
    # The lock is free again: the next change from another thread goes through.
    done = threading.Thread(target=store.settle, args=(None, "", {(ORIGIN, 0): (DELIVERED, None)}))
    done.start()
    done.join(10)
    assert store.counts() == {DELIVERED: 1, PENDING: PER_DESTINATION * len(DESTINATIONS) - 1}
    store.close()


def test_relay_store__foreign_messages_of_a_chain_now_served__adopted_as_pending(tmp_path):
    # A relayer scanned messages for a chain it did not serve (kept as foreign); restarted
    # with that chain configured, it must deliver them, and only them.
    store = RelayStore(tmp_path / "relay.sqlite")
    rows = [
        (nonce, nonce.to_bytes(32, "big"), dest, bytes([dest % 256]), 1, FOREIGN)
        for nonce, dest in enumerate((31340, 31341, 31340))
    ]
    store.record_scan(ORIGIN, 2, rows)
    adopted = store.adopt(lambda raw: raw == bytes([31340 % 256]))
    assert adopted == 2
    assert [m.nonce for m in store.due(ORIGIN, 31340, PENDING, 10)] == [0, 2]
    assert store.counts() == {PENDING: 2, FOREIGN: 1}
    assert store.adopt(lambda raw: raw == bytes([31340 % 256])) == 0  # nothing twice
    store.close()
