"""Finding 7: verification trusts only the relying party's Notary, never the bundle's.

Before the fix, ``verify`` and ``verify-disclosure`` loaded whatever contract the bundle
named and ignored its chain id: an outsider who deployed a look-alike Consortium ("Tax
Administration" as org 2) and a Notary over it got VALID for a forged file. Now the Notary
comes from ``--notary`` or the officer's deployment record for the connected chain, with its
code checked; a bundle naming another contract or chain is refused (exit 2).
"""

import json

import pytest

from tests.utils.relying_party import (  # noqa: F401  (fixtures)
    alias_fixture,
    cli_fixture,
    notarized_file,
    officer_record_fixture,
    one_line,
    write_record,
)
from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
from trustspace.notary.client import NotaryClient
from trustspace.notary.disclosure import commit

REFUSED = 2


@pytest.fixture
def lookalike(
    project, deployer, outsider, newcomer, notary, notary_consortium, client, schema_id, alias
):
    """The outsider's own suite: a Consortium with the genuine organisation names (the
    outsider is "Tax Administration", org 2, with NOTARY), a Notary over it, one schema."""
    fake = deploy_consortium(
        project,
        outsider,
        [
            OrgSeed("Customs Authority", OrgKind.CUSTOMS, [newcomer]),
            OrgSeed("Tax Administration", OrgKind.TAX, [outsider]),
        ],
        threshold=1,
    )
    Governance(fake).enact(
        "grant_role", approvers=[outsider], account=outsider, roles=int(Role.ADMIN | Role.NOTARY)
    )
    fake_notary = outsider.deploy(project.Notary, fake)
    client = NotaryClient(fake_notary)
    schema = client.register_schema("tax-assessment", "1.0", sender=outsider)
    return client, schema


def test_lookalike_suite__bundle_naming_outsiders_notary__refused(
    cli, lookalike, officer_record, outsider, notary, tmp_path
):
    client, schema = lookalike
    forged, bundle = notarized_file(
        client,
        tmp_path,
        "assessment.pdf",
        "VAT due: 0",
        sender=outsider,
        schema_id=schema,
        org_name="Tax Administration",
    )
    out = json.loads(cli("verify", forged, "--bundle", bundle, "--json", code=REFUSED).stdout)
    assert out["ok"] is False and "valid" not in out
    assert out["error"].startswith(
        f"the bundle names Notary {client.address}, but the Notary you trust on chain 31337 is "
        f"{notary.address} (deployment record {officer_record}): refusing it"
    )
    # The officer's own Notary knows nothing of the forgery either.
    edited = json.loads(bundle.read_text())
    edited["attestation"]["notary"] = notary.address
    bundle.write_text(json.dumps(edited))
    report = json.loads(cli("verify", forged, "--bundle", bundle, "--json", code=1).stdout)
    assert report["status"] == "UNKNOWN" and report["valid"] is False
    assert report["notary"] == notary.address


def test_lookalike_suite__officer_without_record_or_notary__refused(
    cli, lookalike, outsider, tmp_path, monkeypatch
):
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "none"))
    client, schema = lookalike
    forged, bundle = notarized_file(
        client, tmp_path, "assessment.pdf", "VAT due: 0", sender=outsider, schema_id=schema
    )
    result = cli("verify", forged, "--bundle", bundle, code=REFUSED)
    assert (
        "no trusted Notary for chain 31337" in one_line(result.stderr)
        and "VALID" not in result.stdout
    )


def test_edited_chain_id__genuine_bundle_for_another_chain__refused(
    cli, client, officer_record, customs_notary, schema_id, tmp_path
):
    document, bundle = notarized_file(
        client, tmp_path, "declaration.xml", "<d/>", sender=customs_notary, schema_id=schema_id
    )
    cli("verify", document, "--bundle", bundle, "--json")  # genuine: valid
    edited = json.loads(bundle.read_text())
    edited["attestation"]["chain_id"] = 1
    bundle.write_text(json.dumps(edited))
    out = json.loads(cli("verify", document, "--bundle", bundle, "--json", code=REFUSED).stdout)
    # Without --network the bundle's chain id picks the network: none is known for chain 1.
    assert "is chain 1: pass --network" in out["error"]
    pinned = cli("verify", document, "--bundle", bundle, "--network", "ethereum:local", "--json",
                 code=REFUSED)  # fmt: skip
    assert json.loads(pinned.stdout)["error"].startswith(
        "the bundle is for chain 1, but the connected chain is 31337"
    )


