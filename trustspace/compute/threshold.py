"""Threshold decryption: partial decryptions with Chaum–Pedersen proofs, Lagrange combination.

Party ``j`` with key share ``x_j`` decrypts ``(c1, c2)`` partially as
``D_j = x_j · c1`` and proves, without revealing ``x_j``, that
``log_G(Y_j) == log_c1(D_j)`` where ``Y_j = x_j · G`` is its public
verification key (Chaum–Pedersen, CRYPTO '92, made non-interactive by
Fiat–Shamir over SHA-256 with the statement in the hash). A share whose proof
fails is rejected and its party named (:class:`BadShareError`). Any ``k``
verified shares give ``m·G = c2 - Σ λ_j D_j`` with Lagrange coefficients at 0;
a smaller coalition's combination is a wrong point whose logarithm is
(overwhelmingly) outside the bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trustspace.compute.elgamal import DEFAULT_BOUND, Ciphertext, dlog_table
from trustspace.compute.group import ORDER, Point, hash_to_scalar, random_scalar

__all__ = [
    "BadShareError",
    "DecryptionError",
    "PartialDecryption",
    "combine",
    "decrypt_with",
    "lagrange_at_zero",
    "partial_decrypt",
    "verify_partial",
]

_DOMAIN = b"trustspace/compute/chaum-pedersen/v1"


class DecryptionError(ValueError):
    """The shares do not decrypt to a value within the bound (too few, or wrong)."""


class BadShareError(DecryptionError):
    """A partial decryption's proof failed; ``party`` names who sent it."""

    def __init__(self, party: int, position: int) -> None:
        super().__init__(f"party {party}'s partial decryption #{position} has an invalid proof")
        self.party = party
        self.position = position


@dataclass(frozen=True)
class PartialDecryption:
    """``D = x_j · c1`` with a Chaum–Pedersen proof ``(challenge, response)``."""

    party: int
    share: Point
    challenge: int
    response: int

    def to_json(self) -> dict[str, object]:
        return {
            "party": self.party,
            "share": self.share.hex(),
            "challenge": hex(self.challenge),
            "response": hex(self.response),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> PartialDecryption:
        """Parse :meth:`to_json`; ``ValueError``/``KeyError``/``TypeError`` on a malformed one."""
        return cls(
            party=int(str(data["party"])),
            share=Point.from_hex(str(data["share"])),
            challenge=int(str(data["challenge"]), 16),
            response=int(str(data["response"]), 16),
        )


def _challenge(vk: Point, c1: Point, d: Point, a1: Point, a2: Point) -> int:
    parts = (Point.G, vk, c1, d, a1, a2)
    return hash_to_scalar(_DOMAIN, *(p.to_bytes() for p in parts))


def partial_decrypt(party: int, secret: int, ciphertext: Ciphertext) -> PartialDecryption:
    """Party ``party``'s share of the decryption of ``ciphertext``, with its proof."""
    vk = Point.base_times(secret)
    d = ciphertext.c1 * secret
    w = random_scalar()
    a1, a2 = Point.base_times(w), ciphertext.c1 * w
    c = _challenge(vk, ciphertext.c1, d, a1, a2)
    return PartialDecryption(party, d, c, (w - c * secret) % ORDER)


def verify_partial(
    partial: PartialDecryption, verification_key: Point, ciphertext: Ciphertext
) -> bool:
    """Check the proof that ``partial.share == x·c1`` for the ``x`` behind ``verification_key``."""
    if not (0 <= partial.challenge < ORDER and 0 <= partial.response < ORDER):
        return False
    a1 = Point.base_times(partial.response) + verification_key * partial.challenge
    a2 = ciphertext.c1 * partial.response + partial.share * partial.challenge
    return partial.challenge == _challenge(verification_key, ciphertext.c1, partial.share, a1, a2)


def lagrange_at_zero(indices: Sequence[int]) -> dict[int, int]:
    """Lagrange coefficients λ_j for interpolating at 0 from the points ``indices``."""
    coefficients = {}
    for j in indices:
        num, den = 1, 1
        for m in indices:
            if m != j:
                num = num * m % ORDER
                den = den * (m - j) % ORDER
        coefficients[j] = num * pow(den, -1, ORDER) % ORDER
    return coefficients


def combine(ciphertext: Ciphertext, partials: Sequence[PartialDecryption]) -> Point:
    """``c2 - Σ λ_j D_j``: ``m·G`` when ``partials`` are k correct shares."""
    indices = [p.party for p in partials]
    if len(set(indices)) != len(indices):
        raise DecryptionError("two partial decryptions from the same party")
    lam = lagrange_at_zero(indices)
    return ciphertext.c2 - Point.sum(p.share * lam[p.party] for p in partials)


def decrypt_with(
    ciphertexts: Sequence[Ciphertext],
    partials: Mapping[int, Sequence[PartialDecryption]],
    verification_keys: Mapping[int, Point],
    threshold: int,
    bound: int = DEFAULT_BOUND,
) -> list[int]:
    """Verify every party's shares of every ciphertext, then decrypt with the first ``threshold``.

    ``partials`` maps a party to its shares, one per ciphertext in order. Raises
    :class:`BadShareError` naming the first party whose share fails,
    :class:`DecryptionError` if fewer than ``threshold`` parties answered or a
    value is not below ``bound``.
    """
    for party, shares in sorted(partials.items()):
        if party not in verification_keys:
            raise DecryptionError(f"party {party} is not a key holder")
        if len(shares) != len(ciphertexts):
            raise DecryptionError(f"party {party} sent {len(shares)} shares for {len(ciphertexts)}")
        for pos, (share, ct) in enumerate(zip(shares, ciphertexts, strict=True)):
            if share.party != party or not verify_partial(share, verification_keys[party], ct):
                raise BadShareError(party, pos)
    if len(partials) < threshold:
        raise DecryptionError(f"{len(partials)} parties answered; {threshold} are needed")
    chosen = sorted(partials)[:threshold]
    table = dlog_table(bound)
    values = []
    for pos, ct in enumerate(ciphertexts):
        value = table.solve(combine(ct, [partials[j][pos] for j in chosen]))
        if value is None:
            raise DecryptionError(f"value #{pos} is not below the bound {bound}")
        values.append(value)
    return values
