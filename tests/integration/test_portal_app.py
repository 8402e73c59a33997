"""The portal's pages and JSON endpoints, served from a thread of the test process
(tests/utils/portal_server.py) over one anvil chain with the suite, and the attacks on them:
hostile text written on chain shows escaped, malformed ids and oversize or ambiguous bundles are
refused, other hosts and writes are refused. The command's own mistakes are in
test_portal_bad_input.py.

The chain carries a schema, an offer and a DID service endpoint whose text is an XSS payload,
and one attested document; a second app over a node that is not there checks the 503 page."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from typing import Any

import pytest

from tests.utils.deploy_cli import chains_up, deploy_over_web3, founding_admin_keys
from tests.utils.portal_server import served
from trustspace.bus.web3tx import TxSender, connect
from trustspace.cli.portal import allowed_hosts
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.dataspace.policy import Policy
from trustspace.deploy.records import find
from trustspace.devnet.chains import free_port, mnemonic_key
from trustspace.notary.bundle import Bundle
from trustspace.notary.client import NotaryClient
from trustspace.notary.tree import record_id
from trustspace.portal import views
from trustspace.portal.app import PortalSettings, create_app
from trustspace.portal.chains import Fields, PortalChain, portal_web3
from trustspace.portal.views import MAX_BUNDLE_BYTES

pytestmark = pytest.mark.anvil

XSS = '<script>alert("portal")</script><img src=x onerror=alert(1)>'
DOCUMENT = b"declaration CD-2026-0001\nvalue 1,000 EUR\n"
CUSTOMS = 1
JSON = {"Content-Type": "application/json"}


def _send(w3: Any, key: Any, call: Any) -> Any:
    sender = TxSender(w3, key)
    receipt = sender.send(sender.prepare(call))
    assert receipt["status"] == 1
    return receipt


@pytest.fixture(scope="module")
def stand(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Customs' chain with the suite, hostile text on chain and one notarized document."""
    root = tmp_path_factory.mktemp("portal")
    home, deployments = root / "home", root / "deployments"
    home.mkdir()
    deployments.mkdir()
    with chains_up(home, ("customs",)) as running:
        url = running["customs"].url
        suite = deploy_over_web3(url, "customs", deployments)
        w3 = connect(url)
        admins = founding_admin_keys()[:3]
        clerk = mnemonic_key(7)
        gov = Governance(suite.consortium)
        gov.enact("add_account", approvers=admins, org_id=CUSTOMS, account=clerk.address)
        gov.enact("grant_role", approvers=admins, account=clerk.address, roles=int(Role.NOTARY))
        notary = suite.contract("Notary")
        _send(w3, clerk, notary.functions.registerSchema(XSS, "1.0", bytes(32), XSS))
        digest = hashlib.sha256(DOCUMENT).digest()
        _send(w3, clerk, notary.functions.attest(digest, 1, bytes(32), 0))
        policy = Policy.from_json({"purposes": ["VAT assessment"], "consumerKinds": ["TAX"]})
        service = suite.contract("DataService")
        _send(
            w3,
            admins[0],
            service.functions.publishOffer(
                XSS, bytes(32), bytes(32), policy.digest(), policy.terms()
            ),
        )
        registry = suite.contract("DIDRegistry")
        name = b"did/svc/Portal".ljust(32, b"\0")
        _send(w3, clerk, registry.functions.setAttribute(clerk.address, name, XSS.encode(), 86400))
        record = find(deployments, 31338)
        chain = PortalChain("customs", url, 31338, w3, record, deployments)
        bundle = Bundle(
            digest=digest,
            org_id=CUSTOMS,
            record_id=record_id(digest, CUSTOMS),
            chain_id=31338,
            notary=notary.address,
        )
        app = create_app(PortalSettings([chain], home, None))
        with served(app) as client:
            yield {
                "client": client,
                "chain": chain,
                "bundle": bundle,
                "clerk": clerk.address,
                "url": url,
                "deployments": deployments,
                "home": home,
            }


def _verify(stand: Any, document: bytes, bundle: Any = None) -> Any:
    body = {
        "digest": "0x" + hashlib.sha256(document).hexdigest(),
        "bundle": bundle if bundle is not None else stand["bundle"].to_json(),
    }
    return stand["client"].post("/api/verify", data=json.dumps(body), headers=JSON)


