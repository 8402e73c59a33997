"""Attacks on the privacy computations (trustspace.compute), one named test per class.

A coalition below the threshold interpolating its shares, a contributor who copies or
transforms another agency's ciphertext so that the published total reveals it, and a
party that sends a forged partial decryption; a party's HTTP endpoints (an aggregate over
one agency or a duplicate, a contribution put first by someone else, key generation replayed
after it finished) through aiohttp's test server with a stand-in chain. (A party used as a decryption oracle for one
agency's ciphertext, and a contribution altered after its digest was recorded, need real
processes and a chain: tests/integration/test_compute_parties.py.)
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies.compute import committees
from trustspace.compute import dkg
from trustspace.compute.documents import (
    DocumentError,
    aggregate_document,
    check_contribution,
    ciphertexts_of,
    digest,
    encrypt_contribution,
    key_document,
)
from trustspace.compute.elgamal import Ciphertext, dlog_table, encrypt
from trustspace.compute.group import Point
from trustspace.compute.keystore import save_share
from trustspace.compute.party import Party
from trustspace.compute.threshold import (
    BadShareError,
    PartialDecryption,
    combine,
    decrypt_with,
    partial_decrypt,
)

BOUND = 2**20  # test-only table; the scheme and the curve are the real ones
BITS = 8  # test-only proof width


@settings(max_examples=5)
@given(committee=committees().filter(lambda c: c[1] >= 2), value=st.integers(0, BOUND - 1))
def test_coalition_below_threshold__every_k_minus_1_subset__recovers_nothing(committee, value):
    n, k = committee
    shares = dkg.run_in_process(list(range(1, n + 1)), k)
    ct = encrypt(shares[1].public_key, value)
    partials = {j: partial_decrypt(j, shares[j].secret, ct) for j in shares}
    table = dlog_table(BOUND)

    for coalition in itertools.combinations(sorted(shares), k - 1):
        point = combine(ct, [partials[j] for j in coalition])
        assert point != Point.base_times(value)
        assert table.solve(point) is None  # 2^-236 chance of a false hit per subset
    assert table.solve(combine(ct, [partials[j] for j in range(1, k + 1)])) == value


@functools.cache
def _joint_key():
    # Not a fixture: a module-scoped fixture first set up inside a function-isolated test
    # leaves titanoboa's fixture anchor behind ape's snapshot, which breaks the session's
    # teardown ("No checkpoint N was found").
    return dkg.run_in_process([1, 2, 3], 2)[1].public_key


@settings(max_examples=5)
@given(victim=st.integers(0, 2**BITS - 1), mine=st.integers(0, 2**BITS - 1))
def test_rogue_contribution__copied_or_transformed_from_another_agency__refused(victim, mine):
    """Tax wants customs' figure: it submits customs' ciphertext as its own, or customs'
    minus its own encrypted figures, so that the published total would reveal it."""
    key = _joint_key()
    customs = encrypt_contribution(1, 1, key, [victim], BITS)
    own = encrypt_contribution(1, 2, key, [mine], BITS)
    c, o = ciphertexts_of(customs)[0], ciphertexts_of(own)[0]
    copied = {**customs, "org": 2}
    subtracted = {**own, "ciphertexts": [Ciphertext(c.c1 - o.c1, c.c2 - o.c2).to_json()]}
    negated = {**own, "ciphertexts": [Ciphertext(-c.c1, -c.c2).to_json()]}

    for rogue in (copied, subtracted, negated):
        with pytest.raises(DocumentError, match=r"^value #0 has an invalid range proof$"):
            check_contribution(rogue, key, BITS)
    check_contribution(own, key, BITS)


@settings(max_examples=5)
@given(shift=st.integers(1, 2**64), value=st.integers(0, BOUND - 1))
def test_forged_partial_decryption__any_shifted_share__rejected_naming_the_party(shift, value):
    shares = dkg.run_in_process([1, 2, 3], 2)
    ct = encrypt(shares[1].public_key, value)
    honest = partial_decrypt(2, shares[2].secret, ct)
    forged = PartialDecryption(2, honest.share + Point.G * shift, honest.challenge, honest.response)
    partials = {1: [partial_decrypt(1, shares[1].secret, ct)], 2: [forged]}

    with pytest.raises(
        BadShareError, match=r"^party 2's partial decryption #0 has an invalid proof$"
    ):
        decrypt_with([ct], partials, shares[1].verification_keys, 2, BOUND)
    partials[2] = [honest]
    assert decrypt_with([ct], partials, shares[1].verification_keys, 2, BOUND) == [value]


# -- a party's HTTP endpoints (aiohttp's test server, a stand-in for the chain) ------------

CID, CUSTOMS, TAX, FOREX = 5, 1, 2, 3
PASSPHRASE = "attack test passphrase"


class FakeChain:
    """What a party reads from Computations: the record, and contribution digests."""

    def __init__(self, participants, contributions=None, aggregate=None):
        self.participants = participants
        self.contributions = dict(contributions or {})
        self.aggregate = aggregate

    def record(self, computation):
        return {
            "participants": list(self.participants),
            "contributions": len(self.contributions),
            "aggregate_digest": b"\x00" * 32 if self.aggregate is None else digest(self.aggregate),
        }

    def contribution_of(self, computation, org):
        doc = self.contributions.get(org)
        return b"\x00" * 32 if doc is None else digest(doc)


def _serve(party, script):
    """Run ``script(client)`` against ``party``'s app on an aiohttp test server."""

    async def main():
        async with TestClient(TestServer(party.app())) as http:
            return await script(http)

    return asyncio.run(main())


