"""trustspace.crypto.eip712: typed data, signing hash and signatures (chain-free checks)."""

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
        "nonce": 5,
        "deadline": 10**10,
    }
    base.update(kw)
    return eip712.AttestRequest(**base)


def test_signing_hash__manual_struct_hash__equal():
    r = request()
    type_hash = keccak(
        text="Attest(address attester,bytes32 digest,uint32 schemaId,bytes32 parent,"
        "uint40 expiresAt,uint256 nonce,uint256 deadline)"
    )
    struct = keccak(
        type_hash
        + bytes(12)
        + bytes.fromhex(r.attester[2:])
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
        + keccak(text="1")
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


def test_revoke_request__tuple_order_matches_struct():
    rr = eip712.RevokeRequest(revoker=NOTARY, id=b"\x02" * 32, reason=1, nonce=2, deadline=3)
    assert rr.as_tuple() == (NOTARY, b"\x02" * 32, 1, 2, 3)
    assert eip712.typed_data(rr, 1, NOTARY)["primaryType"] == "Revoke"


def test_random_nonce__large_and_distinct():
    nonces = {eip712.random_nonce() for _ in range(100)}
    assert len(nonces) == 100 and all(0 <= n < 2**248 for n in nonces)