def test_portal_verify__document_of_its_bundle__valid_with_organisation(stand):
    answer = _verify(stand, DOCUMENT)

    assert answer.status_code == 200
    report = answer.json()
    assert report["status"] == "VALID", report.get("reason")
    assert report["valid"] and report["included"]
    assert report["organisation"] == "Customs Authority" and report["chain"] == "customs"


def test_portal_verify__one_byte_changed__not_valid_with_reason(stand):
    tampered = bytearray(DOCUMENT)
    tampered[-6] ^= 1

    report = _verify(stand, bytes(tampered)).json()

    assert report["valid"] is False and report["status"] == "NOT_MATCHING"
    assert "differs from the bundle's" in report["reason"]


def test_portal_verify__bundle_naming_another_notary__refused_as_untrusted(stand):
    bundle = stand["bundle"].to_json()
    bundle["attestation"]["notary"] = stand["clerk"]

    report = _verify(stand, DOCUMENT, bundle).json()

    assert report["valid"] is False and report["status"] == "UNTRUSTED"


def test_portal_record__attested_document__shows_record_and_lineage(stand):
    rid = "0x" + stand["bundle"].record_id.hex()

    page = stand["client"].get(f"/records/{rid}")

    assert page.status_code == 200
    assert "Customs Authority" in page.text and "VALID" in page.text and "Lineage" in page.text


def test_portal_record__well_formed_unknown_id__404_page(stand):
    page = stand["client"].get("/records/0x" + "ab" * 32)

    assert page.status_code == 404
    assert "no chain holds record" in page.text and "Traceback" not in page.text


def test_portal_attack__malformed_record_id__400_before_any_chain(stand):
    for bad in ("0x12", "0x" + "zz" * 32, "1;DROP TABLE", "0x" + "ab" * 33):
        page = stand["client"].get(f"/records/{bad}")
        api = stand["client"].get(f"/api/records/{bad}")
        assert page.status_code == 400 and api.status_code == 400, bad
        assert api.json() == {
            "ok": False,
            "error": "record id must be 0x followed by 64 hex digits",
        }


def test_portal_attack__xss_in_schema_name_and_offer_title__shown_escaped(stand):
    records = stand["client"].get("/records").text
    data = stand["client"].get("/data").text

    for page in (records, data):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;portal&#34;)&lt;/script&gt;" in page


def test_portal_attack__xss_in_did_service_endpoint__shown_escaped(stand):
    did = f"did:ethr:0x7a6a:{stand['clerk']}"

    page = stand["client"].get("/dids", params={"did": did})

    assert page.status_code == 200 and "Resolved document" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text


def test_portal_attack__oversize_bundle__refused_413(stand):
    bundle = stand["bundle"].to_json()
    bundle["extra"] = {"padding": "x" * (3 * MAX_BUNDLE_BYTES)}

    answer = _verify(stand, DOCUMENT, bundle)

    assert (
        answer.status_code == 413
        and "send the digest and the bundle only" in answer.json()["error"]
    )


def test_portal_attack__bundle_just_over_its_limit__refused_400(stand):
    bundle = stand["bundle"].to_json()
    bundle["extra"] = {"padding": "x" * MAX_BUNDLE_BYTES}

    answer = _verify(stand, DOCUMENT, bundle)

    assert answer.status_code == 400 and "bundles are at most" in answer.json()["error"]


def test_portal_attack__bundle_with_repeated_key__refused_as_ambiguous(stand):
    digest = "0x" + hashlib.sha256(DOCUMENT).hexdigest()
    text = json.dumps(stand["bundle"].to_json())
    repeated = text[:-1] + ', "version": 1}'
    as_text = json.dumps({"digest": digest, "bundle": repeated})  # what the page sends
    as_object = '{"digest": "' + digest + '", "bundle": ' + repeated + "}"

    for body in (as_text, as_object):
        answer = stand["client"].post("/api/verify", data=body, headers=JSON)
        assert answer.status_code == 400 and "repeats a key" in answer.json()["error"]


def test_portal_attack__request_naming_another_host__refused(stand):
    answer = stand["client"].get("/", headers={"Host": "attacker.example"})

    assert answer.status_code == 400


