"""trustspace.notary.trust: which Notary a relying party trusts, checked without a chain.

A fake chain reader serves code and ``consortium()`` answers, so every rule of the trust
decision is exercised here in milliseconds; the CLI tests and the attack tests
(tests/security/test_verify_trust.py) run the same rules on the in-process chain.
"""

import os

import pytest
from eth_utils.address import to_checksum_address

from trustspace.artifacts import artifact, immutable_windows, runtime_matches
from trustspace.crypto.hashing import keccak
from trustspace.deploy.records import ContractRecord, DeploymentRecord, record_path, save
from trustspace.notary.trust import (
    CODE_RECORDED,
    CODE_SHIPPED,
    TrustedNotary,
    TrustError,
    check_claims,
    trusted_notary,
)

CHAIN = 31338
NOTARY = "0x" + "11" * 20
CONSORTIUM = "0x" + "22" * 20
OTHER = "0x" + "33" * 20


def runtime(name):
    return bytes.fromhex(artifact(name).runtime_bytecode.removeprefix("0x"))


def deployed_notary(seed: bytes = b"\x5a") -> bytes:
    """The shipped Notary runtime with every immutable placeholder filled, as a node holds it."""
    code = bytearray(runtime("Notary"))
    for start, end in immutable_windows(bytes(code)):
        code[start:end] = (seed * 32)[: end - start]
    return bytes(code)


class FakeChain:
    def __init__(self, codes, consortia, chain_id=CHAIN):
        self.codes = {a.lower(): c for a, c in codes.items()}
        self.consortia = {a.lower(): c for a, c in consortia.items()}
        self._chain_id = chain_id

    def chain_id(self):
        return self._chain_id

    def code(self, address):
        return self.codes.get(address.lower(), b"")

    def consortium_of(self, notary):
        return self.consortia[notary.lower()]


@pytest.fixture
def genuine():
    return FakeChain(
        {NOTARY: deployed_notary(), CONSORTIUM: runtime("Consortium")}, {NOTARY: CONSORTIUM}
    )


def record(folder, name="customs", notary=NOTARY, consortium=CONSORTIUM, chain=None, hashes=None):
    hashes = hashes or {}
    rec = DeploymentRecord(network=f"ethereum:{name}", chain_id=CHAIN)
    for contract, address in (("Consortium", consortium), ("Notary", notary)):
        code = (chain.code(address) if chain else b"") or b"\x00"
        rec.contracts[contract] = ContractRecord(
            contract_type=contract,
            address=address,
            tx_hash="",
            deployer="",
            codehash=hashes.get(contract, "0x" + keccak(code).hex()),
        )
    path = record_path(folder, "ethereum", name, CHAIN)
    save(rec, path)
    return path


# ------------------------------------------------------------------ code comparison


def test_immutable_windows__notary__one_per_placeholder():
    windows = list(immutable_windows(runtime("Notary")))
    assert windows and all(end - start == 32 for start, end in windows)
    assert all(runtime("Notary")[start - 1] == 0x7F for start, _ in windows)  # PUSH32


def test_runtime_matches__immutables_filled__true():
    assert runtime_matches(deployed_notary(), runtime("Notary"))


def test_runtime_matches__one_instruction_byte_changed__false():
    code = bytearray(deployed_notary())
    windows = list(immutable_windows(bytes(code)))
    outside = next(i for i in range(len(code)) if not any(a <= i < b for a, b in windows))
    code[outside] ^= 0xFF
    assert not runtime_matches(bytes(code), runtime("Notary"))


def test_runtime_matches__other_metadata_trailer__true_other_length__false():
    code = bytearray(deployed_notary())
    length = int.from_bytes(code[-2:], "big")
    code[-2 - length + 5] ^= 0xFF  # inside the CBOR metadata: source hash
    assert runtime_matches(bytes(code), runtime("Notary"))
    assert not runtime_matches(deployed_notary() + b"\x00", runtime("Notary"))
    assert not runtime_matches(runtime("Consortium"), runtime("Notary"))
    assert not runtime_matches(b"", b"")


# ------------------------------------------------------------------ --notary


