"""Exponential ElGamal on secp256k1: additively homomorphic encryption of bounded integers.

A value ``m`` is encrypted under the joint key ``Y`` as ``(r·G, m·G + r·Y)``
with a fresh random ``r``; adding two ciphertexts component-wise encrypts the
sum of their values. Decryption yields ``m·G``, so the value is recovered by a
discrete logarithm that is only feasible for bounded values: :class:`DlogTable`
does baby-step giant-step up to :data:`DEFAULT_BOUND`.
Security rests on the decisional Diffie–Hellman assumption in secp256k1
(about 128-bit: Pollard's rho needs ~2^128 group operations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from trustspace.compute.group import Point, random_scalar

__all__ = [
    "DEFAULT_BOUND",
    "Ciphertext",
    "DlogTable",
    "add_vectors",
    "dlog_table",
    "encrypt",
    "encrypt_vector",
]

#: Totals a decryption recovers by default: below 2^32 (about 4.3e9; state figures in
#: thousands for larger sums). The table costs sqrt(bound) points: 65,536 here.
DEFAULT_BOUND = 2**32


@dataclass(frozen=True)
class Ciphertext:
    """An exponential-ElGamal ciphertext ``(c1, c2) = (r·G, m·G + r·Y)``."""

    c1: Point
    c2: Point

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.c1 + other.c1, self.c2 + other.c2)

    def to_json(self) -> list[str]:
        """``[c1, c2]`` as hex of compressed points."""
        return [self.c1.hex(), self.c2.hex()]

    @classmethod
    def from_json(cls, data: object) -> Ciphertext:
        """Parse :meth:`to_json`; ``ValueError`` on anything else."""
        ok = isinstance(data, list) and len(data) == 2 and all(isinstance(x, str) for x in data)
        if not ok or not isinstance(data, list):
            raise ValueError("a ciphertext is a list of two hex points")
        return cls(Point.from_hex(data[0]), Point.from_hex(data[1]))

    @classmethod
    def zero(cls) -> Ciphertext:
        """The (deterministic) encryption of 0 with randomness 0: the sum's neutral element."""
        return cls(Point.INFINITY, Point.INFINITY)


def encrypt(public_key: Point, value: int, randomness: int | None = None) -> Ciphertext:
    """Encrypt a non-negative integer ``value`` under ``public_key``."""
    if value < 0:
        raise ValueError("exponential ElGamal here encrypts non-negative integers")
    r = random_scalar() if randomness is None else randomness
    return Ciphertext(Point.base_times(r), Point.base_times(value) + public_key * r)


def encrypt_vector(public_key: Point, values: Sequence[int]) -> list[Ciphertext]:
    """Encrypt each value with its own randomness."""
    return [encrypt(public_key, v) for v in values]


def add_vectors(vectors: Sequence[Sequence[Ciphertext]]) -> list[Ciphertext]:
    """Element-wise homomorphic sum of equally long ciphertext vectors."""
    if not vectors:
        raise ValueError("nothing to add")
    width = len(vectors[0])
    if any(len(v) != width for v in vectors):
        raise ValueError("contributions have different lengths")
    total = [Ciphertext.zero() for _ in range(width)]
    for vector in vectors:
        total = [a + b for a, b in zip(total, vector, strict=True)]
    return total


class DlogTable:
    """Baby-step giant-step for ``m`` from ``m·G`` with ``0 <= m < bound``.

    The table holds ``ceil(sqrt(bound))`` baby steps (compressed point -> j);
    a lookup takes at most as many giant steps. For the default 2^32 that is
    2^16 entries, built once per process.
    """

    def __init__(self, bound: int = DEFAULT_BOUND) -> None:
        self.bound = bound
        self.step = max(1, math.isqrt(bound - 1) + 1)
        baby: dict[bytes, int] = {}
        point = Point.INFINITY
        for j in range(self.step):
            baby[point.to_bytes()] = j
            point = point + Point.G
        self._baby = baby
        self._giant = -Point.base_times(self.step)

    def solve(self, target: Point) -> int | None:
        """The ``m`` in ``[0, bound)`` with ``m·G == target``, or None if there is none."""
        gamma = target
        for i in range(self.step):
            j = self._baby.get(gamma.to_bytes())
            if j is not None:
                m = i * self.step + j
                return m if m < self.bound else None
            gamma = gamma + self._giant
        return None


@lru_cache(maxsize=4)
def dlog_table(bound: int = DEFAULT_BOUND) -> DlogTable:
    """A shared table per bound (building one is the slow part of decryption)."""
    return DlogTable(bound)