def test_portal_attack__write_methods__refused_read_only(stand):
    for method in ("post", "put", "delete"):
        answer = getattr(stand["client"], method)("/api/records")
        assert answer.status_code == 405, method
    page = stand["client"].get("/consortium")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_portal_chain_down__page_says_unreachable_503(stand, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    record = find(stand["deployments"], 31338)
    chain = PortalChain("customs", dead, 31338, connect(dead, timeout=2), record)
    with served(create_app(PortalSettings([chain], tmp_path, None))) as client:
        page = client.get("/records/0x" + "ab" * 32)
        api = client.get("/api/consortium")

    assert page.status_code == 503 and f"chain customs ({dead}) did not answer" in page.text
    assert "Traceback" not in page.text
    assert api.status_code == 503 and api.json()["ok"] is False


def test_portal_search__record_id_typed__redirects_to_its_page(stand):
    rid = "0x" + stand["bundle"].record_id.hex()

    answer = stand["client"].get("/records", params={"id": f" {rid} "})

    assert answer.status_code == 303 and answer.headers["location"] == f"/records/{rid}"


def test_portal_search__json_twin_with_an_id__redirects_to_the_records_json(stand):
    # /api/records?id= used to ignore the id and answer the whole list.
    rid = "0x" + stand["bundle"].record_id.hex()

    answer = stand["client"].get("/api/records", params={"id": rid})
    bad = stand["client"].get("/api/bus", params={"id": "0x12"})

    assert answer.status_code == 303 and answer.headers["location"] == f"/api/records/{rid}"
    assert bad.status_code == 400 and bad.json()["ok"] is False


def test_portal_attack__malformed_search_inputs__400_naming_the_field(stand):
    cases = {
        "/records?id=0x12": "record id must be 0x followed by 64 hex digits",
        "/records?org=1%3B2": "organisation id must be a whole number",
        "/api/records?schema=-1": "schema id must be a whole number",
        "/bus?id=%3Cscript%3E": "message id must be 0x followed by 64 hex digits",
        "/api/bus/0x1234": "message id must be 0x followed by 64 hex digits",
        "/api/dids?did=did:web:example.org": "did",
        "/api/dids?did=" + "x" * 301: "a DID is at most 300 characters",
    }
    for path, says in cases.items():
        answer = stand["client"].get(path)
        assert answer.status_code == 400, (path, answer.status_code)
        assert says in answer.text, (path, answer.text)
        assert "<script>" not in answer.text


def test_portal_attack__state_changing_function__not_callable_through_the_view(stand):
    notary = stand["chain"].view("Notary")

    assert notary.schema(1).name == XSS  # a view reads, struct members by name
    for write in ("attest", "revoke", "registerSchema"):
        with pytest.raises(AttributeError, match="changes state: the portal only reads"):
            getattr(notary, write)


def test_portal_fields__struct_member_named_like_a_tuple_method__reads_the_member():
    fields = Fields([7, 8, 9], ["count", "index", "orgId"])

    assert (fields.count, fields.index, fields.orgId) == (7, 8, 9)
    with pytest.raises(AttributeError):
        _ = fields.missing


def test_portal_attack__huge_integer_in_bundle__400_not_a_500(stand):
    # Python refuses to convert an integer of over 4,300 digits (a ValueError that is not a
    # JSONDecodeError): it used to escape as an internal error.
    digest = "0x" + hashlib.sha256(DOCUMENT).hexdigest()
    text = json.dumps(stand["bundle"].to_json())
    huge = text.replace('"chain_id": 31338', '"chain_id": ' + "9" * 5000)
    as_text = json.dumps({"digest": digest, "bundle": huge})
    as_object = '{"digest": "' + digest + '", "bundle": ' + huge + "}"

    for body in (as_text, as_object):
        answer = stand["client"].post("/api/verify", data=body, headers=JSON)
        assert answer.status_code == 400, answer.text
        assert "is not JSON" in answer.json()["error"] and "\n" not in answer.json()["error"]


def test_portal_attack__deeply_nested_bundle__400_before_parsing(stand):
    # The JSON parser's depth bound is the recursion limit, which py_ecc raises to 100,000 in
    # the server's process: nesting is bounded before the parser runs.
    digest = "0x" + hashlib.sha256(DOCUMENT).hexdigest()
    deep = "[" * 30_000 + "]" * 30_000
    bodies = {
        "the request": '{"digest": "' + digest + '", "bundle": {"extra": ' + deep + "}}",
        "the bundle": json.dumps({"digest": digest, "bundle": '{"extra": ' + deep + "}"}),
    }
    for what, body in bodies.items():
        answer = stand["client"].post("/api/verify", data=body, headers=JSON)
        assert answer.status_code == 400, (what, answer.text)
        assert answer.json()["error"] == f"{what} nests deeper than 32 levels"
    # Unterminated strings of escaped quotes: the depth scan reads them once, not per quote.
    body = json.dumps({"digest": digest, "bundle": '{"a": "' + '\\"' * 30_000})
    answer = stand["client"].post("/api/verify", data=body, headers=JSON)
    assert answer.status_code == 400 and "the bundle is not JSON" in answer.json()["error"]


def test_portal_attack__non_ascii_digits_in_a_filter__400_not_a_500(stand):
    # str.isdigit accepts superscripts, which int() refuses: the filter used to answer 500.
    for path in ("/records?org=%C2%B2", "/api/records?schema=%C2%B9", "/api/records?org=%D9%A1"):
        answer = stand["client"].get(path)
        assert answer.status_code == 400, (path, answer.status_code)
        assert "must be a whole number" in answer.text


def test_portal_attack__cross_site_simple_post_to_verify__refused_415(stand):
    # A page elsewhere may post text/plain or a form without a CORS preflight; only
    # application/json, which needs the preflight the portal never grants, is taken.
    body = json.dumps(
        {"digest": "0x" + hashlib.sha256(DOCUMENT).hexdigest(), "bundle": stand["bundle"].to_json()}
    )
    for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None):
        headers = {"Origin": "http://attacker.example"}
        if kind:
            headers["Content-Type"] = kind
        answer = stand["client"].post("/api/verify", data=body, headers=headers)
        assert answer.status_code == 415, (kind, answer.status_code)
        assert "access-control-allow-origin" not in answer.headers


