"""Dealerless key generation: joint Feldman secret sharing (Pedersen's DKG).

Each of the n parties (indices 1..n) deals a random polynomial ``f_i`` of degree
``k - 1``: it publishes Feldman commitments ``C_i,l = a_i,l · G`` and sends party
``j`` the share ``f_i(j)`` privately. Party ``j`` checks every received share
against the dealer's commitments (:func:`verify_share`) and *complains* about a
dealer whose share does not match; a dealer with a complaint is left out of the
qualified set. The joint public key is the sum of the qualified dealers'
``C_i,0``; party ``j``'s key share is the sum of the shares it received from
them, and everyone can compute everyone's verification key ``x_j · G`` from the
public commitments (:func:`verification_key`). No party ever holds the joint
secret ``Σ a_i,0``; any ``k`` key shares determine it, fewer reveal nothing
about it (Shamir).

This is the protocol of Pedersen (EUROCRYPT '91) as analysed by Gennaro,
Jarecki, Krawczyk and Rabin (J. Cryptology 2007): a rushing adversary can bias
the distribution of the public key, which they show does not help against
ElGamal-type encryption built on it; we accept that and say so in docs/privacy.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trustspace.compute.group import ORDER, Point, random_scalar

__all__ = [
    "Dealing",
    "DkgError",
    "KeyShare",
    "deal",
    "finish",
    "joint_public_key",
    "run_in_process",
    "verification_key",
    "verify_share",
]


class DkgError(ValueError):
    """Key generation cannot finish (too few qualified dealers, bad parameters)."""


@dataclass(frozen=True)
class Dealing:
    """One dealer's contribution: public commitments and the private share for each party."""

    dealer: int
    commitments: tuple[Point, ...]
    shares: Mapping[int, int]


@dataclass(frozen=True)
class KeyShare:
    """What a party keeps after key generation."""

    index: int
    secret: int
    threshold: int
    public_key: Point
    verification_keys: Mapping[int, Point]
    qualified: tuple[int, ...]


def _poly_at(coefficients: Sequence[int], x: int) -> int:
    acc = 0
    for a in reversed(coefficients):
        acc = (acc * x + a) % ORDER
    return acc


def _commitment_at(commitments: Sequence[Point], x: int) -> Point:
    acc = Point.INFINITY
    for c in reversed(commitments):
        acc = acc * x + c
    return acc


def deal(dealer: int, parties: Sequence[int], threshold: int) -> Dealing:
    """Deal a fresh random polynomial of degree ``threshold - 1`` to ``parties``."""
    if not 1 <= threshold <= len(parties):
        raise DkgError(f"threshold {threshold} must be between 1 and {len(parties)} parties")
    if len(set(parties)) != len(parties) or any(not 0 < p < ORDER for p in parties):
        raise DkgError("party indices must be distinct and positive")
    coefficients = [random_scalar() for _ in range(threshold)]
    return Dealing(
        dealer=dealer,
        commitments=tuple(Point.base_times(a) for a in coefficients),
        shares={j: _poly_at(coefficients, j) for j in parties},
    )


def verify_share(commitments: Sequence[Point], index: int, share: int) -> bool:
    """Feldman's check: ``share · G == Σ_l C_l · index^l``."""
    return Point.base_times(share) == _commitment_at(commitments, index)


def verification_key(
    commitments: Mapping[int, Sequence[Point]], qualified: Sequence[int], index: int
) -> Point:
    """Party ``index``'s public verification key ``x_index · G``, from public data only."""
    return Point.sum(_commitment_at(commitments[i], index) for i in qualified)


def joint_public_key(commitments: Mapping[int, Sequence[Point]], qualified: Sequence[int]) -> Point:
    """The consortium key: the sum of the qualified dealers' constant commitments."""
    return Point.sum(commitments[i][0] for i in qualified)


def finish(
    index: int,
    threshold: int,
    commitments: Mapping[int, Sequence[Point]],
    received: Mapping[int, int],
    complaints: Mapping[int, Sequence[int]],
) -> KeyShare:
    """Party ``index``'s key share once every dealing and every complaint is known.

    ``complaints`` maps each complaining party to the dealers it named; a named
    dealer is disqualified. ``DkgError`` if fewer than ``threshold`` dealers remain
    or a qualified dealer's share to this party is missing or wrong.
    """
    named = {d for dealers in complaints.values() for d in dealers}
    qualified = tuple(sorted(d for d in commitments if d not in named))
    if len(qualified) < threshold:
        raise DkgError(f"only {len(qualified)} dealers qualified; {threshold} needed")
    for d in qualified:
        if len(commitments[d]) != threshold:
            raise DkgError(f"dealer {d} committed to a polynomial of the wrong degree")
        if d not in received or not verify_share(commitments[d], index, received[d]):
            raise DkgError(f"dealer {d}'s share to party {index} is missing or wrong")
    parties = sorted(commitments)
    return KeyShare(
        index=index,
        secret=sum(received[d] for d in qualified) % ORDER,
        threshold=threshold,
        public_key=joint_public_key(commitments, qualified),
        verification_keys={j: verification_key(commitments, qualified, j) for j in parties},
        qualified=qualified,
    )


def run_in_process(parties: Sequence[int], threshold: int) -> dict[int, KeyShare]:
    """The whole protocol among honest parties inside one process (benchmark, tests).

    Real parties run it over HTTP (:mod:`trustspace.compute.party`); the arithmetic
    is the same functions.
    """
    dealings = {i: deal(i, parties, threshold) for i in parties}
    commitments = {i: d.commitments for i, d in dealings.items()}
    return {
        j: finish(j, threshold, commitments, {i: d.shares[j] for i, d in dealings.items()}, {})
        for j in parties
    }
