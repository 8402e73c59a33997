"""Threshold exponential ElGamal: key generation, homomorphic sums, threshold decryption.

Pure Python over libsecp256k1 (no chain). Decryption tables use a test-only bound of 2^20
(1,024 baby steps) so that a failed lookup stays fast; the curve is the real one.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings

from tests.fuzz.strategies.compute import committees, sector_figures
from trustspace.compute import dkg
from trustspace.compute.elgamal import Ciphertext, add_vectors, dlog_table, encrypt
from trustspace.compute.group import ORDER, Point
from trustspace.compute.threshold import (
    BadShareError,
    DecryptionError,
    PartialDecryption,
    combine,
    decrypt_with,
    partial_decrypt,
    verify_partial,
)

TEST_BOUND = 2**20  # test-only: small tables; the demo and the CLI use 2^32


def _committee(n: int, k: int) -> dict[int, dkg.KeyShare]:
    return dkg.run_in_process(list(range(1, n + 1)), k)


def _partials(shares, who, aggregate):
    return {j: [partial_decrypt(j, shares[j].secret, c) for c in aggregate] for j in who}


@settings(max_examples=8)
@given(committee=committees(), data=sector_figures(parties=3))
def test_decrypt__aggregate_of_contributions__equals_plaintext_sums(committee, data):
    n, k = committee
    shares = _committee(n, k)
    key = shares[1].public_key
    aggregate = add_vectors([[encrypt(key, v) for v in figures] for figures in data])
    keys = shares[1].verification_keys

    totals = decrypt_with(
        aggregate, _partials(shares, range(1, k + 1), aggregate), keys, k, TEST_BOUND
    )

    assert totals == [sum(column) for column in zip(*data, strict=True)]


def test_dkg__every_party__derives_the_same_key_and_keys_verify():
    shares = _committee(4, 3)

    assert len({s.public_key for s in shares.values()}) == 1
    for j, share in shares.items():
        assert shares[1].verification_keys[j] == Point.base_times(share.secret)


def test_decrypt__any_k_of_n_parties__decrypt_while_the_others_are_offline():
    shares = _committee(4, 2)
    aggregate = [encrypt(shares[1].public_key, 41) + encrypt(shares[1].public_key, 1)]

    for online in itertools.combinations(range(1, 5), 2):
        partials = _partials(shares, online, aggregate)
        assert decrypt_with(aggregate, partials, shares[1].verification_keys, 2, TEST_BOUND) == [42]


def test_decrypt__fewer_than_k_parties_online__refused():
    shares = _committee(4, 3)
    aggregate = [encrypt(shares[1].public_key, 7)]

    with pytest.raises(DecryptionError, match=r"^2 parties answered; 3 are needed$"):
        decrypt_with(
            aggregate, _partials(shares, (1, 4), aggregate), shares[1].verification_keys, 3
        )


def test_combine__coalition_below_k__interpolates_a_wrong_point_with_no_value():
    """Shown, not assumed: k-1 colluding parties interpolate their shares as if they were
    enough; the point they get is not m·G and has no logarithm within the bound."""
    shares = _committee(3, 3)
    ct = encrypt(shares[1].public_key, 1234)
    coalition = _partials(shares, (1, 2), [ct])

    point = combine(ct, [coalition[1][0], coalition[2][0]])

    assert point != Point.base_times(1234)
    assert dlog_table(TEST_BOUND).solve(point) is None
    full = _partials(shares, (1, 2, 3), [ct])
    assert dlog_table(TEST_BOUND).solve(combine(ct, [full[j][0] for j in (1, 2, 3)])) == 1234


def test_decrypt__share_with_a_wrong_value__rejected_naming_its_party():
    shares = _committee(3, 2)
    aggregate = [encrypt(shares[1].public_key, 5), encrypt(shares[1].public_key, 6)]
    partials = _partials(shares, (1, 3), aggregate)
    honest = partials[3][1]
    partials[3][1] = PartialDecryption(3, honest.share + Point.G, honest.challenge, honest.response)

    with pytest.raises(
        BadShareError, match=r"^party 3's partial decryption #1 has an invalid proof$"
    ):
        decrypt_with(aggregate, partials, shares[1].verification_keys, 2, TEST_BOUND)


def test_decrypt__share_proved_with_another_partys_key__rejected():
    shares = _committee(3, 2)
    ct = encrypt(shares[1].public_key, 5)
    forged = partial_decrypt(2, shares[1].secret, ct)  # party 1's secret, claimed as party 2's

    assert verify_partial(
        partial_decrypt(1, shares[1].secret, ct), shares[1].verification_keys[1], ct
    )
    assert not verify_partial(forged, shares[1].verification_keys[2], ct)


def test_dkg__dealer_sends_a_wrong_share__complaint_disqualifies_it_and_the_key_still_works():
    parties = [1, 2, 3, 4]
    dealings = {i: dkg.deal(i, parties, 2) for i in parties}
    commitments = {i: d.commitments for i, d in dealings.items()}
    received = {j: {i: d.shares[j] for i, d in dealings.items()} for j in parties}
    received[2][4] = (received[2][4] + 1) % ORDER  # dealer 4 cheats party 2

    complaints = {
        j: [i for i in parties if not dkg.verify_share(commitments[i], j, received[j][i])]
        for j in parties
    }
    shares = {j: dkg.finish(j, 2, commitments, received[j], complaints) for j in parties}

    assert complaints == {1: [], 2: [4], 3: [], 4: []}
    assert shares[1].qualified == (1, 2, 3)
    ct = encrypt(shares[1].public_key, 99)
    assert decrypt_with([ct], _partials(shares, (2, 4), [ct]), shares[1].verification_keys, 2) == [
        99
    ]


def test_dkg__fewer_qualified_dealers_than_k__refused():
    parties = [1, 2, 3]
    dealings = {i: dkg.deal(i, parties, 3) for i in parties}
    commitments = {i: d.commitments for i, d in dealings.items()}

    with pytest.raises(dkg.DkgError, match=r"^only 2 dealers qualified; 3 needed$"):
        dkg.finish(1, 3, commitments, {i: d.shares[1] for i, d in dealings.items()}, {2: [3]})


def test_dkg__threshold_above_parties__refused():
    with pytest.raises(dkg.DkgError, match=r"^threshold 4 must be between 1 and 3 parties$"):
        dkg.deal(1, [1, 2, 3], 4)


def test_encrypt__totals_of_zero_and_cancelling_points__decrypt_to_zero():
    shares = _committee(2, 2)
    ct = encrypt(shares[1].public_key, 0, randomness=ORDER - 1) + encrypt(
        shares[1].public_key, 0, randomness=1
    )

    assert ct.c1.is_infinity  # r and -r cancel: the point coincurve cannot represent
    partials = _partials(shares, (1, 2), [ct])
    assert decrypt_with([ct], partials, shares[1].verification_keys, 2, TEST_BOUND) == [0]
    assert Ciphertext.from_json(ct.to_json()) == ct


def test_encrypt__negative_value__refused():
    with pytest.raises(
        ValueError, match=r"^exponential ElGamal here encrypts non-negative integers$"
    ):
        encrypt(Point.G, -1)


def test_point__arithmetic__matches_scalar_arithmetic():
    a, b = 2**255 % ORDER, 12345
    assert Point.base_times(a) + Point.base_times(b) == Point.base_times(a + b)
    assert Point.base_times(a) - Point.base_times(a) == Point.INFINITY
    assert Point.base_times(a) + Point.base_times(a) == Point.base_times(2 * a)
    assert Point.from_bytes(Point.base_times(b).to_bytes()) == Point.base_times(b)
    with pytest.raises(
        ValueError, match=r"^a point is 33 bytes compressed, or 00 for the identity$"
    ):
        Point.from_bytes(b"\x02\x01")
