"""Compute parties as real processes on 127.0.0.1, the trail on anvil (JSON-RPC, logs).

The demo runs end to end (three agency processes, one offline before decryption);
then a contribution altered at its party after its digest was recorded is named, and a
party refuses to decrypt an aggregate that would reveal one agency's figures.
"""

from __future__ import annotations

import json

import pytest

from trustspace.compute import client, flow
from trustspace.compute.documents import aggregate_document, contribution_document, digest
from trustspace.compute.elgamal import encrypt
from trustspace.compute.group import Point
from trustspace.compute.records import ComputationRecords
from trustspace.consortium.constants import OrgKind
from trustspace.consortium.governance import OrgSeed, deploy_consortium
from trustspace.devnet.demo_compute import FIGURES, parties, run_compute_demo

pytestmark = pytest.mark.anvil

CUSTOMS, TAX, FOREX, MINISTRY = 1, 2, 3, 4


def _suite(project, deployer, customs_admin, tax_admin, forex_admin, ministry_admin):
    consortium = deploy_consortium(
        project,
        deployer,
        [
            OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed("Tax", OrgKind.TAX, [tax_admin]),
            OrgSeed("Foreign Exchange", OrgKind.FOREX, [forex_admin]),
            OrgSeed("Ministry", OrgKind.MINISTRY, [ministry_admin]),
        ],
        threshold=2,
    )
    return deployer.deploy(project.Computations, consortium)


def test_demo__three_agency_processes_one_offline__publishes_the_sector_totals_and_its_trail(
    project, networks, deployer, customs_admin, tax_admin, forex_admin, ministry_admin, tmp_path
):
    with networks.parse_network_choice("ethereum:local:foundry"):
        computations = _suite(
            project, deployer, customs_admin, tax_admin, forex_admin, ministry_admin
        )
        agencies = {
            "customs": (CUSTOMS, customs_admin),
            "tax": (TAX, tax_admin),
            "forex": (FOREX, forex_admin),
        }

        result = run_compute_demo(computations, agencies, (MINISTRY, ministry_admin), tmp_path)

    assert result.totals == result.expected == [sum(c) for c in zip(*FIGURES.values(), strict=True)]
    assert result.share_orgs == [CUSTOMS, TAX]
    steps = [(e.step, e.org) for e in result.trail]
    assert steps == [
        ("Opened", MINISTRY),
        ("Contributed", CUSTOMS),
        ("Contributed", TAX),
        ("Contributed", FOREX),
        ("Aggregated", MINISTRY),
        ("Shared", CUSTOMS),
        ("Shared", TAX),
        ("Published", MINISTRY),
    ]
    assert result.trail[-1].detail == {"totals": result.totals, "share_orgs": [CUSTOMS, TAX]}
    assert result.trail[1].account == customs_admin.address


def test_parties__contribution_altered_after_its_digest__named_and_no_oracle(
    project, networks, deployer, customs_admin, tax_admin, forex_admin, ministry_admin, tmp_path
):
    with networks.parse_network_choice("ethereum:local:foundry") as provider:
        computations = _suite(
            project, deployer, customs_admin, tax_admin, forex_admin, ministry_admin
        )
        records = ComputationRecords(computations)
        chain = (provider.uri, computations.address)
        with parties(tmp_path, [CUSTOMS, TAX, FOREX], "test passphrase", chain) as running:
            urls = {p.org: p.url for p in running}
            key = client.keygen(list(urls.values()), 2).key
            with pytest.raises(client.PartyRefused, match=r"already holds a key share"):
                client.keygen(list(urls.values()), 2)  # nobody on 127.0.0.1 replaces a key
            cid = records.open(ministry_admin, [CUSTOMS, TAX, FOREX], 2, digest(key), "x")
            for org, account in ((CUSTOMS, customs_admin), (TAX, tax_admin), (FOREX, forex_admin)):
                flow.contribute(records, account, cid, urls[org], key, org, [10 * org])
            forex = client.call(urls[FOREX], "GET", f"/computations/{cid}/contribution")
            kept = tmp_path / f"party-{TAX}" / "contributions" / f"{cid}.json"
            altered = contribution_document(
                cid, TAX, [encrypt(Point.from_hex(key["public_key"]), 999)]
            )
            kept.write_text(json.dumps(altered))

            with pytest.raises(
                client.PartyRefused,
                match=r"^organisation 2's contribution at .* differs from the digest recorded on chain",
            ):
                flow.aggregate(records, ministry_admin, cid, key, urls)

            # A party decrypts nothing but the aggregate recorded on chain: handed forex's
            # contribution alone as an "aggregate", customs refuses it and has nothing to decrypt.
            alone = {"aggregate": aggregate_document(cid, [forex]), "contributions": [forex]}
            with pytest.raises(
                client.PartyRefused,
                match=r"not the aggregate recorded on chain for this computation$",
            ):
                client.call(urls[CUSTOMS], "PUT", f"/computations/{cid}/aggregate", alone)
            with pytest.raises(
                client.PartyRefused,
                match=r"no checked aggregate for this computation: send it first$",
            ):
                client.call(urls[CUSTOMS], "POST", f"/computations/{cid}/partial", {})


def test_keygen__a_dealer_sends_a_wrong_share__named_by_complaint_and_disqualified(tmp_path):
    """Key generation between three processes where dealer 3's share to party 1 is wrong
    (overwritten before the check, as a cheating dealer would send it): party 1 complains,
    every party disqualifies dealer 3 and derives the same key from dealers 1 and 2."""
    with parties(tmp_path, [CUSTOMS, TAX, FOREX], "test passphrase") as running:
        urls = [p.url for p in running]
        members = [{"index": i, "org": p.org, "url": p.url} for i, p in enumerate(running, 1)]
        session = {"session": "s1"}
        for url in urls:
            client.call(url, "POST", "/dkg/start", {**session, "threshold": 2, "parties": members})
        for url in urls:
            client.call(url, "POST", "/dkg/deal", session)
        client.call(urls[0], "POST", "/dkg/share", {**session, "dealer": 3, "share": hex(12345)})
        complaints = [client.call(url, "POST", "/dkg/check", session)["complaints"] for url in urls]
        for url in urls:
            client.call(url, "POST", "/dkg/gather", session)
        done = [client.call(url, "POST", "/dkg/complete", session) for url in urls]

    assert complaints == [[3], [], []]
    assert [d["disqualified"] for d in done] == [[3], [3], [3]]
    assert done[0]["key"] == done[1]["key"] == done[2]["key"]
