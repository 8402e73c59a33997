"""The notarization CLI end to end on the in-process chain, through click's CliRunner.

Commands run through the root ``trustspace`` group, as from a shell: errors become one
line (or one JSON document) and an exit code. The relying party trusts the Notary of its
own deployment record (``$TRUSTSPACE_DEPLOYMENTS``, written by the ``trusted`` fixture).
"""

import json
from pathlib import Path

import ape
import pytest
from click.testing import CliRunner
from eth_abi.abi import encode

from tests.utils.relying_party import one_line, write_record
from trustspace.cli import main
from trustspace.cli.notary import COMMANDS
from trustspace.consortium.constants import Role
from trustspace.crypto.hashing import hash_bytes


@pytest.fixture(scope="module")
def notary_key(governance, approvers, customs_notary, outsider, spare_accounts):
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
        "mirror",
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


def test_revoke__outsider__one_line_before_sending(
    notarize_args, run, cli_notary, outsider, alias, tmp_path
):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    rid = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]["record_id"]
    out = json.loads(
        run("revoke", rid, "--account", alias(outsider), "--yes", "--json", code=2).stdout
    )
    assert out["error"].startswith(f"the signing account ({outsider.address}) has no NOTARY role")
    assert "nothing was sent" in out["error"]
    # The contract's custom error still guards the call itself.
    with ape.reverts(cli_notary.NotaryNotNotary, account=outsider.address):
        cli_notary.revoke(rid, 0, sender=outsider)


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
    # The name comes from the trusted Consortium while the chain answers (the record is not
    # looked up: still offline as far as validity goes).
    assert report["attester"]["verified"] and report["attester"]["org_name"] == "Customs Authority"
    human = run("verify", d["path"], "--bundle", d["bundle"], "--offline").output
    assert "proof self-consistent; anchoring not checked" in human
    assert "Customs Authority (org 1), named by the Consortium you trust on chain 31337" in human


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


# ------------------------------------------------------------------ issue 13


def test_notarize_directory__summary_line__list_shows_every_document(
    run, alias, notary_key, documents, tmp_path
):
    common = ("--schema", 1, "--account", alias(notary_key))
    human = run("notarize", documents, *common, "--out", tmp_path / "b").stdout
    lines = human.splitlines()
    (summary,) = [line for line in lines if line.startswith("Notarized")]
    assert summary.startswith("Notarized 5 document(s) in 1 record(s) as Customs Authority (org 1)")
    assert "(--list shows every document)" in summary
    (record_line,) = [line for line in lines if line.startswith("record ")]
    assert "batch of 5 documents" in record_line and " root 0x" in record_line
    assert " tx 0x" in record_line and " gas " in record_line
    assert not any("decl-3.xml.bundle.json" in line for line in lines)
    # --list: one line per document with its full ids (nothing wrapped or cut).
    listed = run("notarize", documents, *common, "--out", tmp_path / "c", "--list", code=2)
    assert "already notarized" in listed.stderr  # same root: the batch exists


def test_notarize__list__full_ids_one_line_each(run, alias, notary_key, documents, tmp_path):
    out = run(
        "notarize", documents, "--schema", 1, "--account", alias(notary_key), "--out",
        tmp_path / "b", "--list",
    ).stdout  # fmt: skip
    rows = [line.split("  ") for line in out.splitlines() if line.startswith(str(documents))]
    assert len(rows) == 5
    for _path, digest, record, bundle in rows:
        assert len(digest) == 66 and len(record) == 66 and bundle.endswith(".bundle.json")
    assert "…" not in out


def test_notarize__again__already_notarized_with_record_and_time(run, notarize_args, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("once")
    first = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]
    again = json.loads(run("notarize", doc, *notarize_args, code=2).stdout)
    assert again["ok"] is False and again["exit_code"] == 2
    assert f"already notarized by organisation 1 as record {first['record_id']}" in again["error"]
    assert "UTC" in again["error"] and "nothing was sent" in again["error"]


