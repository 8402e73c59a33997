"""Contributions carry range proofs; decryption shares are checked and their sender named."""

from __future__ import annotations

import pytest

from trustspace.compute import dkg
from trustspace.compute.client import PartyRefused, decrypt_aggregate, recheck_totals
from trustspace.compute.documents import (
    DocumentError,
    aggregate_document,
    check_contribution,
    ciphertexts_of,
    digest,
    encrypt_contribution,
    key_document,
    max_range_bits,
)
from trustspace.compute.group import Point
from trustspace.compute.threshold import PartialDecryption, partial_decrypt

CID, CUSTOMS, TAX, FOREX = 7, 1, 2, 3
BITS = 8  # test-only: narrow proofs keep the module fast; the CLI and the demo use 24


@pytest.fixture(scope="module")
def committee():
    shares = dkg.run_in_process([1, 2, 3], 2)
    orgs = {1: CUSTOMS, 2: TAX, 3: FOREX}
    vks = shares[1].verification_keys
    key = key_document(2, shares[1].public_key, {j: (orgs[j], vks[j]) for j in vks})
    return shares, key


def _contribution(key, org, values, bits=BITS):
    return encrypt_contribution(CID, org, Point.from_hex(key["public_key"]), values, bits)


def test_check_contribution__honest_values__accepted(committee):
    _, key = committee
    check_contribution(
        _contribution(key, CUSTOMS, [0, 200, 255]), Point.from_hex(key["public_key"]), BITS
    )


def test_encrypt_contribution__value_outside_the_range__refused(committee):
    _, key = committee
    with pytest.raises(ValueError, match=r"^value 256 is outside \[0, 2\^8\)$"):
        _contribution(key, CUSTOMS, [256])


def test_check_contribution__proof_replayed_for_another_organisation__refused(committee):
    _, key = committee
    copied = {**_contribution(key, CUSTOMS, [17]), "org": TAX}

    with pytest.raises(DocumentError, match=r"^value #0 has an invalid range proof$"):
        check_contribution(copied, Point.from_hex(key["public_key"]), BITS)


def test_check_contribution__ciphertext_negated_to_subtract__refused(committee):
    """A contributor who sends -Enc(x) (to cancel another agency's figure out of the total)
    cannot prove it in range."""
    _, key = committee
    doc = _contribution(key, TAX, [5])
    ct = ciphertexts_of(doc)[0]
    doc["ciphertexts"] = [[(-ct.c1).hex(), (-ct.c2).hex()]]

    with pytest.raises(DocumentError, match=r"^value #0 has an invalid range proof$"):
        check_contribution(doc, Point.from_hex(key["public_key"]), BITS)


def test_check_contribution__proofs_wider_than_the_sum_allows__refused(committee):
    _, key = committee
    with pytest.raises(DocumentError, match=r"^range proofs missing or wider than 4 bits$"):
        check_contribution(_contribution(key, TAX, [5]), Point.from_hex(key["public_key"]), 4)
    assert max_range_bits(3, 2**32) == 30 and 3 * 2**30 < 2**32 < 3 * 2**31


def test_decrypt_aggregate__forged_share__rejected_naming_the_organisation(committee):
    shares, key = committee
    docs = [_contribution(key, org, [org * 10]) for org in (CUSTOMS, TAX, FOREX)]
    aggregate = aggregate_document(CID, docs)
    cts = ciphertexts_of(aggregate)

    def partials(index, org, forge=False):
        made = [partial_decrypt(index, shares[index].secret, c) for c in cts]
        if forge:
            made = [
                PartialDecryption(p.party, p.share + Point.G, p.challenge, p.response) for p in made
            ]
        return {
            "org": org,
            "aggregate": digest(aggregate).hex(),
            "partials": [p.to_json() for p in made],
        }

    honest = {CUSTOMS: partials(1, CUSTOMS), FOREX: partials(3, FOREX)}
    assert decrypt_aggregate(aggregate, key, honest, 2**12) == [60]
    forged = {CUSTOMS: partials(1, CUSTOMS), TAX: partials(2, TAX, forge=True)}
    with pytest.raises(
        PartyRefused,
        match=r"^organisation 2's partial decryption #0 has an invalid proof: rejected$",
    ):
        decrypt_aggregate(aggregate, key, forged, 2**12)


def test_recheck_totals__a_wrong_published_total__reported_as_not_matching(committee):
    """Whoever published the totals, every reader re-derives them from the recorded
    aggregate and the verified partial decryptions and sees a false one."""
    shares, key = committee
    docs = [_contribution(key, org, [org * 10, 1]) for org in (CUSTOMS, TAX, FOREX)]
    aggregate = aggregate_document(CID, docs)
    cts = ciphertexts_of(aggregate)
    partials = {
        org: {
            "org": org,
            "aggregate": digest(aggregate).hex(),
            "partials": [partial_decrypt(i, shares[i].secret, c).to_json() for c in cts],
        }
        for i, org in ((1, CUSTOMS), (3, FOREX))
    }

    assert recheck_totals(aggregate, key, partials, [60, 3], 2**12) == ([60, 3], True)
    assert recheck_totals(aggregate, key, partials, [61, 3], 2**12) == ([60, 3], False)
    assert recheck_totals(aggregate, key, partials, None, 2**12) == ([60, 3], False)
