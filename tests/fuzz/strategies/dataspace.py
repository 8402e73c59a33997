"""Strategies of the data space: transfer limits and purposes of offers."""

from hypothesis import strategies as st

__all__ = ["max_transfer_counts", "purposes"]

#: 0 means unlimited; small limits so that machines reach exhaustion.
max_transfer_counts = st.sampled_from([1, 1, 2, 0])
#: Declared purposes: the permitted one, and one the policy does not permit.
purposes = st.sampled_from(["VAT assessment", "VAT assessment", "marketing"])
