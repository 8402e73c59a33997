"""The notarization CLI end to end on the in-process chain, through click's CliRunner.

Commands run through the root ``trustspace`` group, as from a shell: errors become one
line (or one JSON document) and an exit code. The relying party trusts the Notary of its
own deployment record (``$TRUSTSPACE_DEPLOYMENTS``, written by the ``trusted`` fixture).
"""

import json

import pytest
from click.testing import CliRunner

from tests.utils.relying_party import write_record
from trustspace.cli import main
from trustspace.cli.notary import COMMANDS
from trustspace.cli.options import REVERT_HINTS
from trustspace.consortium.constants import Role
from trustspace.crypto.hashing import hash_bytes


@pytest.fixture(scope="module")
def notary_key(governance, approvers, customs_notary, outsider):
    # Requests every session-scoped actor up front: ape's isolation needs wider-scoped
    # fixtures set up before narrower ones (a late session fixture breaks its snapshots).
    # Idempotent: the session's Consortium may already know this actor (other modules).
    if governance.consortium.org_of(customs_notary) != 1:
        governance.enact("add_account", approvers=approvers, org_id=1, account=customs_notary)
    if not governance.consortium.has_role(customs_notary, int(Role.NOTARY)):
        governance.enact(
            "grant_role", approvers=approvers, account=customs_notary, roles=int(Role.NOTARY)
        )
    return customs_notary


@pytest.fixture(scope="module")
def cli_notary(project, deployer, consortium, notary_key):
    n = deployer.deploy(project.Notary, consortium)
    n.registerSchema("customs-declaration", "1.0", bytes(32), "", sender=notary_key)
    return n


@pytest.fixture(autouse=True)
def trusted(tmp_path, monkeypatch, chain, cli_notary, consortium):
    """The relying party's deployment record: the Notary every command trusts by default."""
    folder = tmp_path / "deployments"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))
    return write_record(folder, chain, notary=cli_notary, consortium=consortium)


@pytest.fixture(scope="module")
def alias(accounts):
    def build(account):
        index = next(i for i, a in enumerate(accounts) if a.address == account.address)
        return f"TEST::{index}"

    return build


@pytest.fixture
def run():
    # stdout apart from stderr: --json must leave exactly one document on stdout.
    runner = CliRunner(mix_stderr=False)

    def invoke(*args, code=0, input=None):
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False, input=input)
        assert result.exit_code == code, result.output
        return result

    return invoke


@pytest.fixture
def notarize_args(tmp_path, alias, notary_key):
    """The options every notarize call here shares: schema 1, bundles in tmp/b, JSON output."""
    return ("--schema", 1, "--out", tmp_path / "b", "--account", alias(notary_key), "--json")


@pytest.fixture
def documents(tmp_path):
    folder = tmp_path / "declarations"
    (folder / "sub").mkdir(parents=True)
    for i in range(5):
        (folder / ("sub" if i % 2 else ".") / f"decl-{i}.xml").write_text(f"<declaration n='{i}'/>")
    return folder


def test_commands__registered_names():
    assert [c.name for c in COMMANDS] == [
        "notarize",
        "verify",
        "revoke",
        "trace",
        "disclose",
        "verify-disclosure",
    ]


def test_notarize_directory__one_batch__every_bundle_verifies(
    notarize_args, run, cli_notary, consortium, documents, trusted, tmp_path
):
    result = json.loads(run("notarize", documents, *notarize_args).output)
    docs = result["documents"]
    assert len(docs) == 5 and len({d["record_id"] for d in docs}) == 1  # one batch
    assert result["notary"] == cli_notary.address and result["chain_id"] == 31337
    for d in docs:
        report = json.loads(run("verify", d["path"], "--bundle", d["bundle"], "--json").output)
        assert report["valid"] and report["included"] and report["status"] == "VALID"
        assert report["org_id"] == 1 and report["org_name"] == "Customs Authority"
        assert report["attested_at"] > 0 and report["schema"]["name"] == "customs-declaration"
        assert report["chain_id"] == 31337 and report["notary"] == cli_notary.address
        assert report["consortium"] == consortium.address
        assert report["trusted_from"] == f"deployment record {trusted}"
        assert report["code_check"] == "codehash recorded at deployment"
    human = run("verify", docs[0]["path"], "--bundle", docs[0]["bundle"]).output
    assert "VALID" in human and "Customs Authority (org 1)" in human
    assert "chain       31337" in human and cli_notary.address in human