def test_portal_attack__other_origin__no_cors_grant(stand):
    origin = {"Origin": "http://attacker.example"}
    preflight = stand["client"].request(
        "OPTIONS",
        "/api/verify",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    answer = stand["client"].get("/api/records", headers=origin)

    assert preflight.status_code == 405
    for response in (preflight, answer):
        assert "access-control-allow-origin" not in response.headers


def test_portal_attack__dns_rebinding_on_every_interface__names_refused(stand):
    # Listening on 0.0.0.0 used to turn the Host check off ("*"): a rebound name then reached
    # the portal. Any IP address and this machine's names are answered, no other name.
    names, any_ip = allowed_hosts("0.0.0.0")
    settings = PortalSettings([stand["chain"]], stand["home"], None, names, any_ip)
    with served(create_app(settings)) as client:
        rebound = client.get("/", headers={"Host": "attacker.example:8600"})
        by_address = client.get("/", headers={"Host": "192.0.2.7:8600"})
        by_v6 = client.get("/", headers={"Host": "[2001:db8::7]:8600"})

    assert rebound.status_code == 400
    assert by_address.status_code == 200 and by_v6.status_code == 200
    assert "*" not in names and "localhost" in names


def test_portal_attack__static_path_traversal__not_served(stand):
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
                 "/static/%2e%2e%2f%2e%2e%2fviews.py"):  # fmt: skip
        answer = stand["client"].get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert "import" not in answer.text


def test_portal_attack__record_list__status_asked_only_for_the_records_shown(stand, monkeypatch):
    # One status call per record ever attested made every /records request cost the whole
    # history; only the shown page (limit) is asked.
    asked: list[bytes] = []
    status = NotaryClient.status

    def counting(self: Any, rid: bytes) -> Any:
        asked.append(rid)
        return status(self, rid)

    monkeypatch.setattr(NotaryClient, "status", counting)
    listed = views.records_of([stand["chain"]], None, None, limit=0)

    assert listed["records"] == [] and listed["more"] >= 1
    assert asked == []