def test_notarize__unknown_schema__one_line_before_sending(run, notarize_args, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    args = list(notarize_args)
    args[1] = 99
    out = json.loads(run("notarize", doc, *args, code=2).stdout)
    assert out["error"].startswith("unknown schema 99 on Notary")
    assert "trustspace schema list" in out["error"]


def test_notarize__account_without_notary_role__one_line(run, alias, outsider, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    err = run("notarize", doc, "--schema", 1, "--account", alias(outsider), code=2).stderr
    assert "has no NOTARY role" in one_line(err) and "Traceback" not in err


def test_notarize__expiry_in_the_past__one_line(run, notarize_args, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    out = json.loads(run("notarize", doc, *notarize_args, "--expires-at", 1, code=2).stdout)
    assert out["error"].startswith("--expires-at 1 (1970-01-01 00:00:01 UTC) is not after")


@pytest.mark.parametrize(
    "address, says",
    [
        ("0x1234", "is not an address"),
        ("0x" + "12" * 20, "no contract at Notary"),
    ],
)
def test_notary_flag__malformed_or_empty__one_line(run, notarize_args, tmp_path, address, says):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    out = json.loads(run("notarize", doc, *notarize_args, "--notary", address, code=2).stdout)
    assert says in out["error"]


def test_notary_flag__wrong_contract__refused(run, notarize_args, consortium, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    out = json.loads(
        run("notarize", doc, *notarize_args, "--notary", consortium.address, code=2).stdout
    )
    assert "does not hold the Notary code" in out["error"]


def test_revoke__twice__says_when_and_why(run, notarize_args, alias, notary_key, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    rid = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]["record_id"]
    revoke = ("revoke", rid, "--reason", "withdrawn", "--account", alias(notary_key), "--yes")
    run(*revoke, "--json")
    again = json.loads(run(*revoke, "--json", code=2).stdout)
    assert again["error"].startswith(f"{rid} was already revoked at ")
    assert "(reason WITHDRAWN): nothing was sent" in again["error"]
    bundle = tmp_path / "b" / "a.txt.bundle.json"
    report = json.loads(run("verify", doc, "--bundle", bundle, "--json", code=1).stdout)
    assert report["status"] == "REVOKED" and report["revocation_reason"] == "WITHDRAWN"
    human = run("verify", doc, "--bundle", bundle, code=1).stdout
    assert "reason WITHDRAWN" in human and "revoked " in human


def test_revoke_and_trace__unknown_record__one_line(run, alias, notary_key):
    unknown = "0x" + "ab" * 32
    err = run("revoke", unknown, "--account", alias(notary_key), "--yes", code=2).stderr
    assert f"no record {unknown}" in one_line(err)
    out = json.loads(run("trace", unknown, "--json", code=2).stdout)
    assert out["error"].startswith(f"unknown record {unknown}")
    assert json.loads(run("trace", "0x12", "--json", code=2).stdout)["ok"] is False


def test_trace__bundle__takes_record_and_chain_from_it(run, notarize_args, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("traced")
    d = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]
    traced = json.loads(run("trace", "--bundle", d["bundle"], "--json").output)
    assert traced["lineage"]["id"] == d["record_id"]


def test_verify__bundle_transaction_edited__refused(run, notarize_args, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    d = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]
    bundle = json.loads(Path(d["bundle"]).read_text())
    bundle["attestation"]["tx_hash"] = "0x" + "77" * 32
    edited = tmp_path / "edited.bundle.json"
    edited.write_text(json.dumps(bundle))
    out = json.loads(run("verify", doc, "--bundle", edited, "--json", code=2).stdout)
    assert out["error"].startswith(f"the bundle's transaction 0x{'77' * 32} is not on chain 31337")
    assert "valid" not in out


def test_disclose__malformed_json__one_line(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": ')
    out = json.loads(run("disclose", bad, "--json", code=2).stdout)
    assert "not a JSON record" in out["error"]
    bad.write_text("[1, 2]")
    out = json.loads(run("disclose", bad, "--json", code=2).stdout)
    assert "must be a JSON object of fields (got list)" in out["error"]


def test_disclose__commitment_secret_0600__never_overwritten_without_force(run, tmp_path):
    import stat

    record = tmp_path / "company.json"
    record.write_text(json.dumps({"name": "ACME", "country": "FR"}))
    first = json.loads(run("disclose", record, "--json").stdout)
    commitment = tmp_path / "company.commitment.json"
    assert stat.S_IMODE(commitment.stat().st_mode) == 0o600
    salts = commitment.read_text()
    again = json.loads(run("disclose", record, "--json", code=2).stdout)
    assert "exists" in again["error"] and "--force" in again["error"]
    assert commitment.read_text() == salts
    forced = json.loads(run("disclose", record, "--force", "--json").stdout)
    assert forced["root"] != first["root"] and stat.S_IMODE(commitment.stat().st_mode) == 0o600
    out = tmp_path / "disclosure.json"
    run("disclose", commitment, "--field", "country", "--out", out, "--json")
    refused = json.loads(
        run("disclose", commitment, "--field", "name", "--out", out, "--json", code=2).stdout
    )
    assert "--force" in refused["error"] and '"FR"' in out.read_text()
    unknown = json.loads(run("disclose", commitment, "--field", "vat", "--json", code=2).stdout)
    assert "no field 'vat'" in unknown["error"]


def test_disclose__anchor_onto_existing_commitment__refused_before_sending(
    run, alias, notary_key, tmp_path
):
    record = tmp_path / "company.json"
    record.write_text(json.dumps({"name": "ACME"}))
    target = tmp_path / "company.commitment.json"
    target.write_text("anchored salts")
    args = ("disclose", record, "--anchor", "--account", alias(notary_key), "--json")
    out = json.loads(run(*args, code=2).stdout)
    assert "nothing was written or sent" in out["error"]
    assert target.read_text() == "anchored salts"


@pytest.fixture
def mirror_wiring(project, deployer, governance, approvers, cli_notary, consortium):
    """A MessageBus on the test chain that carries cli_notary's records to chain 31339, where
    the peer Notary is PEER (nothing delivers there: the message id is what we check)."""
    peer = "0x000000000000000000000000000000000000b0B0"
    bus = deployer.deploy(project.MessageBus, consortium, 500_000)

    def call(target, method, *args):
        data = getattr(target, method).encode_input(*args)
        governance.enact("call", approvers=approvers, target=target, data=data)

    call(bus, "setSender", cli_notary, True)
    call(bus, "setDestinationBus", 31339, "0x000000000000000000000000000000000000bB05")
    call(cli_notary, "setBus", bus)
    call(cli_notary, "setPeer", 31339, peer)
    return bus, peer


def test_mirror__dispatches__prints_message_id_and_how_to_follow(
    run, notarize_args, mirror_wiring, alias, notary_key, cli_notary, tmp_path
):
    _bus, peer = mirror_wiring
    doc = tmp_path / "a.txt"
    doc.write_text("mirrored")
    rid = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]["record_id"]
    out = json.loads(
        run("mirror", rid, "--to", "tax", "--account", alias(notary_key), "--json").stdout
    )
    assert (
        out["ok"]
        and out["destination_chain_id"] == 31339
        and out["destination_notary"].lower() == peer.lower()
    )
    assert out["message_id"].startswith("0x") and len(out["message_id"]) == 66
    assert out["follow"] == f"trustspace bus status {rid}"
    assert out["foreign_id"] == "0x" + cli_notary.foreignId(31337, rid).hex().removeprefix("0x")
    human = run("mirror", rid, "--to", "31339", "--account", alias(notary_key)).stdout
    assert "trustspace bus status" in human and "message" in human


@pytest.mark.parametrize(
    "to, says",
    [
        ("31338", "has no peer Notary for chain 31338"),
        ("nowhere", "--to 'nowhere': not a chain id"),
    ],
)
def test_mirror__no_peer_or_unknown_chain__one_line(
    run, notarize_args, mirror_wiring, alias, notary_key, tmp_path, to, says
):
    doc = tmp_path / "a.txt"
    doc.write_text("x")
    rid = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]["record_id"]
    out = json.loads(
        run("mirror", rid, "--to", to, "--account", alias(notary_key), "--json", code=2).stdout
    )
    assert says in out["error"]


def test_mirror__batch__dispatches_the_batch(
    run, notarize_args, mirror_wiring, alias, notary_key, cli_notary, documents
):
    rid = json.loads(run("notarize", documents, *notarize_args).output)["documents"][0]["record_id"]
    out = json.loads(
        run("mirror", rid, "--to", "tax", "--account", alias(notary_key), "--json").stdout
    )
    assert out["ok"] and out["kind"] == "BATCH" and out["document"] is None
    assert out["foreign_id"] == "0x" + cli_notary.foreignId(31337, rid).hex().removeprefix("0x")
    human = run("mirror", rid, "--to", "tax", "--account", alias(notary_key)).stdout
    assert "mirrored" in human and "batch" in human


def test_mirror__unknown_record__one_line(run, alias, notary_key):
    unknown = "0x" + "cd" * 32
    out = json.loads(
        run(
            "mirror", unknown, "--to", "tax", "--account", alias(notary_key), "--json", code=2
        ).stdout
    )
    assert out["error"].startswith(f"no record {unknown}")


@pytest.mark.usefixtures("mirror_wiring")
def test_mirror_revocation__revoked_document_bundle__dispatches_its_revocation(
    run, notarize_args, alias, notary_key, cli_notary, documents
):
    first, second = json.loads(run("notarize", documents, *notarize_args).output)["documents"][:2]
    run("revoke", "--bundle", first["bundle"], "--yes", "--account", alias(notary_key))
    out = json.loads(
        run(
            "mirror", "--revocation", first["bundle"], "--to", "tax", "--account",
            alias(notary_key), "--json",
        ).stdout
    )  # fmt: skip
    assert out["ok"] and out["record_id"] == first["record_id"] and out["revoked"]
    assert out["document"] == json.loads(Path(first["bundle"]).read_text())["document"]["digest"]
    assert out["follow"] == f"trustspace bus status {out['message_id']}"
    # Its sibling is not revoked: nothing to mirror, one line.
    out = json.loads(
        run(
            "mirror", "--revocation", second["bundle"], "--to", "tax", "--account",
            alias(notary_key), "--json", code=2,
        ).stdout
    )  # fmt: skip
    assert "is not revoked: revoke it first" in out["error"]


@pytest.fixture
def destination(project, deployer, governance, approvers, consortium, spare_accounts, cli_notary,
                chain, tmp_path, monkeypatch):  # fmt: skip
    """A second Notary on the test chain standing for the tax chain's: it takes records of
    chain 31338 from cli_notary (its peer), through a bus played by a spare account. The
    relying party's record now names it."""
    bus = spare_accounts[-1]
    there = deployer.deploy(project.Notary, consortium)
    for method, args in (("setBus", (bus,)), ("setPeer", (31338, cli_notary))):
        data = getattr(there, method).encode_input(*args)
        governance.enact("call", approvers=approvers, target=there, data=data)
    folder = tmp_path / "tax-officer"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))
    write_record(folder, chain, notary=there, consortium=consortium)

    def deliver(rid, rec, revoked_at=0, reason=0):
        word = (
            rec.org_id | rec.schema_id << 32 | rec.attested_at << 64 | rec.expires_at << 104
            | revoked_at << 144 | reason << 184 | 1 << 200
        )  # fmt: skip
        there.handle(31338, cli_notary, encode(["bytes32", "uint256"], [rid, word]), sender=bus)

    return there, deliver


def test_verify__mirrored_record_on_destination__valid_then_revoked(
    run, notarize_args, cli_notary, destination, tmp_path, monkeypatch
):
    from trustspace.notary.client import NotaryClient

    doc = tmp_path / "a.txt"
    doc.write_text("mirrored declaration")
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "deployments"))
    d = json.loads(run("notarize", doc, *notarize_args).output)["documents"][0]
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "tax-officer"))
    there, deliver = destination
    # The bundle as the origin chain (31338) wrote it.
    data = json.loads(Path(d["bundle"]).read_text())
    data["attestation"]["chain_id"] = 31338
    bundle = tmp_path / "origin.bundle.json"
    bundle.write_text(json.dumps(data))
    rid = bytes.fromhex(d["record_id"][2:])
    rec = NotaryClient(cli_notary).record(rid)

    before = json.loads(
        run(
            "verify", doc, "--bundle", bundle, "--network", "ethereum:local", "--json", code=1
        ).stdout
    )
    assert before["status"] == "UNKNOWN" and before["mirrored_from"]["chain_id"] == 31338
    deliver(rid, rec)
    report = json.loads(
        run("verify", doc, "--bundle", bundle, "--network", "ethereum:local", "--json").stdout
    )
    assert report["valid"] and report["status"] == "VALID" and report["notary"] == there.address
    assert report["mirrored_from"]["foreign_id"] == "0x" + bytes(there.foreignId(31338, rid)).hex()
    assert report["org_name"] == "Customs Authority"
    human = run("verify", doc, "--bundle", bundle, "--network", "ethereum:local").stdout
    assert "VALID" in human and "from chain 31338" in human

    deliver(rid, rec, revoked_at=rec.attested_at + 5, reason=4)
    revoked = json.loads(
        run(
            "verify", doc, "--bundle", bundle, "--network", "ethereum:local", "--json", code=1
        ).stdout
    )
    assert revoked["status"] == "REVOKED" and revoked["revocation_reason"] == "FRAUD"

    # A bundle naming a Notary other than the destination's peer for that chain is refused.
    data["attestation"]["notary"] = there.address
    bundle.write_text(json.dumps(data))
    out = json.loads(
        run(
            "verify", doc, "--bundle", bundle, "--network", "ethereum:local", "--json", code=2
        ).stdout
    )
    assert "takes mirrored records of chain 31338 only from" in out["error"]