def test_notarize_directory__bundles_mirror_the_tree(notarize_args, run, documents, tmp_path):
    docs = json.loads(run("notarize", documents, *notarize_args).output)["documents"]
    assert sorted(d["bundle"] for d in docs) == sorted(
        str(tmp_path / "b" / rel)
        for rel in (
            "decl-0.xml.bundle.json",
            "decl-2.xml.bundle.json",
            "decl-4.xml.bundle.json",
            "sub/decl-1.xml.bundle.json",
            "sub/decl-3.xml.bundle.json",
        )
    )


def test_verify__changed_file__exit_1(notarize_args, run, documents):
    d = json.loads(run("notarize", documents, *notarize_args).output)["documents"][0]
    with open(d["path"], "a") as f:
        f.write("tampered")
    bad = json.loads(run("verify", d["path"], "--bundle", d["bundle"], "--json", code=1).output)
    assert bad["valid"] is False and bad["ok"] is False and "differs" in bad["error"]


def test_verify__malformed_bundle__exit_2_one_json_document(run, tmp_path):
    document, bundle = tmp_path / "d.txt", tmp_path / "b.json"
    document.write_text("d")
    bundle.write_text("{")
    out = json.loads(run("verify", document, "--bundle", bundle, "--json", code=2).output)
    assert out["ok"] is False and "not JSON" in out["error"] and out["exit_code"] == 2


def test_verify__issuer_other_organisation__exit_1(notarize_args, run, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    d = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]
    bad = json.loads(
        run(
            "verify",
            doc,
            "--bundle",
            d["bundle"],
            "--issuer",
            "Tax Administration",
            "--json",
            code=1,
        ).output
    )
    assert bad["valid"] is False and bad["status"] == "VALID"
    assert (
        bad["error"] == "attested by Customs Authority (org 1), not by Tax Administration (org 2)"
    )
    run("verify", doc, "--bundle", d["bundle"], "--issuer", "customs authority", "--json")
    run("verify", doc, "--bundle", d["bundle"], "--issuer", "1", "--json")
    run("verify", doc, "--bundle", d["bundle"], "--issuer", "Nobody", "--json", code=2)


def test_revoke_bundle__shows_plan_asks__document_revoked__verify_exit_1(
    notarize_args, run, alias, notary_key, documents
):
    res = run("notarize", documents, *notarize_args)
    first, second, third = json.loads(res.output)["documents"][:3]
    accepted = run(
        "revoke", "--bundle", third["bundle"], "--account", alias(notary_key), input="y\n"
    )
    assert "revoked" in accepted.stdout
    run("verify", third["path"], "--bundle", third["bundle"], "--json", code=1)
    revoke = ("revoke", "--bundle", first["bundle"], "--reason", "superseded")
    declined = run(*revoke, "--account", alias(notary_key), input="n\n", code=2)
    assert "About to revoke" in declined.output and first["digest"] in declined.output
    assert "Customs Authority (org 1)" in declined.output and "VALID" in declined.output
    assert "nothing was revoked" in declined.stderr
    ok = json.loads(run("verify", first["path"], "--bundle", first["bundle"], "--json").output)
    assert ok["valid"]  # declining sent nothing

    # (CliRunner echoes typed input to stdout, so the JSON path answers with --yes.)
    done = run(*revoke, "--account", alias(notary_key), "--json", "--yes")
    payload = json.loads(done.stdout)
    assert payload["ok"] and payload["document"] == first["digest"]
    assert payload["org_name"] == "Customs Authority" and payload["status"] == "VALID"
    bad = json.loads(
        run("verify", first["path"], "--bundle", first["bundle"], "--json", code=1).output
    )
    assert bad["status"] == "DOCUMENT_REVOKED" and bad["revoked_at"] > 0
    assert bad["revocation_reason"] == "SUPERSEDED"
    ok = json.loads(run("verify", second["path"], "--bundle", second["bundle"], "--json").output)
    assert ok["valid"]
    again = run(*revoke, "--account", alias(notary_key), "--yes", "--json", code=2)
    assert "already revoked" in json.loads(again.stdout)["error"]


