"""Usage policies: canonical JSON digest, the on-chain terms, and every malformed document."""

import json

import pytest
from hypothesis import given

from tests.fuzz.strategies.dataspace import policy_documents
from trustspace.consortium.constants import OrgKind
from trustspace.crypto.hashing import hash_bytes
from trustspace.dataspace.policy import Policy, PolicyError


@given(doc=policy_documents())
def test_policy__any_key_order_or_spacing__same_digest_and_round_trip(doc):
    policy = Policy.from_json(doc)
    shuffled = json.loads(json.dumps(dict(reversed(list(doc.items()))), indent=3))

    assert Policy.from_json(shuffled).digest() == policy.digest()
    assert Policy.from_json(policy.to_json()) == policy
    assert policy.digest() == hash_bytes(policy.canonical())


def test_policy__terms__the_on_chain_tuple():
    policy = Policy(
        purposes=("VAT assessment",),
        consumer_orgs=(2, 5),
        consumer_kinds=(OrgKind.TAX, OrgKind.FOREX),
        valid_from=10,
        valid_until=20,
        max_transfers=3,
        approvals=1,
    )
    kinds = (1 << int(OrgKind.TAX)) | (1 << int(OrgKind.FOREX))
    assert policy.terms() == ([2, 5], kinds, 10, 20, 3, 1)
    assert policy.permits_purpose("VAT assessment") and not policy.permits_purpose("vat")
    assert not policy.requires_credential


def test_policy__changed_constraint__other_digest():
    a = Policy(purposes=("VAT assessment",), max_transfers=3)
    assert a.digest() != Policy(purposes=("VAT assessment",), max_transfers=4).digest()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a JSON object"),
        ({"purposes": ["p"], "colour": 1}, "unknown field(s) colour"),
        ({"purposes": "p"}, "purposes must be a list"),
        ({"purposes": []}, "purposes must be a non-empty list"),
        ({"purposes": [""]}, "purposes must be a non-empty list"),
        ({"purposes": ["p"], "consumerOrgs": [0]}, "consumerOrgs"),
        ({"purposes": ["p"], "consumerKinds": ["PIRATE"]}, "consumerKinds must be a list of"),
        ({"purposes": ["p"], "maxTransfers": -1}, "maxTransfers must be an integer"),
        ({"purposes": ["p"], "maxTransfers": True}, "maxTransfers must be an integer"),
        ({"purposes": ["p"], "approvals": 256}, "approvals must be an integer in 0..255"),
        ({"purposes": ["p"], "validFrom": 9, "validUntil": 9}, "validUntil must be after"),
        ({"purposes": ["p"], "type": "odrl:Set"}, "type must be"),
        ({"purposes": ["p"], "credentialType": ""}, "credentialType must be"),
        ({"purposes": ["p"], "notarized": "yes"}, "notarized must be true or false"),
    ],
)
def test_policy__malformed_document__one_reason(doc, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Policy.from_json(doc)


def test_policy_load__missing_or_not_json__names_the_file(tmp_path):
    with pytest.raises(PolicyError, match="policy file not found"):
        Policy.load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(PolicyError, match="is not JSON"):
        Policy.load(tmp_path / "bad.json")
