"""Strategies for the threshold-ElGamal computations (trustspace.compute)."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["committees", "sector_figures"]


@st.composite
def committees(draw: st.DrawFn) -> tuple[int, int]:
    """``(n, k)``: 2 to 5 parties and a threshold between 1 and n."""
    n = draw(st.integers(min_value=2, max_value=5))
    return n, draw(st.integers(min_value=1, max_value=n))


@st.composite
def sector_figures(draw: st.DrawFn, parties: int) -> list[list[int]]:
    """One equally long vector of non-negative figures per party (1-4 sectors, each below
    2^16 so that any sum stays well inside a 2^20 test table)."""
    width = draw(st.integers(min_value=1, max_value=4))
    value = st.integers(min_value=0, max_value=2**16 - 1)
    return [draw(st.lists(value, min_size=width, max_size=width)) for _ in range(parties)]
