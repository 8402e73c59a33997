"""The notarization CLI end to end on the in-process chain, through click's CliRunner."""

import json

import ape
import pytest
from click.testing import CliRunner

from trustspace.cli.notary import (
    COMMANDS,
    disclose,
    notarize,
    revoke,
    trace,
    verify,
    verify_disclosure,
)
from trustspace.consortium.constants import Role


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


@pytest.fixture(scope="module")
def alias(accounts):
    def build(account):
        index = next(i for i, a in enumerate(accounts) if a.address == account.address)
        return f"TEST::{index}"

    return build


@pytest.fixture
def run(cli_notary):
    runner = CliRunner()

    def invoke(command, *args, code=0):
        result = runner.invoke(command, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


@pytest.fixture
def notarize_args(tmp_path, alias, notary_key, cli_notary):
    """The options every notarize call here shares: schema 1, bundles in tmp/b, JSON output."""
    return (
        "--schema",
        1,
        "--out",
        tmp_path / "b",
        "--account",
        alias(notary_key),
        "--notary",
        cli_notary.address,
        "--json",
    )


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
    notarize_args, run, cli_notary, notary_key, alias, documents, tmp_path
):
    result = run(notarize, documents, *notarize_args)
    docs = json.loads(result.output)["documents"]
    assert len(docs) == 5 and len({d["record_id"] for d in docs}) == 1  # one batch
    for d in docs:
        res = run(verify, d["path"], "--bundle", d["bundle"], "--json")
        report = json.loads(res.output)
        assert report["valid"] and report["included"] and report["status"] == "VALID"
        assert report["org_id"] == 1 and report["org_name"] == "Customs Authority"
        assert report["attested_at"] > 0
    human = run(verify, docs[0]["path"], "--bundle", docs[0]["bundle"])
    assert "included" in human.output and "Customs Authority" in human.output


def test_verify__changed_file__exit_1(
    notarize_args, run, cli_notary, notary_key, alias, documents, tmp_path
):
    res = run(notarize, documents, *notarize_args)
    d = json.loads(res.output)["documents"][0]
    with open(d["path"], "a") as f:
        f.write("tampered")
    bad = run(verify, d["path"], "--bundle", d["bundle"], "--json", code=1)
    assert json.loads(bad.output)["valid"] is False


def test_revoke_bundle__document_revoked__verify_exit_1(
    notarize_args, run, cli_notary, notary_key, alias, documents, tmp_path
):
    res = run(notarize, documents, *notarize_args)
    first, second = json.loads(res.output)["documents"][:2]
    run(
        revoke,
        "--bundle",
        first["bundle"],
        "--reason",
        "superseded",
        "--account",
        alias(notary_key),
        "--json",
    )
    bad = json.loads(
        run(verify, first["path"], "--bundle", first["bundle"], "--json", code=1).output
    )
    assert bad["status"] == "DOCUMENT_REVOKED" and bad["revoked_at"] > 0
    ok = json.loads(run(verify, second["path"], "--bundle", second["bundle"], "--json").output)
    assert ok["valid"]


def test_revoke__outsider__fails(
    notarize_args, run, cli_notary, notary_key, outsider, alias, tmp_path
):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    res = run(notarize, doc, *notarize_args)
    rid = json.loads(res.output)["documents"][0]["record_id"]
    # The contract's custom error reaches the caller unchanged.
    with ape.reverts(cli_notary.NotaryNotNotary, account=outsider.address):
        CliRunner().invoke(
            revoke,
            [rid, "--account", alias(outsider), "--notary", cli_notary.address],
            catch_exceptions=False,
        )


def test_notarize_files_with_parent__trace_shows_lineage(
    run, cli_notary, notary_key, alias, tmp_path
):
    a, b = tmp_path / "declaration.xml", tmp_path / "assessment.xml"
    a.write_text("declaration")
    b.write_text("assessment")
    common = (
        "--schema",
        1,
        "--out",
        tmp_path / "b",
        "--account",
        alias(notary_key),
        "--notary",
        cli_notary.address,
        "--json",
    )
    parent = json.loads(run(notarize, a, *common).output)["documents"][0]["record_id"]
    child = json.loads(run(notarize, b, "--parent", parent, *common).output)["documents"][0]
    single = json.loads(run(verify, b, "--bundle", child["bundle"], "--json").output)
    assert single["valid"] and single["record_id"] == child["record_id"]
    tree = json.loads(
        run(trace, child["record_id"], "--notary", cli_notary.address, "--json").output
    )
    assert tree["id"] == parent and tree["status"] == "VALID"
    assert [c["id"] for c in tree["children"]] in ([child["record_id"]], [])  # logs: see docs
    human = run(trace, child["record_id"], "--notary", cli_notary.address)
    assert parent[:18] in human.output
    run(trace, "0x" + "00" * 32, "--notary", cli_notary.address, "--json", code=1)


def test_verify_offline__no_chain_needed(
    notarize_args, run, cli_notary, notary_key, alias, documents, tmp_path
):
    res = run(notarize, documents, *notarize_args)
    d = json.loads(res.output)["documents"][3]
    report = json.loads(
        run(verify, d["path"], "--bundle", d["bundle"], "--offline", "--json").output
    )
    assert report["included"] and report["valid"] is None


def test_disclose__anchor_reveal_verify(run, cli_notary, notary_key, alias, tmp_path):
    record = tmp_path / "company.json"
    record.write_text(json.dumps({"name": "ACME", "vat_exempt": True, "country": "FR"}))
    commitment = tmp_path / "company.commitment.json"
    run(
        disclose,
        record,
        "--anchor",
        "--schema",
        1,
        "--commitment",
        commitment,
        "--account",
        alias(notary_key),
        "--notary",
        cli_notary.address,
        "--json",
    )
    out = tmp_path / "disclosure.json"
    run(disclose, commitment, "--field", "country", "--out", out, "--json")
    text = out.read_text()
    assert "ACME" not in text and '"FR"' in text

    report = json.loads(run(verify_disclosure, out, "--json").output)
    assert report["valid"] and report["fields"] == {"country": "FR"}
    assert report["status"] == {"country": "VALID"}
    assert json.loads(run(verify_disclosure, out, "--offline", "--json").output)["valid"] is None

    data = json.loads(text)
    data["fields"][0]["value"] = "DE"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    assert json.loads(run(verify_disclosure, forged, "--json", code=1).output)["valid"] is False


def test_notarize__missing_notary__usage_error(notary_key, alias, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("a")
    result = CliRunner().invoke(
        notarize, [str(doc), "--schema", "1", "--account", alias(notary_key)]
    )
    assert result.exit_code == 2 and "--notary" in result.output


def test_json_flag__silences_ape_logging_on_stdout(tmp_path):
    from ape.logging import LogLevel, logger

    document, bundle = tmp_path / "d.txt", tmp_path / "b.json"
    document.write_text("d")
    bundle.write_text("{}")
    before = logger.level
    try:
        logger.set_level("INFO")
        CliRunner().invoke(verify, [str(document), "--bundle", str(bundle), "--json"])
        assert logger.level == LogLevel.ERROR
    finally:
        logger.set_level(before)
