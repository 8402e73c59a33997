"""A policy requiring a credential, end to end on anvil with the commands agencies run: customs
(the chain is its own hub) accredited for AEO certificates issues one to tax's DID; tax presents
it with ``trustspace vc present`` for the connector and a nonce, and ``trustspace data fetch
--presentation`` is served; without it, or after customs revokes the certificate, refused.
"""

from __future__ import annotations

import json
import secrets

import pytest

from tests.utils.dataspace_chain import (
    CUSTOMS,
    CUSTOMS_ADMIN,
    POLICY,
    TAX,
    TAX_ADMIN,
    TAX_CLERK,
    ConnectorProcess,
    cli,
    cli_json,
    data_space,
)
from tests.utils.deploy_cli import founding_admin_keys
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.credentials import issuer
from trustspace.credentials.model import Purpose, type_hash
from trustspace.credentials.schemas import schema_hash
from trustspace.credentials.status import status_entries
from trustspace.devnet.chains import mnemonic_key
from trustspace.devnet.demo_credentials import AEO_SCHEMA, AEO_TYPE, aeo_claims
from trustspace.did.resolver import did_for

pytestmark = pytest.mark.anvil

# Test accounts 9 and 10 hold tax's and customs' DIDs (their own keys list them).
TAX_DID_KEY, CUSTOMS_DID_KEY = 9, 10
YEAR = 365 * 86400


def _send(space, call, key):
    from trustspace.bus.web3tx import TxSender

    sender = TxSender(space["suite"].contract("DataService").w3, key)
    receipt = sender.send(sender.prepare(call))
    assert receipt["status"] == 1
    return receipt


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    with data_space(tmp_path_factory.mktemp("data-credentials")) as built:
        suite, chain_id = built["suite"], built["chain_id"]
        admins = founding_admin_keys()[:3]
        gov = Governance(suite.consortium)
        registry = suite.contract("CredentialRegistry")
        customs_key, tax_key = mnemonic_key(CUSTOMS_DID_KEY), mnemonic_key(TAX_DID_KEY)
        gov.enact("set_did", approvers=admins, org_id=CUSTOMS, did=customs_key.address)
        gov.enact("set_did", approvers=admins, org_id=TAX, did=tax_key.address)
        customs_admin = admins[0]
        gov.enact(
            "grant_role", approvers=admins, account=customs_admin.address, roles=int(Role.ISSUER)
        )
        thash, shash = type_hash(AEO_TYPE), schema_hash(AEO_SCHEMA)
        gov.decide_call(registry, "register_schema", shash, thash, approvers=admins)
        now = int(registry.w3.eth.get_block("latest")["timestamp"])
        gov.decide_call(
            registry, "accredit", CUSTOMS, thash, shash, now - 60, now + YEAR, approvers=admins
        )
        lists = []
        for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION):
            receipt = _send(built, registry.functions.create_list(int(purpose), 1), customs_admin)
            [event] = registry.events.StatusListCreated().process_receipt(receipt)
            lists.append(int(event["args"]["list_id"]))
        token = issuer.issue_jwt(
            customs_key.key.hex(), did_for(customs_key.address, chain_id),
            did_for(tax_key.address, chain_id), AEO_TYPE, aeo_claims(), AEO_SCHEMA,
            status_entries(chain_id, registry.address, lists[0], lists[1], 0),
            now, now, now + YEAR,
        )  # fmt: skip
        work = built["work"]
        (work / "aeo.jwt").write_text(token)
        (work / "aeo-schema.json").write_text(json.dumps(AEO_SCHEMA))
        (work / "aeo-policy.json").write_text(json.dumps({**POLICY, "credentialType": AEO_TYPE}))
        built.update(registry=registry, revocation=lists[0], customs_admin=customs_admin)
        yield built


def _present(space, url):
    nonce = "0x" + secrets.token_hex(32)
    out = f"vp-{nonce[2:10]}.jwt"
    cli_json(
        space, "vc", "present", "aeo.jwt", "--audience", url, "--nonce", nonce,
        "--account", f"TEST::{TAX_DID_KEY}", "--network", "customs", "--out", out,
    )  # fmt: skip
    return out


def test_data_fetch__aeo_policy__served_with_the_presentation_refused_without_or_revoked(
    space, tmp_path
):
    cli_json(
        space, "data", "offer", "--title", "Declarations of AEOs", "--schema", "customs-decl",
        "--description", "description.json", "--policy", "aeo-policy.json",
        "--account", CUSTOMS_ADMIN, "--network", "customs",
    )  # fmt: skip
    asked = cli_json(
        space, "data", "request", "1", "--purpose", "VAT assessment",
        "--account", TAX_ADMIN, "--network", "customs",
    )  # fmt: skip
    agreement = asked["agreement_id"]
    cli_json(space, "data", "accept", agreement, "--account", CUSTOMS_ADMIN, "--network", "customs")
    connector = ConnectorProcess(
        space, tmp_path / "journal.sqlite", policy="aeo-policy.json",
        extra=("--credential-schema", "aeo-schema.json"),
    )  # fmt: skip
    connector.start()
    try:
        fetch = [
            "data", "fetch", agreement, "--connector", connector.url,
            "--account", f"TEST::{TAX_CLERK}", "--network", "customs",
        ]  # fmt: skip
        got = cli_json(
            space, *fetch, "--out", "got.csv", "--presentation", _present(space, connector.url)
        )
        assert (got["ok"], got["logged"]) == (True, "logged")
        missing = cli_json(space, *fetch, "--out", "none.csv", code=1)
        assert missing["code"] == "credential_missing"
        other = cli(
            space, *fetch, "--out", "none.csv",
            "--presentation", _present(space, "http://127.0.0.1:1"), code=2,
        )  # fmt: skip
        assert "was made for http://127.0.0.1:1, not for the connector" in other.stderr
        revoke = space["registry"].functions.set_status(space["revocation"], 0, True, b"\x00" * 32)
        _send(space, revoke, space["customs_admin"])
        revoked = cli_json(
            space, *fetch, "--out", "none.csv", "--presentation", _present(space, connector.url),
            code=1,
        )  # fmt: skip
        assert revoked["code"] == "credential_invalid:revoked"
    finally:
        connector.kill()
    assert not (space["work"] / "none.csv").exists()