def test_verify__document_of_mirrored_batch_on_destination__valid_then_document_revoked(
    run, notarize_args, cli_notary, destination, documents, spare_accounts, tmp_path, monkeypatch
):
    from trustspace.notary.bundle import Bundle
    from trustspace.notary.client import NotaryClient

    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "deployments"))
    first, second = json.loads(run("notarize", documents, *notarize_args).output)["documents"][:2]
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "tax-officer"))
    there, _deliver = destination
    bus = spare_accounts[-1]  # the destination fixture's bus
    bundles = []
    for n, d in enumerate((first, second)):
        data = json.loads(Path(d["bundle"]).read_text())
        data["attestation"]["chain_id"] = 31338  # as the origin chain wrote it
        path = tmp_path / f"origin-{n}.bundle.json"
        path.write_text(json.dumps(data))
        bundles.append((d["path"], path, Bundle.load(path)))
    rid = bundles[0][2].record_id
    rec = NotaryClient(cli_notary).record(rid)
    word = (
        rec.org_id | rec.schema_id << 32 | rec.attested_at << 64 | 2 << 200 | rec.size << 208
    )  # fmt: skip
    there.handle(31338, cli_notary, encode(["bytes32", "uint256"], [rid, word]), sender=bus)
    for path, bundle_path, _ in bundles:
        report = json.loads(
            run("verify", path, "--bundle", bundle_path, "--network", "ethereum:local",
                "--json").stdout
        )  # fmt: skip
        assert report["valid"] and report["status"] == "VALID", report
        assert (
            report["mirrored_from"]["foreign_id"] == "0x" + bytes(there.foreignId(31338, rid)).hex()
        )

    # The first document's revocation arrives: it alone reads DOCUMENT_REVOKED.
    b = bundles[0][2]
    assert b.batch is not None
    revocation = (rec.attested_at + 5) | 3 << 40
    body = encode(
        ["bytes32", "uint256", "bytes32", "uint256", "uint256", "bytes32[]"],
        [rid, word, b.digest, revocation, b.batch.index, list(b.batch.proof)],
    )
    there.handle(31338, cli_notary, body, sender=bus)
    revoked = json.loads(
        run("verify", bundles[0][0], "--bundle", bundles[0][1], "--network", "ethereum:local",
            "--json", code=1).stdout
    )  # fmt: skip
    assert revoked["status"] == "DOCUMENT_REVOKED" and revoked["revoked_at"] == rec.attested_at + 5
    sibling = json.loads(
        run("verify", bundles[1][0], "--bundle", bundles[1][1], "--network", "ethereum:local",
            "--json").stdout
    )  # fmt: skip
    assert sibling["status"] == "VALID"