def test_revoke__outsider__fails(notarize_args, run, cli_notary, outsider, alias, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    rid = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]["record_id"]
    # The contract's custom error reaches the user decoded, by name and values, as one line.
    out = run("revoke", rid, "--account", alias(outsider), "--yes", "--json", code=2).output
    assert json.loads(out)["error"] == (
        f"the chain refused the transaction: NotaryNotNotary(account={outsider.address}): "
        f"{REVERT_HINTS['NotaryNotNotary']}"
    )
    assert cli_notary.status(rid) == 1  # still VALID: the refused call changed nothing


def test_notarize_files_with_parent__trace_shows_lineage(
    run, cli_notary, notary_key, alias, tmp_path
):
    a, b = tmp_path / "declaration.xml", tmp_path / "assessment.xml"
    a.write_text("declaration")
    b.write_text("assessment")
    common = ("--schema", 1, "--out", tmp_path / "b", "--account", alias(notary_key), "--json")
    parent = json.loads(run("notarize", a, *common).output)["documents"][0]["record_id"]
    child = json.loads(run("notarize", b, "--parent", parent, *common).output)["documents"][0]
    single = json.loads(run("verify", b, "--bundle", child["bundle"], "--json").output)
    assert single["valid"] and single["record_id"] == child["record_id"]
    traced = json.loads(run("trace", child["record_id"], "--json").output)
    tree = traced["lineage"]
    assert tree["id"] == parent and tree["status"] == "VALID"
    assert traced["notary"] == cli_notary.address and traced["chain_id"] == 31337
    assert [c["id"] for c in tree["children"]] in ([child["record_id"]], [])  # logs: see docs
    human = run("trace", child["record_id"]).output
    assert parent in human and "Customs Authority (org 1)" in human
    run("trace", "0x" + "00" * 32, "--json", code=2)


def test_verify_offline__says_what_it_checked__no_validity(notarize_args, run, documents):
    d = json.loads(run("notarize", documents, *notarize_args).output)["documents"][3]
    report = json.loads(
        run("verify", d["path"], "--bundle", d["bundle"], "--offline", "--json").output
    )
    assert report["ok"] and report["result"] == "proof self-consistent; anchoring not checked"
    assert "included" not in report and "valid" not in report
    assert report["claimed_by_bundle"]["org_name"] == "Customs Authority"
    human = run("verify", d["path"], "--bundle", d["bundle"], "--offline").output
    assert "proof self-consistent; anchoring not checked" in human
    assert "attester (claimed by the bundle)" in human and "Customs Authority (org 1)" in human


