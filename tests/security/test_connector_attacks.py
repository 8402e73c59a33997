"""Hostile requests to the provider's connector: malformed JSON, huge bodies, forged, tampered,
replayed and malleated signatures, requests for another connector, chain or contract. None is
served and none is logged; each refusal says why (docs/dataspace.md).

The request path is called in process (``Connector.handle``); the body limits are checked
through the real FastAPI application served by uvicorn on 127.0.0.1 (a thread), because they
live in the HTTP layer.
"""

import json
import urllib.error
import urllib.request

import pytest
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustspace.dataspace.connector import MAX_BODY, serve_in_background
from trustspace.dataspace.request import DataRequest, SignedRequest, key_signer
from trustspace.devnet.chains import free_port

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture
def target(agreed, connector_for, vat_policy):
    """A customs connector over a live tax agreement."""
    offer_id, agreement_id = agreed()
    return connector_for({offer_id: vat_policy}), offer_id, agreement_id


def _refused(reply, status, code):
    assert (reply.status, reply.error["error"]) == (status, code), reply.body


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b"{}",
        b'{"consumer": 1}',
        b"\xff\xfe",
        b"[" * 8000,
    ],
    ids=["text", "array", "empty", "missing-fields", "not-utf8", "deep-nesting"],
)
def test_connector__malformed_json__refused_400(target, body, data_client):
    connector, _, agreement_id = target
    _refused(connector.handle(body), 400, "malformed")
    assert data_client.agreement(agreement_id).transfers == 0


def test_connector__fields_of_the_wrong_type__refused_400(target, signed_by, tax_clerk):
    connector, offer_id, agreement_id = target
    good = signed_by(tax_clerk, agreement_id, offer_id).to_json()
    for field, value in [
        ("agreementId", True),
        ("agreementId", -1),
        ("offerId", 2**64),
        ("expiry", "soon"),
        ("nonce", "0x12"),
        ("signature", "0x" + "00" * 64),
        ("consumer", tax_clerk.address.lower()),
        ("audience", "x" * 513),
    ]:
        doc = {**good, field: value}
        _refused(connector.handle(json.dumps(doc).encode()), 400, "malformed")
    _refused(connector.handle(json.dumps({**good, "extra": 1}).encode()), 400, "malformed")


def test_connector__huge_body__refused_413(target):
    connector, _, _ = target
    _refused(connector.handle(b"{" + b" " * MAX_BODY + b"}"), 413, "too_large")


def test_connector__huge_body_over_http__refused_413_without_reading_it(target):
    connector, _, _ = target
    port = free_port()
    with serve_in_background(connector, port) as base:
        url = base + "/transfer"
        declared = urllib.request.Request(url, data=b"x" * (MAX_BODY + 1))
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(declared, timeout=10)
        assert err.value.code == 413

        def chunks():  # no content-length: the stream is cut at MAX_BODY
            for _ in range(64):
                yield b"y" * 4096

        streamed = urllib.request.Request(url, data=chunks(), method="POST")
        streamed.add_header("Transfer-Encoding", "chunked")
        # The server answers 413 and stops reading: the client sees the 413, or, when the
        # server closed with the rest of the body unread, a reset; never a served dataset.
        try:
            urllib.request.urlopen(streamed, timeout=10)
            raise AssertionError("a 256 KiB request body was accepted")
        except urllib.error.HTTPError as err:
            assert err.code == 413
        except urllib.error.URLError as err:
            assert isinstance(err.reason, ConnectionResetError | BrokenPipeError), err
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as answer:
            assert json.loads(answer.read())["ok"]


def test_connector__tampered_after_signing__refused_as_forged(target, signed_by, tax_clerk):
    connector, offer_id, agreement_id = target
    doc = signed_by(tax_clerk, agreement_id, offer_id).to_json()
    for field, value in [("agreementId", agreement_id + 1), ("expiry", doc["expiry"] - 1)]:
        _refused(connector.handle(json.dumps({**doc, field: value}).encode()), 401, "forged")


