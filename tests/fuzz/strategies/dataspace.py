"""Strategies of the data space: transfer limits and purposes of offers."""

from hypothesis import strategies as st

__all__ = ["max_transfer_counts", "policy_documents", "purposes"]

#: 0 means unlimited; small limits so that machines reach exhaustion.
max_transfer_counts = st.sampled_from([1, 1, 2, 0])
#: Declared purposes: the permitted one, and one the policy does not permit.
purposes = st.sampled_from(["VAT assessment", "VAT assessment", "marketing"])


@st.composite
def policy_documents(draw: st.DrawFn) -> dict:
    """Valid usage policy documents (``Policy.from_json`` accepts each), fields in any order
    and optional fields sometimes left out."""
    valid_from = draw(st.integers(min_value=0, max_value=2**39))
    doc = {
        "purposes": draw(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=3)),
        "consumerOrgs": draw(st.lists(st.integers(1, 2**32 - 1), max_size=3)),
        "consumerKinds": draw(
            st.lists(st.sampled_from(["CUSTOMS", "TAX", "MARITIME", "FOREX"]), max_size=2)
        ),
        "validFrom": valid_from,
        "validUntil": draw(st.sampled_from([0, valid_from + 1, valid_from + 86400])),
        "maxTransfers": draw(st.integers(0, 2**32 - 1)),
        "approvals": draw(st.integers(0, 255)),
        "credentialType": draw(st.sampled_from([None, "TaxOfficerCredential"])),
        "notarized": draw(st.booleans()),
    }
    keys = draw(st.permutations(list(doc)))
    optional = {"consumerOrgs", "consumerKinds", "validFrom", "validUntil", "approvals"}
    dropped = draw(st.sets(st.sampled_from(sorted(optional))))
    return {k: doc[k] for k in keys if k not in dropped or doc[k] in (0, [])}
