"""A party's key-generation endpoints refuse what would change a session under way."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from trustspace.compute.party import Party

CUSTOMS, TAX = 1, 2


def _members(url):
    return [{"index": 1, "org": CUSTOMS, "url": url}, {"index": 2, "org": TAX, "url": url}]


def _run(party, script):
    async def main():
        async with TestClient(TestServer(party.app())) as http:
            return await script(http)

    return asyncio.run(main())


def test_dkg_start__while_a_session_is_open__refused_and_the_session_kept(tmp_path):
    party = Party(tmp_path, CUSTOMS, "passphrase")

    async def script(http):
        first = await http.post(
            "/dkg/start", json={"session": "s1", "threshold": 2, "parties": _members("http://x")}
        )
        second = await http.post(
            "/dkg/start", json={"session": "s2", "threshold": 2, "parties": _members("http://y")}
        )
        kept = await http.get("/dkg/commitments", params={"session": "s1"})
        return first.status, second.status, (await second.json())["error"], kept.status

    first, second, error, kept = _run(party, script)

    assert (first, second, kept) == (200, 409, 200)
    assert error == "a key generation session is already open on this party"


def test_dkg__threshold_below_2_malformed_body_or_unknown_dealer__refused_with_400(tmp_path):
    party = Party(tmp_path, CUSTOMS, "passphrase")

    async def script(http):
        answers = []
        for body in (
            {"session": "s1", "threshold": 1, "parties": _members("http://x")},
            {"session": "s1", "threshold": "two", "parties": _members("http://x")},
            {"session": "s1", "threshold": 2, "parties": [{"org": CUSTOMS}]},
        ):
            resp = await http.post("/dkg/start", json=body)
            answers.append((resp.status, (await resp.json())["error"]))
        start = {"session": "s1", "threshold": 2, "parties": _members("http://x")}
        assert (await http.post("/dkg/start", json=start)).status == 200
        for body in (
            {"session": "s1", "dealer": 7, "share": "0x1"},
            {"session": "s1", "dealer": 1, "share": "0x1"},
            {"session": "s1", "dealer": 2, "share": "not hex"},
        ):
            resp = await http.post("/dkg/share", json=body)
            answers.append((resp.status, (await resp.json())["error"]))
        return answers

    answers = _run(party, script)

    assert answers == [
        (400, "a threshold below 2 lets one party decrypt alone"),
        (400, "send {session, threshold, parties: [{index, org, url}]}"),
        (400, "send {session, threshold, parties: [{index, org, url}]}"),
        (400, "dealer 7 is not another party of this session"),
        (400, "dealer 1 is not another party of this session"),
        (400, "send {session, dealer, share}"),
    ]