def test_notarize_json_record__two_encodings__one_digest_both_verify(notarize_args, run, tmp_path):
    record = {"declarant": "ACME", "items": [1, 2.5], "country": "FR"}
    compact, spaced = tmp_path / "compact.json", tmp_path / "spaced.json"
    compact.write_text(json.dumps(record, separators=(",", ":")))
    spaced.write_text(json.dumps(dict(reversed(list(record.items()))), indent=4) + "\n")
    assert compact.read_bytes() != spaced.read_bytes()
    d = json.loads(run("notarize", compact, "--json-record", *notarize_args).output)["documents"]
    report = json.loads(run("verify", spaced, "--bundle", d[0]["bundle"], "--json").output)
    assert report["valid"] and report["hashed_as"] == "json-rfc8785"
    assert report["digest"] == d[0]["digest"]
    # Forcing the canonical form on a bundle of raw bytes does not match.
    raw = tmp_path / "raw"
    raw_doc = json.loads(
        run(
            "notarize", spaced, "--schema", 1, "--out", raw, "--account", notarize_args[5], "--json"
        ).output
    )["documents"][0]
    run("verify", spaced, "--bundle", raw_doc["bundle"], "--json")
    run("verify", compact, "--bundle", raw_doc["bundle"], "--json", code=1)
    run("verify", spaced, "--bundle", raw_doc["bundle"], "--json-record", "--json", code=1)


def test_notarize_json_record__duplicate_keys__refused_before_sending(notarize_args, run, tmp_path):
    doc = tmp_path / "dup.json"
    doc.write_text('{"vat_exempt": false, "vat_exempt": true}')
    out = json.loads(run("notarize", doc, "--json-record", *notarize_args, code=2).output)
    assert "duplicate key" in out["error"]


def test_disclose__anchor_reveal_verify(run, cli_notary, notary_key, alias, tmp_path):
    record = tmp_path / "company.json"
    record.write_text(json.dumps({"name": "ACME", "vat_exempt": True, "country": "FR"}))
    commitment = tmp_path / "company.commitment.json"
    run(
        "disclose",
        record,
        "--anchor",
        "--commitment",
        commitment,
        "--account",
        alias(notary_key),
        "--json",
    )
    out = tmp_path / "disclosure.json"
    run("disclose", commitment, "--field", "country", "--out", out, "--json")
    text = out.read_text()
    assert "ACME" not in text and '"FR"' in text

    report = json.loads(run("verify-disclosure", out, "--json").output)
    assert report["valid"] and report["fields"] == {"country": "FR"}
    assert report["status"] == {"country": "VALID"}
    assert report["issuer"] == {"org_id": 1, "org_name": "Customs Authority"}
    assert report["chain_id"] == 31337 and report["notary"] == cli_notary.address
    offline = json.loads(run("verify-disclosure", out, "--offline", "--json").output)
    assert "valid" not in offline and offline["fields"] == {"country": "FR"}

    data = json.loads(text)
    data["fields"][0]["value"] = "DE"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    assert json.loads(run("verify-disclosure", forged, "--json", code=1).output)["valid"] is False


def test_notarize__no_trusted_notary__exit_2_before_sending(
    notary_key, alias, tmp_path, monkeypatch, run
):
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "empty"))
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    out = run("notarize", doc, "--schema", 1, "--account", alias(notary_key), code=2).stderr
    assert "no trusted Notary for chain 31337" in out and "--notary" in out


def test_notarize__explicit_notary__code_checked_against_shipped_runtime(
    notarize_args, run, cli_notary, tmp_path, monkeypatch
):
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "empty"))
    doc = tmp_path / "a.txt"
    doc.write_text("explicit")
    out = json.loads(run("notarize", doc, *notarize_args, "--notary", cli_notary.address).output)
    assert out["trusted_from"] == "--notary" and out["code_check"].startswith("runtime bytecode")
    assert out["documents"][0]["digest"] == "0x" + hash_bytes(b"explicit").hex()


def test_json_flag__silences_ape_logging_on_stdout(tmp_path):
    from ape.logging import LogLevel, logger

    document, bundle = tmp_path / "d.txt", tmp_path / "b.json"
    document.write_text("d")
    bundle.write_text("{}")
    before = logger.level
    try:
        logger.set_level("INFO")
        CliRunner().invoke(main, ["verify", str(document), "--bundle", str(bundle), "--json"])
        assert logger.level == LogLevel.ERROR
    finally:
        logger.set_level(before)
