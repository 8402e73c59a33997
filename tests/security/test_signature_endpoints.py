"""Issue 11, finding 2: hostile signature endpoints (validators on separate machines).

Relayers read every endpoint an organisation announces. A hostile one may hang before
answering, drip bytes forever, send gigabytes (announced or not), garbage, deeply nested
JSON, redirects, or genuine-looking entries for keys that are not its own. Each test
puts such a server beside an honest validator's :class:`SignatureServer` and checks that
the relayer's source still yields the genuine checkpoint with its signatures, and that
the hostile endpoint is recorded as failed and backed off.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web
from eth_account import Account
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from tests.utils.hostile_http import (
    HostileServer,
    deep,
    drip,
    garbage,
    huge_announced,
    huge_chunked,
    nan,
    redirect,
    slow,
)
from trustspace.bus.announced import Endpoint, FetchLimits, HttpSignatures
from trustspace.bus.checkpoint import Checkpoint, sign_checkpoint
from trustspace.bus.publish import SignatureServer
from trustspace.bus.signatures import SignatureEntry, SignatureStore

ORIGIN = 31338
BUS = to_checksum_address("0x00000000000000000000000000000000000b0515")
HONEST = [Account.from_key(keccak(text=f"endpoint validator {i}")) for i in range(3)]
HOSTILE = Account.from_key(keccak(text="hostile endpoint validator"))
GENUINE = Checkpoint(ORIGIN, BUS, keccak(b"real root"), 9)
HOSTILE_ORG = 5
LIMITS = FetchLimits(timeout=1.0, max_bytes=64 * 1024, max_entries=64)


def victim_entries_with_high_s_twin() -> list[dict]:
    """Genuine-looking entries for honest keys, served by the hostile organisation: a
    high-s twin (which the bus refuses) and a valid copy of an honest signature."""
    genuine = sign_checkpoint(GENUINE, HONEST[0].key)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(genuine[32:64], "big")
    twin = genuine[:32] + (n - s).to_bytes(32, "big") + bytes([55 - genuine[64]])
    copy = SignatureEntry(GENUINE, HONEST[0].address, genuine).to_json()
    return [{**copy, "signature": "0x" + twin.hex()}, copy]


async def impersonating(request):
    decoy = Checkpoint(ORIGIN, BUS, keccak(b"fake root"), GENUINE.index)
    own = SignatureEntry(decoy, HOSTILE.address, sign_checkpoint(decoy, HOSTILE.key)).to_json()
    body: dict[str, list[object]] = {
        "signatures": [*victim_entries_with_high_s_twin(), own, [], None, "x"]
    }
    return web.json_response(body)


HOSTILE_HANDLERS = {
    "slow": slow,
    "drip": drip,
    "huge announced": huge_announced,
    "huge chunked": huge_chunked,
    "garbage": garbage,
    "deep nesting": deep,
    "NaN": nan,
    "redirect": redirect,
}


@pytest.fixture
def honest_servers(tmp_path) -> Iterator[list[SignatureServer]]:
    """Three validators, each with its own folder and its own HTTP endpoint."""
    servers = []
    for i, key in enumerate(HONEST):
        store = SignatureStore(tmp_path / f"validator-{i}")
        store.publish(GENUINE, key.address, sign_checkpoint(GENUINE, key.key))
        server = SignatureServer(store, key.address, "127.0.0.1", 0)
        server.start()
        servers.append(server)
    yield servers
    for server in servers:
        server.stop()


def source(honest: list[SignatureServer], hostile_url: str) -> HttpSignatures:
    endpoints = [Endpoint(s.url, org) for org, s in enumerate(honest, start=1)]
    endpoints.append(Endpoint(hostile_url, HOSTILE_ORG))
    keys = {k.address: org for org, k in enumerate(HONEST, start=1)}
    keys[HOSTILE.address] = HOSTILE_ORG
    return HttpSignatures(lambda: endpoints, lambda origin: keys, LIMITS, min_interval=0.0)


def read_in_thread(src: HttpSignatures) -> dict[Checkpoint, set[str]]:
    """Read once; a reader that hangs fails the test instead of hanging the suite."""
    result: dict[Checkpoint, set[str]] = {}

    def run() -> None:
        for signed in src.checkpoints(ORIGIN, 0, 100):
            result[signed.checkpoint] = set(signed.signatures)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the relayer's read hung on a hostile endpoint"
    return result


@pytest.mark.parametrize("handler", HOSTILE_HANDLERS.values(), ids=HOSTILE_HANDLERS.keys())
def test_signature_endpoint__hostile_server__genuine_signatures_still_gathered(
    honest_servers, handler
):
    hostile = HostileServer(handler)
    try:
        src = source(honest_servers, hostile.url)
        groups = read_in_thread(src)
        assert groups[GENUINE] == {k.address for k in HONEST}
        state = src.state[hostile.url]
        assert state.failures == 1 and state.next_try > 0  # recorded and backed off
        groups = read_in_thread(src)  # backing off: not fetched again, genuine still there
        assert groups[GENUINE] == {k.address for k in HONEST}
        assert src.state[hostile.url].failures == 1
    finally:
        hostile.close()


def test_signature_endpoint__entries_for_other_organisations_keys__not_counted(honest_servers):
    hostile = HostileServer(impersonating)
    try:
        # Only the first honest endpoint is up: the hostile one must not add anything to it.
        src = source(honest_servers[:1], hostile.url)
        groups = read_in_thread(src)
        assert groups[GENUINE] == {HONEST[0].address}
        decoys = [cp for cp in groups if cp != GENUINE]
        assert all(groups[cp] == {HOSTILE.address} for cp in decoys)  # grouped apart
        assert src.state[hostile.url].failures == 0  # an answer, with bad entries ignored
    finally:
        hostile.close()


def test_signature_server__serves_only_its_own_verified_signatures(tmp_path):
    store = SignatureStore(tmp_path)
    key = HONEST[0]
    store.publish(GENUINE, key.address, sign_checkpoint(GENUINE, key.key))
    store.publish(GENUINE, HONEST[1].address, sign_checkpoint(GENUINE, HONEST[1].key))
    later = Checkpoint(ORIGIN, BUS, keccak(b"later"), 12)
    store.publish(later, key.address, sign_checkpoint(later, HOSTILE.key))  # corrupt: not its
    server = SignatureServer(store, key.address, "127.0.0.1", 0)
    server.start()
    try:
        import urllib.request

        with urllib.request.urlopen(f"{server.url}/v1/signatures/{ORIGIN}?min_index=5") as r:
            body = json.loads(r.read())
        with urllib.request.urlopen(f"{server.url}/v1/signatures/{ORIGIN}?min_index=10") as r:
            empty = json.loads(r.read())
    finally:
        server.stop()
    assert body["signer"] == key.address and body["origin"] == ORIGIN
    assert body["signatures"] == [
        SignatureEntry(GENUINE, key.address, store_sig(store, key)).to_json()
    ]
    assert empty["signatures"] == []


def store_sig(store: SignatureStore, key) -> bytes:
    (entry,) = list(store.own(key.address, ORIGIN))
    return entry.signature