def test_bundle_naming_another_notary__genuine_record_there__refused(
    cli, project, deployer, notary_consortium, customs_notary, officer_record, tmp_path
):
    # A second, genuine Notary over the same Consortium (anyone may deploy one): the officer
    # trusts only the recorded one, so a record made elsewhere is not "valid" to them.
    other = NotaryClient(deployer.deploy(project.Notary, notary_consortium))
    schema = other.register_schema("customs-declaration", "1.0", sender=customs_notary)
    document, bundle = notarized_file(
        other, tmp_path, "declaration.xml", "<d/>", sender=customs_notary, schema_id=schema
    )
    result = cli("verify", document, "--bundle", bundle, code=REFUSED)
    assert f"names Notary {other.address}" in one_line(result.stderr)
    # Pinning that other Notary explicitly is the officer's own choice, and then it answers.
    report = json.loads(
        cli("verify", document, "--bundle", bundle, "--notary", other.address, "--json").stdout
    )
    assert report["valid"] and report["trusted_from"] == "--notary"


def test_explicit_notary__address_without_notary_code__refused(
    cli, client, notary_consortium, customs_notary, schema_id, tmp_path
):
    document, bundle = notarized_file(
        client, tmp_path, "declaration.xml", "<d/>", sender=customs_notary, schema_id=schema_id
    )
    result = cli(
        "verify",
        document,
        "--bundle",
        bundle,
        "--notary",
        notary_consortium.address,
        code=REFUSED,
    )
    assert "does not hold the Notary code of this trustspace version" in one_line(result.stderr)


def test_record__codehash_differs__refused(
    cli,
    chain,
    client,
    notary,
    notary_consortium,
    customs_notary,
    schema_id,
    tmp_path,
    monkeypatch,
):
    folder = tmp_path / "tampered"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))
    write_record(
        folder,
        chain,
        notary=notary,
        consortium=notary_consortium,
        codehashes={"Notary": "0x" + "11" * 32},
    )
    document, bundle = notarized_file(
        client, tmp_path, "declaration.xml", "<d/>", sender=customs_notary, schema_id=schema_id
    )
    result = cli("verify", document, "--bundle", bundle, code=REFUSED)
    assert "holds other code than its deployment record says" in one_line(result.stderr)


def test_record__notary_of_another_consortium__refused(
    cli, chain, lookalike, notary_consortium, outsider, tmp_path, monkeypatch
):
    # A record pairing the genuine Consortium with a Notary that answers to another one.
    client, schema = lookalike
    folder = tmp_path / "mixed"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))
    write_record(folder, chain, notary=client.contract, consortium=notary_consortium)
    forged, bundle = notarized_file(
        client, tmp_path, "assessment.pdf", "VAT due: 0", sender=outsider, schema_id=schema
    )
    result = cli("verify", forged, "--bundle", bundle, code=REFUSED)
    assert f"records Consortium {notary_consortium.address}" in one_line(result.stderr)


def test_lookalike_suite__disclosure_naming_outsiders_notary__refused(
    cli, lookalike, officer_record, outsider, tmp_path
):
    client, schema = lookalike
    commitment = commit({"vat_exempt": True, "company": "ACME"})
    batch, _ = client.anchor_batch(commitment.tree, schema, sender=outsider)
    disclosure = commitment.disclose(
        ["vat_exempt"], org_id=client.record(batch).org_id, chain_id=31337, notary=client.address
    )
    path = tmp_path / "disclosure.json"
    path.write_text(json.dumps(disclosure.to_json()))
    out = json.loads(cli("verify-disclosure", path, "--json", code=REFUSED).stdout)
    assert out["error"].startswith(f"the disclosure names Notary {client.address}")
    # Without the contract claim, the officer's Notary answers: nothing anchored there.
    data = disclosure.to_json() | {"notary": None}
    path.write_text(json.dumps(data))
    assert json.loads(cli("verify-disclosure", path, "--json", code=1).stdout)["valid"] is False


def test_edited_chain_id__disclosure_for_another_chain__refused(
    cli, client, officer_record, customs_notary, schema_id, tmp_path
):
    commitment = commit({"vat_exempt": True})
    batch, _ = client.anchor_batch(commitment.tree, schema_id, sender=customs_notary)
    disclosure = commitment.disclose(
        ["vat_exempt"], org_id=client.record(batch).org_id, chain_id=31339, notary=client.address
    )
    path = tmp_path / "disclosure.json"
    path.write_text(json.dumps(disclosure.to_json()))
    result = cli("verify-disclosure", path, "--network", "ethereum:local", code=REFUSED)
    assert "the disclosure is for chain 31339, but the connected chain is 31337" in one_line(
        result.stderr
    )