def test_portal_attack__hung_node__one_attempt_then_503(stand, tmp_path):
    # A node that accepts and never answers: web3.py's default client retried each call five
    # times (about 80 s a page at the command's 15 s timeout, a server thread held throughout).
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)
    attempts: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                attempts.append(hung.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{hung.getsockname()[1]}"
    record = find(stand["deployments"], 31338)
    chain = PortalChain("customs", url, 31338, portal_web3(url, timeout=0.5), record)
    try:
        with served(create_app(PortalSettings([chain], tmp_path, None))) as client:
            answer = client.get("/api/records/0x" + "ab" * 32)
    finally:
        hung.close()
        for held in attempts:
            held.close()

    assert answer.status_code == 503
    assert answer.json()["error"].startswith(f"chain customs ({url}) did not answer")
    assert len(attempts) == 1


@pytest.mark.parametrize(
    ("part", "key", "value"),
    [
        ("attestation", "org_id", -1),
        ("attestation", "org_id", 2**300),
        ("attestation", "org_id", 1.9),
        ("attestation", "org_id", "1"),
        ("attestation", "chain_id", True),
        ("attestation", "schema_id", 2**32),
    ],
)
def test_portal_attack__bundle_number_not_an_integer_of_its_type__400(stand, part, key, value):
    # -1 and 2**300 used to fail inside the record id's computation (500); 1.9 read as 1.
    bundle = stand["bundle"].to_json()
    bundle[part][key] = value

    answer = _verify(stand, DOCUMENT, json.dumps(bundle))

    assert answer.status_code == 400, answer.text
    assert f"{part}.{key} must be a whole number" in answer.json()["error"]


def test_bundle__negative_org_id__refused_as_malformed(stand):
    from trustspace.notary.bundle import BundleError, verify_offline

    bundle = stand["bundle"].to_json()
    bundle["attestation"]["org_id"] = -1

    with pytest.raises(BundleError):
        verify_offline(Bundle.from_json(bundle), stand["bundle"].digest)


def _impostor_attested(w3: Any, key: Any, org_id: int, schema_id: int) -> None:
    """A contract that is not the Notary emits, in its constructor, an ``Attested`` log of
    organisation ``org_id`` under schema ``schema_id`` (raw EVM: three MSTOREs, one LOG4)."""
    from eth_utils import keccak

    def push32(value: bytes) -> str:
        return "7f" + value.rjust(32, b"\0").hex()

    words = [bytes.fromhex(key.address[2:]), schema_id.to_bytes(32, "big"), bytes(32)]
    code = "".join(push32(w) + "60" + f"{32 * i:02x}" + "52" for i, w in enumerate(words))
    topics = [
        keccak(text="Attested(bytes32,bytes32,uint256,address,uint32,uint40)"),
        b"\x13" * 32,
        b"\x37" * 32,
        org_id.to_bytes(32, "big"),
    ]
    code += "".join(push32(t) for t in reversed(topics)) + "6060" + "6000" + "a4" + "00"
    tx = w3.eth.send_transaction({"from": key.address, "data": "0x" + code})  # anvil's account
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1 and len(receipt["logs"]) == 1


FILTERS = (("1", None), (None, "1"))  # organisation 1; schema 1


def _spy(real: Any, name: str, asked: list[str]) -> Any:
    """``real``, noting each call's name in ``asked``."""

    def spied(*args: Any, **kwargs: Any) -> Any:
        asked.append(name)
        return real(*args, **kwargs)

    return spied


def test_portal_records__index_configured__same_list_from_the_index_without_impostors(
    stand, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from trustspace.cli import main
    from trustspace.index import source

    w3 = stand["chain"].w3
    _impostor_attested(w3, mnemonic_key(8), CUSTOMS, 1)
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path / "home"))  # no default index file
    monkeypatch.delenv("TRUSTSPACE_INDEX", raising=False)
    from_chain = [
        views.records_of([stand["chain"]], org, schema, limit=50) for org, schema in FILTERS
    ]

    monkeypatch.setenv("TRUSTSPACE_INDEX", str(tmp_path / "index.sqlite"))
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(stand["deployments"]))
    indexed = CliRunner(mix_stderr=False).invoke(
        main, ["index", "run", "--once", "--network", f"customs={stand['url']}"]
    )
    assert indexed.exit_code == 0, indexed.stderr
    assert source.index_for(w3) is not None
    asked: list[str] = []
    for name in ("records_of_organisation", "records_by_schema"):
        monkeypatch.setattr(views, name, _spy(getattr(views, name), name, asked))
    from_index = [
        views.records_of([stand["chain"]], org, schema, limit=50) for org, schema in FILTERS
    ]

    assert asked == ["records_of_organisation", "records_by_schema"]  # the index answered
    for chain_page, index_page in zip(from_chain, from_index, strict=True):
        assert index_page["records"] == chain_page["records"] != []
    ids = {r["id"] for page in from_index for r in page["records"]}
    assert "0x" + "13" * 32 not in ids  # the impostor's Attested log is not the Notary's


def test_portal_icon__linked_from_every_page__served_from_the_package(stand):
    page = stand["client"].get("/records")
    assert '<link rel="icon" href="/static/favicon.svg"' in page.text
    icon = stand["client"].get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
