"""Finding 6 of issue 11: a disclosure must not tell anything about the fields it hides.

Format 1 sorted the leaves by field name and every revealed field carries its leaf
index. A verifier shown ``country`` at index 1 of 3 knew that exactly one hidden field
sorts before ``country`` — so the index told whether an optional hidden field such as
``a_sanctions_hit`` was there, or what a hidden field was called. Format 2 sorts the
leaves by commitment (uniformly random without the salts) and can pad a record with
decoy leaves to a fixed size: the revealed index is uniformly distributed whatever the
hidden names, values or presence.

The tests draw many commitments with salts from a seeded generator (deterministic) and
compare the distribution of the revealed field's index between two records that differ
only in what is hidden. On format 1 the index is constant and differs between the two
records, so both tests fail there.
"""

from __future__ import annotations

import random
from collections import Counter

from trustspace.notary.disclosure import Disclosure, commit

TRIALS = 800
REVEALED = "country"


def indices(record: dict, seed: int, pad_to: int | None = None) -> tuple[Counter[int], set[int]]:
    """The index of ``country`` over TRIALS commitments, and the sizes the verifier saw."""
    rng = random.Random(seed)
    seen: Counter[int] = Counter()
    sizes: set[int] = set()
    for _ in range(TRIALS):
        salts = {name: rng.randbytes(32) for name in record}
        if pad_to is None:
            committed = commit(record, salts)
        else:
            decoys = [rng.randbytes(32) for _ in range(pad_to - len(record))]
            committed = commit(record, salts, decoys=decoys)
        document = committed.disclose([REVEALED]).to_json()
        (field,) = Disclosure.from_json(document).fields
        seen[field.index] += 1
        sizes.add(document["size"])
    return seen, sizes


def assert_uniform(counts: Counter[int], size: int) -> None:
    """Every index of a ``size``-leaf tree occurs about TRIALS / size times (±35 %)."""
    expected = TRIALS / size
    assert set(counts) == set(range(size)), counts
    for index, count in counts.items():
        assert 0.65 * expected <= count <= 1.35 * expected, (index, counts)


def total_variation(a: Counter[int], b: Counter[int]) -> float:
    keys = set(a) | set(b)
    return sum(abs(a[k] - b[k]) for k in keys) / (2 * TRIALS)


def test_hidden_field_renamed__revealed_index_distribution_is_the_same():
    # The same record but for the name of one hidden field, sorting before / after "country".
    before = {"a_sanctions_hit": False, REVEALED: "FR", "name": "ACME"}
    after = {"z_sanctions_hit": False, REVEALED: "FR", "name": "ACME"}

    counts_before, sizes_before = indices(before, seed=1)
    counts_after, sizes_after = indices(after, seed=2)

    assert sizes_before == sizes_after == {3}
    # Format 1: always index 1 for `before`, always 0 for `after`.
    assert_uniform(counts_before, 3)
    assert_uniform(counts_after, 3)
    assert total_variation(counts_before, counts_after) < 0.1


def test_optional_hidden_field_present_or_absent__padded_disclosures_are_indistinguishable():
    # An optional field that sorts before the revealed one, present in one record only.
    flagged = {"a_sanctions_hit": True, REVEALED: "FR", "name": "ACME"}
    clean = {REVEALED: "FR", "name": "ACME"}

    counts_flagged, sizes_flagged = indices(flagged, seed=3, pad_to=4)
    counts_clean, sizes_clean = indices(clean, seed=4, pad_to=4)

    assert sizes_flagged == sizes_clean == {4}  # padding hides the count of fields
    assert_uniform(counts_flagged, 4)
    assert_uniform(counts_clean, 4)
    assert total_variation(counts_flagged, counts_clean) < 0.1


def test_disclosures_of_records_differing_in_hidden_fields__same_shape():
    """Apart from index, salt and hashes, the two documents are the same JSON."""
    a = commit({"a_sanctions_hit": True, REVEALED: "FR"}, pad_to=3).disclose([REVEALED])
    b = commit({REVEALED: "FR", "z_note": "none"}, pad_to=3).disclose([REVEALED])

    def shape(d: Disclosure) -> dict:
        data = d.to_json()
        for key in ("root", "batch_id"):
            data.pop(key)
        (field,) = data.pop("fields")
        return {**data, "field": {k: v for k, v in field.items() if k in ("name", "value")}}

    assert shape(a) == shape(b)
    assert len(a.fields[0].proof) == len(b.fields[0].proof)
