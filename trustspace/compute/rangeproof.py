"""Range proofs for contributions: each value is proven to lie in ``[0, 2^bits)``.

The value is encrypted bit by bit, ``C_i = (r_i·G, b_i·G + r_i·Y)``, each with a
disjunctive Chaum–Pedersen proof (Cramer–Damgård–Schoenmakers, CRYPTO '94)
that ``b_i`` is 0 or 1; the value's ciphertext is ``Σ 2^i · C_i``, which any
verifier recomputes. The Fiat–Shamir hash binds the computation, the
organisation and the position, so a proof cannot be replayed for another
contribution, and a ciphertext copied or transformed from another agency's
(to make the total reveal it) has no valid proof. With ``bits`` chosen so that
``participants · 2^bits`` stays below the decryption bound, no contributor can
push a total out of the decryptable range or make it wrap around.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trustspace.compute.elgamal import Ciphertext
from trustspace.compute.group import ORDER, Point, hash_to_scalar, random_scalar

__all__ = ["DEFAULT_BITS", "RangeProof", "prove", "verify"]

#: Bits per value by default: figures below 16,777,216 (2^24); 16 parties stay below 2^28.
DEFAULT_BITS = 24
_DOMAIN = b"trustspace/compute/bit-or-proof/v1"


@dataclass(frozen=True)
class RangeProof:
    """Bit ciphertexts and, per bit, ``(e0, e1, z0, z1)``."""

    bits: tuple[Ciphertext, ...]
    proofs: tuple[tuple[int, int, int, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "bits": [b.to_json() for b in self.bits],
            "proofs": [[hex(x) for x in p] for p in self.proofs],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RangeProof:
        """Parse :meth:`to_json`; ``ValueError``/``KeyError``/``TypeError`` if malformed."""
        proofs = tuple(tuple(int(str(x), 16) for x in p) for p in data["proofs"])
        if any(len(p) != 4 for p in proofs):
            raise ValueError("a bit proof has four scalars")
        return cls(
            tuple(Ciphertext.from_json(b) for b in data["bits"]),
            proofs,  # type: ignore[arg-type]
        )


def _challenge(context: bytes, y: Point, ct: Ciphertext, commitments: Sequence[Point]) -> int:
    parts = (y, ct.c1, ct.c2, *commitments)
    return hash_to_scalar(_DOMAIN, context, *(p.to_bytes() for p in parts))


def _prove_bit(
    context: bytes, y: Point, bit: int, r: int
) -> tuple[Ciphertext, tuple[int, int, int, int]]:
    ct = Ciphertext(Point.base_times(r), Point.base_times(bit) + y * r)
    other = 1 - bit
    e_sim, z_sim = random_scalar(), random_scalar()
    shifted = ct.c2 - Point.base_times(other)
    sim = (Point.base_times(z_sim) + ct.c1 * e_sim, y * z_sim + shifted * e_sim)
    w = random_scalar()
    real = (Point.base_times(w), y * w)
    pairs = {bit: real, other: sim}
    e = _challenge(context, y, ct, [*pairs[0], *pairs[1]])
    e_real = (e - e_sim) % ORDER
    z_real = (w - e_real * r) % ORDER
    es = {bit: e_real, other: e_sim}
    zs = {bit: z_real, other: z_sim}
    return ct, (es[0], es[1], zs[0], zs[1])


def prove(
    context: bytes, y: Point, value: int, bits: int = DEFAULT_BITS
) -> tuple[Ciphertext, RangeProof]:
    """Encrypt ``value`` under ``y`` with a proof that it is in ``[0, 2^bits)``."""
    if not 0 <= value < 2**bits:
        raise ValueError(f"value {value} is outside [0, 2^{bits})")
    cts, proofs, total_r = [], [], 0
    for i in range(bits):
        r = random_scalar()
        ct, proof = _prove_bit(context, y, (value >> i) & 1, r)
        cts.append(ct)
        proofs.append(proof)
        total_r = (total_r + (r << i)) % ORDER
    combined = _combine(cts)
    return combined, RangeProof(tuple(cts), tuple(proofs))


def _combine(bits: Sequence[Ciphertext]) -> Ciphertext:
    c1 = Point.sum(b.c1 * (1 << i) for i, b in enumerate(bits))
    c2 = Point.sum(b.c2 * (1 << i) for i, b in enumerate(bits))
    return Ciphertext(c1, c2)


def verify(
    context: bytes, y: Point, ciphertext: Ciphertext, proof: RangeProof, bits: int = DEFAULT_BITS
) -> bool:
    """True if ``ciphertext`` is ``Σ 2^i`` of ``bits`` proven bit ciphertexts."""
    if len(proof.bits) != bits or len(proof.proofs) != bits:
        return False
    for ct, (e0, e1, z0, z1) in zip(proof.bits, proof.proofs, strict=True):
        if not all(0 <= x < ORDER for x in (e0, e1, z0, z1)):
            return False
        a = []
        for k, e, z in ((0, e0, z0), (1, e1, z1)):
            a.append(Point.base_times(z) + ct.c1 * e)
            a.append(y * z + (ct.c2 - Point.base_times(k)) * e)
        if (e0 + e1) % ORDER != _challenge(context, y, ct, a):
            return False
    return _combine(proof.bits) == ciphertext
