"""trustspace.crypto.eip712: typed data, signing hash and signatures (chain-free checks)."""

import pytest
from eth_account import Account
from eth_utils import keccak

from trustspace.crypto import eip712

KEY = "0x" + "42" * 32
NOTARY = "0x" + "cd" * 20


def request(**kw):
    base = {
        "attester": Account.from_key(KEY).address,
        "digest": b"\x01" * 32,
        "schema_id": 3,
        "org_id": 2,
        "nonce": 5,
        "deadline": 10**10,
    }
    base.update(kw)
    return eip712.AttestRequest(**base)


def test_signing_hash__manual_struct_hash__equal():
    r = request()
    type_hash = keccak(
        text="Attest(address attester,uint32 orgId,bytes32 digest,uint32 schemaId,bytes32 parent,"
        "uint40 expiresAt,uint256 nonce,uint256 deadline)"
    )
    struct = keccak(
        type_hash
        + bytes(12)
        + bytes.fromhex(r.attester[2:])
        + r.org_id.to_bytes(32, "big")
        + r.digest
        + r.schema_id.to_bytes(32, "big")
        + r.parent
        + r.expires_at.to_bytes(32, "big")
        + r.nonce.to_bytes(32, "big")
        + r.deadline.to_bytes(32, "big")
    )
    domain_type = keccak(
        text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    domain = keccak(
        domain_type
        + keccak(text="trustspace Notary")
        + keccak(text="2")
        + (31337).to_bytes(32, "big")
        + bytes(12)
        + bytes.fromhex(NOTARY[2:])
    )
    assert eip712.signing_hash(r, 31337, NOTARY) == keccak(b"\x19\x01" + domain + struct)


def test_sign__recovers_signer_and_is_low_s():
    r = request()
    sig = eip712.sign(r, KEY, 31337, NOTARY)
    assert len(sig) == 65
    assert (
        int.from_bytes(sig[32:64], "big")
        <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
    )
    recovered = Account._recover_hash(eip712.signing_hash(r, 31337, NOTARY), signature=sig)
    assert recovered == r.attester


def test_signing_hash__chain_contract_or_field_change__differs():
    r = request()
    h = eip712.signing_hash(r, 31337, NOTARY)
    assert h != eip712.signing_hash(r, 31338, NOTARY)
    assert h != eip712.signing_hash(r, 31337, "0x" + "ce" * 20)
    assert h != eip712.signing_hash(request(nonce=6), 31337, NOTARY)


def test_signing_hash__other_organisation__differs():
    # The organisation is part of what is signed: customs' request is not tax's.
    assert eip712.signing_hash(request(org_id=1), 31337, NOTARY) != eip712.signing_hash(
        request(org_id=2), 31337, NOTARY
    )


def test_attest_request__tuple_order_matches_struct():
    r = request(parent=b"\x03" * 32, expires_at=9)
    assert r.as_tuple() == (r.attester, 2, b"\x01" * 32, 3, b"\x03" * 32, 9, 5, 10**10)


def test_revoke_request__tuple_order_matches_struct():
    rr = eip712.RevokeRequest(
        revoker=NOTARY, id=b"\x02" * 32, reason=1, nonce=2, deadline=3, org_id=4
    )
    assert rr.as_tuple() == (NOTARY, 4, b"\x02" * 32, 1, 2, 3)
    assert eip712.typed_data(rr, 1, NOTARY)["primaryType"] == "Revoke"
    assert eip712.typed_data(rr, 1, NOTARY)["types"]["Revoke"][1] == {
        "name": "orgId",
        "type": "uint32",
    }


@pytest.mark.parametrize("org_id", [0, -1, 2**32, True, "1"])
def test_requests__organisation_outside_uint32_or_zero__refused(org_id):
    with pytest.raises(ValueError, match="org_id must be an organisation id"):
        request(org_id=org_id)
    with pytest.raises(ValueError, match="org_id must be an organisation id"):
        eip712.RevokeRequest(
            revoker=NOTARY, id=bytes(32), reason=0, nonce=0, deadline=0, org_id=org_id
        )


def test_requests__without_organisation__refused():
    with pytest.raises(TypeError, match="org_id"):
        eip712.RevokeRequest(revoker=NOTARY, id=bytes(32), reason=0, nonce=0, deadline=0)  # type: ignore[call-arg]


def test_random_nonce__large_and_distinct():
    nonces = {eip712.random_nonce() for _ in range(100)}
    assert len(nonces) == 100 and all(0 <= n < 2**248 for n in nonces)