@pytest.fixture
def committee3():
    shares = dkg.run_in_process([1, 2, 3], 2)
    vks = shares[1].verification_keys
    orgs = {1: CUSTOMS, 2: TAX, 3: FOREX}
    key = key_document(2, shares[1].public_key, {j: (orgs[j], vks[j]) for j in vks})
    return shares, key


@pytest.fixture
def customs_party(tmp_path, committee3):
    shares, key = committee3
    save_share(tmp_path / "key.json", shares[1], PASSPHRASE, {"org": CUSTOMS, "key": key})
    return tmp_path, key


def test_aggregate__recorded_over_one_agency_or_a_duplicate__party_refuses_to_decrypt(
    customs_party,
):
    """A chain (or a contract before the fix) records an 'aggregate' over forex alone, over
    two of three contributions, or over tax's contribution twice: customs' party decrypts
    none of them, so no published total is one agency's figure."""
    home, key = customs_party
    public = Point.from_hex(key["public_key"])
    docs = {o: encrypt_contribution(CID, o, public, [10 * o], BITS) for o in (CUSTOMS, TAX, FOREX)}
    one = aggregate_document(CID, [docs[FOREX]])
    two = aggregate_document(CID, [docs[CUSTOMS], docs[TAX]])
    dup = aggregate_document(CID, [docs[TAX], docs[TAX]])
    everyone = aggregate_document(CID, list(docs.values()))
    cases = [
        ({FOREX: docs[FOREX]}, one, "an aggregate of fewer than 2 contributions is one agency's"),
        (docs, two, "the aggregate does not cover exactly the contributions on chain"),
        ({TAX: docs[TAX], FOREX: docs[FOREX]}, dup, "the aggregate names organisations not"),
    ]
    chain = FakeChain([CUSTOMS, TAX, FOREX])
    party = Party(home, CUSTOMS, PASSPHRASE, chain)

    async def script(http):
        seen = []
        for recorded, aggregate, _ in cases:
            chain.contributions, chain.aggregate = recorded, aggregate
            bundle = {"aggregate": aggregate, "contributions": list(docs.values())}
            put = await http.put(f"/computations/{CID}/aggregate", json=bundle)
            partial = await http.post(f"/computations/{CID}/partial", json={})
            seen.append((put.status, (await put.json())["error"], partial.status))
        chain.contributions, chain.aggregate = docs, everyone
        bundle = {"aggregate": everyone, "contributions": list(docs.values())}
        ok = await http.put(f"/computations/{CID}/aggregate", json=bundle)
        return seen, ok.status

    seen, honest = _serve(party, script)

    for (status, error, partial), (_, _, reason) in zip(seen, cases, strict=True):
        assert (status, partial) == (409, 409)
        assert error.startswith(reason)
    assert honest == 200


