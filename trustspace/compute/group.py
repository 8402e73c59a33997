"""The secp256k1 group: points and scalars over libsecp256k1 (through ``coincurve``).

``coincurve`` cannot represent the point at infinity (the identity), which the
homomorphic sums meet whenever a total is zero or two terms cancel, so
:class:`Point` wraps it: ``Point.INFINITY`` is a point without a key, encoded as
the single byte ``00`` (SEC 1, 2.3.3). Every other operation is libsecp256k1's:
scalar multiplication (``PublicKey.multiply``, ``PublicKey.from_secret``) and
addition (``PublicKey.combine_keys``). Negation flips the parity byte of the
compressed encoding, which is exactly ``-P`` for ``P = (x, y)``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from coincurve import PublicKey

__all__ = ["ORDER", "Point", "hash_to_scalar", "random_scalar"]

#: The order n of secp256k1's base point (SEC 2, 2.4.1).
ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def random_scalar() -> int:
    """A uniformly random non-zero scalar modulo :data:`ORDER` (the OS CSPRNG)."""
    return 1 + secrets.randbelow(ORDER - 1)


def hash_to_scalar(domain: bytes, *parts: bytes) -> int:
    """A Fiat–Shamir challenge: SHA-256 over length-prefixed parts, reduced mod n.

    Length prefixes keep two different part lists from hashing the same bytes;
    the 2^-128 bias of reducing a 256-bit digest mod n is negligible.
    """
    h = hashlib.sha256()
    for part in (domain, *parts):
        h.update(len(part).to_bytes(4, "big"))
        h.update(part)
    return int.from_bytes(h.digest(), "big") % ORDER


class Point:
    """A point of secp256k1, the identity included (``key is None``)."""

    __slots__ = ("_raw", "key")
    INFINITY: Point
    G: Point

    def __init__(self, key: PublicKey | None) -> None:
        self.key = key
        self._raw = b"\x00" if key is None else key.format(compressed=True)

    @classmethod
    def base_times(cls, scalar: int) -> Point:
        """``scalar · G``."""
        s = scalar % ORDER
        return cls.INFINITY if s == 0 else cls(PublicKey.from_secret(s.to_bytes(32, "big")))

    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Parse a compressed point (33 bytes) or ``00``; ``ValueError`` if not on the curve."""
        if data == b"\x00":
            return cls.INFINITY
        if len(data) != 33:
            raise ValueError("a point is 33 bytes compressed, or 00 for the identity")
        return cls(PublicKey(data))

    @classmethod
    def from_hex(cls, text: str) -> Point:
        """Parse the hex form of :meth:`from_bytes`."""
        return cls.from_bytes(bytes.fromhex(text))

    @classmethod
    def sum(cls, points: Iterable[Point]) -> Point:
        """The sum of ``points`` (the identity for none)."""
        total = cls.INFINITY
        for p in points:
            total = total + p
        return total

    def to_bytes(self) -> bytes:
        """Compressed SEC 1 encoding; ``00`` for the identity."""
        return self._raw

    def hex(self) -> str:
        """Hex of :meth:`to_bytes`."""
        return self._raw.hex()

    @property
    def is_infinity(self) -> bool:
        return self.key is None

    def __add__(self, other: Point) -> Point:
        if self.key is None:
            return other
        if other.key is None:
            return self
        if self._raw[1:] == other._raw[1:] and self._raw[0] != other._raw[0]:
            return Point.INFINITY  # P + (-P)
        return Point(PublicKey.combine_keys([self.key, other.key]))

    def __neg__(self) -> Point:
        if self.key is None:
            return self
        return Point(PublicKey(bytes([self._raw[0] ^ 1]) + self._raw[1:]))

    def __sub__(self, other: Point) -> Point:
        return self + (-other)

    def __mul__(self, scalar: int) -> Point:
        s = scalar % ORDER
        if s == 0 or self.key is None:
            return Point.INFINITY
        return Point(self.key.multiply(s.to_bytes(32, "big")))

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and self._raw == other._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"Point({self.hex()})"


Point.INFINITY = Point(None)
Point.G = Point.base_times(1)
