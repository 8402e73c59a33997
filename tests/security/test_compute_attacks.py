"""Attacks on the privacy computations (trustspace.compute), one named test per class.

A coalition below the threshold interpolating its shares, a contributor who copies or
transforms another agency's ciphertext so that the published total reveals it, and a
party that sends a forged partial decryption. (A party used as a decryption oracle for one
agency's ciphertext, and a contribution altered after its digest was recorded, need real
processes and a chain: tests/integration/test_compute_parties.py.)
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies.compute import committees
from trustspace.compute import dkg
from trustspace.compute.documents import (
    DocumentError,
    check_contribution,
    ciphertexts_of,
    encrypt_contribution,
)
from trustspace.compute.elgamal import Ciphertext, dlog_table, encrypt
from trustspace.compute.group import Point
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


@pytest.fixture(scope="module")
def key():
    return dkg.run_in_process([1, 2, 3], 2)[1].public_key


@settings(max_examples=5)
@given(victim=st.integers(0, 2**BITS - 1), mine=st.integers(0, 2**BITS - 1))
def test_rogue_contribution__copied_or_transformed_from_another_agency__refused(key, victim, mine):
    """Tax wants customs' figure: it submits customs' ciphertext as its own, or customs'
    minus its own encrypted figures, so that the published total would reveal it."""
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