def test_put_contribution__sent_before_the_organisation_records_its_own__refused(customs_party):
    """Someone reaches customs' party first with a document of their making, to block the
    contribution customs will record: only the document whose digest customs recorded on
    chain is kept."""
    home, key = customs_party
    public = Point.from_hex(key["public_key"])
    own = encrypt_contribution(CID, CUSTOMS, public, [7], BITS)
    squatter = encrypt_contribution(CID, CUSTOMS, public, [0], BITS)
    chain = FakeChain([CUSTOMS, TAX, FOREX])
    party = Party(home, CUSTOMS, PASSPHRASE, chain)

    async def script(http):
        first = await http.put(f"/computations/{CID}/contribution", json=squatter)
        chain.contributions = {CUSTOMS: own}
        again = await http.put(f"/computations/{CID}/contribution", json=squatter)
        mine = await http.put(f"/computations/{CID}/contribution", json=own)
        return first.status, (await first.json())["error"], again.status, mine.status

    first, error, again, mine = _serve(party, script)

    assert (first, again, mine) == (409, 409, 200)
    assert error == (
        "not the contribution recorded on chain for organisation 1: record its digest first"
    )
    assert json.loads((home / "contributions" / f"{CID}.json").read_text()) == own


def test_dkg__endpoints_replayed_after_completion__refused_and_key_file_unchanged(tmp_path):
    """Two parties finish key generation over HTTP; replaying start, share, check, gather or
    complete afterwards neither opens a session nor writes another key over key.json."""
    homes = [tmp_path / "customs", tmp_path / "tax"]
    parties = [Party(homes[0], CUSTOMS, PASSPHRASE), Party(homes[1], TAX, PASSPHRASE)]

    async def script():
        servers = [TestServer(p.app()) for p in parties]
        clients = [TestClient(s) for s in servers]
        for c in clients:
            await c.start_server()
        try:
            members = [
                {"index": i, "org": p.org, "url": str(s.make_url("")).rstrip("/")}
                for i, (p, s) in enumerate(zip(parties, servers, strict=True), 1)
            ]
            session = {"session": "s1"}
            start = {**session, "threshold": 2, "parties": members}
            for phase, body in (
                ("start", start), ("deal", session), ("check", session), ("gather", session)
            ):  # fmt: skip
                for c in clients:
                    assert (await c.post(f"/dkg/{phase}", json=body)).status == 200
            keys = [await (await c.post("/dkg/complete", json=session)).json() for c in clients]
            before = [(h / "key.json").read_bytes() for h in homes]
            replayed = []
            for path, body in (
                ("/dkg/start", start),
                ("/dkg/share", {**session, "dealer": 2, "share": hex(12345)}),
                ("/dkg/check", session),
                ("/dkg/gather", session),
            ):
                replayed.append((await clients[0].post(path, json=body)).status)
            commitments = await clients[0].get("/dkg/commitments", params=session)
            replayed.append(commitments.status)
            again = await (await clients[0].post("/dkg/complete", json=session)).json()
            return keys, before, replayed, again
        finally:
            for c in clients:
                await c.close()

    keys, before, replayed, again = asyncio.run(script())

    assert keys[0]["key"] == keys[1]["key"]
    assert replayed == [409, 409, 409, 409, 409]
    assert again["key"] == keys[0]["key"]
    assert [(h / "key.json").read_bytes() for h in homes] == before