def test_explicit_notary__shipped_code__trusted_with_its_consortium(genuine):
    trusted = trusted_notary(genuine, notary=NOTARY)
    assert trusted == TrustedNotary(
        CHAIN,
        to_checksum_address(NOTARY),
        to_checksum_address(CONSORTIUM),
        "--notary",
        CODE_SHIPPED,
    )
    assert trusted.source == "--notary" and trusted.code_check == CODE_SHIPPED


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ({}, f"no contract at Notary {NOTARY}"),
        ({NOTARY: b"\x60\x00"}, "does not hold the Notary code"),
        ({NOTARY: deployed_notary()}, f"no contract at Consortium {CONSORTIUM}"),
        ({NOTARY: deployed_notary(), CONSORTIUM: b"\x00"}, "does not hold the Consortium code"),
    ],
    ids=["no-code", "other-code", "consortium-missing", "consortium-other-code"],
)
def test_explicit_notary__wrong_code__refused(codes, message):
    chain = FakeChain(codes, {NOTARY: CONSORTIUM})
    with pytest.raises(TrustError, match=message):
        trusted_notary(chain, notary=NOTARY)


def test_explicit_notary__not_an_address__refused(genuine):
    with pytest.raises(TrustError, match="not an address"):
        trusted_notary(genuine, notary="0x1234")


# ------------------------------------------------------------------ deployment records


def test_record__codehash_matches__trusted_from_record(genuine, tmp_path):
    path = record(tmp_path, chain=genuine)
    trusted = trusted_notary(genuine, folder=tmp_path, network="ethereum:customs")
    assert trusted.source == f"deployment record {path}" and trusted.code_check == CODE_RECORDED


def test_record__none_for_chain__refused_naming_folder(genuine, tmp_path):
    with pytest.raises(TrustError, match=f"no trusted Notary for chain {CHAIN}.*{tmp_path}"):
        trusted_notary(genuine, folder=tmp_path)


def test_record__reset_chain__stale_refused(tmp_path, genuine):
    record(tmp_path, chain=genuine)
    empty = FakeChain({}, {})
    with pytest.raises(TrustError, match="stale"):
        trusted_notary(empty, folder=tmp_path)


def test_record__codehash_differs__refused(genuine, tmp_path):
    record(tmp_path, chain=genuine, hashes={"Notary": "0x" + "00" * 32})
    with pytest.raises(TrustError, match="other code than its deployment record"):
        trusted_notary(genuine, folder=tmp_path)


def test_record__notary_answers_to_another_consortium__refused(genuine, tmp_path):
    record(tmp_path, chain=genuine, consortium=OTHER)
    with pytest.raises(TrustError, match=f"records Consortium {OTHER}"):
        trusted_notary(genuine, folder=tmp_path)


def test_records__two_for_one_chain_id__network_name_decides_else_ambiguous(genuine, tmp_path):
    record(tmp_path, "customs", chain=genuine)
    record(tmp_path, "customs-old", notary=OTHER, chain=genuine)
    with pytest.raises(TrustError, match="several deployment records"):
        trusted_notary(genuine, folder=tmp_path, network="ethereum:elsewhere")
    chosen = trusted_notary(genuine, folder=tmp_path, network="ethereum:customs")
    assert chosen.notary.lower() == NOTARY


def test_records__stale_archives_ignored(genuine, tmp_path):
    path = record(tmp_path, chain=genuine)
    os.replace(path, path.with_name("ethereum-customs.stale-20260101T000000Z.json"))
    with pytest.raises(TrustError, match="no trusted Notary"):
        trusted_notary(genuine, folder=tmp_path)


# ------------------------------------------------------------------ claims


@pytest.fixture
def trusted():
    return TrustedNotary(
        CHAIN, to_checksum_address("0x" + "ab" * 20), CONSORTIUM, "--notary", CODE_SHIPPED
    )


def test_check_claims__same_chain_and_notary_any_case__accepted(trusted):
    check_claims(trusted, chain_id=CHAIN, notary=("0x" + "ab" * 20))
    check_claims(trusted, chain_id=None, notary=None)


@pytest.mark.parametrize(
    ("chain_id", "notary", "message"),
    [
        (1, None, f"the bundle is for chain 1, but the connected chain is {CHAIN}"),
        (CHAIN, OTHER, f"the bundle names Notary {OTHER}"),
        (CHAIN, "not an address", "the bundle names Notary not an address"),
    ],
)
def test_check_claims__other_chain_or_notary__refused(trusted, chain_id, notary, message):
    with pytest.raises(TrustError, match=message):
        check_claims(trusted, chain_id=chain_id, notary=notary)
