"""Finding 10: ``revoke --bundle`` checks the bundle, pins the contract, shows and asks.

Before the fix a bundle edited to carry an honest document's record id made an officer
revoke the honest record, while the fraudulent one stayed valid. Now the bundle is checked
offline first (its record id must follow from its digest, proof and organisation), the
contract is the trusted one, and what will be revoked is shown before sending.
"""

import json

from tests.utils.relying_party import (  # noqa: F401  (fixtures)
    alias_fixture,
    cli_fixture,
    notarized_file,
    officer_record_fixture,
    one_line,
)
from trustspace.notary.client import Status

REFUSED = 2


def test_revoke_bundle__record_id_edited_to_honest_record__refused_nothing_sent(
    cli, client, alias, customs_notary, schema_id, officer_record, tmp_path
):
    _, honest = notarized_file(
        client, tmp_path / "h", "honest.xml", "honest", sender=customs_notary, schema_id=schema_id
    )
    _, fraud = notarized_file(
        client, tmp_path / "f", "fraud.xml", "fraud", sender=customs_notary, schema_id=schema_id
    )
    honest_id = json.loads(honest.read_text())["attestation"]["record_id"]
    fraud_id = json.loads(fraud.read_text())["attestation"]["record_id"]
    edited = json.loads(fraud.read_text())
    edited["attestation"]["record_id"] = honest_id
    fraud.write_text(json.dumps(edited))

    out = json.loads(
        cli(
            "revoke",
            "--bundle",
            fraud,
            "--reason",
            "fraud",
            "--account",
            alias(customs_notary),
            "--yes",
            "--json",
            code=REFUSED,
        ).stdout
    )
    assert out["error"].startswith("refusing to revoke:") and "record id" in out["error"]
    assert client.status(bytes.fromhex(honest_id[2:])) == Status.VALID
    assert client.status(bytes.fromhex(fraud_id[2:])) == Status.VALID


def test_revoke_bundle__naming_another_notary__refused(
    cli, client, alias, customs_notary, schema_id, officer_record, tmp_path
):
    _, bundle = notarized_file(
        client,
        tmp_path,
        "decl.xml",
        "decl",
        sender=customs_notary,
        schema_id=schema_id,
        notary="0x" + "12" * 20,
    )
    result = cli(
        "revoke", "--bundle", bundle, "--account", alias(customs_notary), "--yes", code=REFUSED
    )
    assert "names Notary 0x1212" in one_line(result.stderr)
    rid = json.loads(bundle.read_text())["attestation"]["record_id"]
    assert client.status(bytes.fromhex(rid[2:])) == Status.VALID


def test_revoke_bundle__shows_record_document_org_status__declined_nothing_sent(
    cli, client, alias, customs_notary, schema_id, officer_record, tmp_path
):
    _, bundle = notarized_file(
        client, tmp_path, "decl.xml", "decl", sender=customs_notary, schema_id=schema_id
    )
    data = json.loads(bundle.read_text())
    result = cli(
        "revoke", "--bundle", bundle, "--account", alias(customs_notary), input="n\n", code=2
    )
    shown = result.stdout
    assert data["attestation"]["record_id"] in shown
    assert "Customs Authority (org 1)" in shown and "status now  VALID" in shown
    assert "chain       31337" in shown
    assert "nothing was revoked" in one_line(result.stderr)
    assert client.status(bytes.fromhex(data["attestation"]["record_id"][2:])) == Status.VALID