def test_connector__signed_for_another_chain_or_contract__refused_as_forged(
    target, tax_clerk, data_client, chain
):
    connector, offer_id, agreement_id = target
    request = DataRequest(
        tax_clerk.address, agreement_id, offer_id, b"\x07" * 32,
        int(chain.pending_timestamp) + 60, connector.audience,
    )  # fmt: skip
    sign = key_signer(tax_clerk.private_key)
    for chain_id, contract in [
        (data_client.chain_id + 1, data_client.address),
        (data_client.chain_id, "0x" + "11" * 20),
    ]:
        signed = SignedRequest(request, sign(request.signable(chain_id, contract)))
        _refused(connector.handle(signed.body()), 401, "forged")


def test_connector__malleated_twin_of_a_served_request__not_served_again(
    target, signed_by, tax_clerk, data_client
):
    connector, offer_id, agreement_id = target
    signed = signed_by(tax_clerk, agreement_id, offer_id)
    assert connector.handle(signed.body()).status == 200
    r, s, v = signed.signature[:32], int.from_bytes(signed.signature[32:64]), signed.signature[64]
    twin = r + (SECP256K1_N - s).to_bytes(32) + bytes([55 - v])  # 27 <-> 28
    reply = connector.handle(SignedRequest(signed.request, twin).body())
    # Either refused as forged (high s) or as a replay (the request id is the signing hash,
    # which no signature form changes): never served, never logged twice.
    assert reply.status in (401, 409)
    assert data_client.agreement(agreement_id).transfers == 1


def test_connector__request_for_another_connector__refused(target, signed_by, tax_clerk):
    connector, offer_id, agreement_id = target
    signed = signed_by(tax_clerk, agreement_id, offer_id, audience="http://10.0.0.9:8750")
    _refused(connector.handle(signed.body()), 401, "wrong_audience")


def test_connector__expired_or_too_long_lived_request__refused(target, signed_by, tax_clerk, chain):
    connector, offer_id, agreement_id = target
    old = signed_by(tax_clerk, agreement_id, offer_id, now=int(chain.pending_timestamp) - 1000)
    _refused(connector.handle(old.body()), 401, "request_expired")
    forever = signed_by(tax_clerk, agreement_id, offer_id, lifetime=10 * 365 * 86400)
    _refused(connector.handle(forever.body()), 401, "request_too_long")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    position=st.integers(min_value=0, max_value=10_000),
    junk=st.binary(min_size=1, max_size=8),
)
def test_connector__any_byte_mutation_of_a_request__never_served(
    target, signed_by, tax_clerk, data_client, position, junk
):
    connector, offer_id, agreement_id = target
    body = signed_by(tax_clerk, agreement_id, offer_id).body()
    at = position % len(body)
    mutated = body[:at] + junk + body[at + len(junk) :]
    if mutated == body:
        return
    before = data_client.agreement(agreement_id).transfers
    reply = connector.handle(mutated)
    # A mutation may hit only insignificant bytes (JSON spacing, hex case): then the request is
    # the signed one and it is served once; otherwise it is refused and nothing is logged.
    if reply.status == 200:
        assert data_client.agreement(agreement_id).transfers == before + 1
    else:
        assert reply.status in (400, 401, 409)
        assert data_client.agreement(agreement_id).transfers == before


def test_connector__random_key_claiming_the_consumer__refused_as_forged(
    target, tax_clerk, chain, data_client
):
    connector, offer_id, agreement_id = target
    stranger = Account.create()
    request = DataRequest(
        tax_clerk.address, agreement_id, offer_id, b"\x09" * 32,
        int(chain.pending_timestamp) + 60, connector.audience,
    )  # fmt: skip
    signature = key_signer(stranger.key)(
        request.signable(data_client.chain_id, data_client.address)
    )
    _refused(connector.handle(SignedRequest(request, signature).body()), 401, "forged")
