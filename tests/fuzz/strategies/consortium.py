"""Hypothesis strategies for the Consortium: roles, organisation kinds, expiries, time."""

from __future__ import annotations

from hypothesis import strategies as st

from trustspace.consortium.constants import ALL_ROLES, OrgKind, Role

__all__ = ["expiry_offsets", "org_kinds", "raw_role_values", "role_sets", "time_steps"]

#: Any non-empty set of known role flags.
role_sets = st.integers(min_value=1, max_value=int(ALL_ROLES)).map(Role)

#: Role sets that sometimes include unknown bits or nothing at all (for rejection paths).
raw_role_values = st.one_of(role_sets.map(int), st.sampled_from([0, 64, 128, int(ALL_ROLES) + 1]))

#: Organisation kinds, valid ones far more often than not.
org_kinds = st.one_of(st.sampled_from(list(OrgKind)).map(int), st.sampled_from([0, 7]))

#: Expiry offsets in seconds from now: None means "no expiry".
expiry_offsets = st.one_of(st.none(), st.integers(min_value=1, max_value=3 * 86400))

#: Time steps: mostly minutes to hours, sometimes days, now and then past a
#: proposal's whole lifetime (seven days), so expiry is reached but not always.
time_steps = st.one_of(
    st.integers(min_value=1, max_value=3600),
    st.integers(min_value=3600, max_value=86400),
    st.integers(min_value=1, max_value=9 * 86400),
)
