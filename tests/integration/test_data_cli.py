"""The ``trustspace data`` commands in process (the in-process chain, click's CliRunner): the
human output of every command and the outcomes the anvil tests do not reach (update, withdraw,
approve, k-of-n). The records the commands read are written for the test's DataService."""

import json

import pytest

from tests.utils.relying_party import alias_fixture, cli_fixture, codehash
from trustspace.consortium.constants import Role
from trustspace.deploy.records import ContractRecord, DeploymentRecord, record_path, save

__all__ = ["alias_fixture", "cli_fixture"]


@pytest.fixture(autouse=True)
def record(tmp_path, monkeypatch, chain, data_service, data_consortium):
    folder = tmp_path / "deployments"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))
    monkeypatch.setenv("COLUMNS", "400")  # tables unwrapped, as the notary CLI tests read them
    rec = DeploymentRecord(network="ethereum:local", chain_id=int(chain.provider.chain_id))
    for name, contract in (("Consortium", data_consortium), ("DataService", data_service)):
        rec.contracts[name] = ContractRecord(
            contract_type=name, address=contract.address, tx_hash="0x" + "00" * 32,
            deployer="0x" + "00" * 20, codehash=codehash(chain, contract.address),
        )  # fmt: skip
    save(rec, record_path(folder, "ethereum", "local", rec.chain_id))


@pytest.fixture
def files(tmp_path):
    (tmp_path / "desc.json").write_text(json.dumps({"title": "Customs declarations"}))
    (tmp_path / "policy.json").write_text(
        json.dumps({"purposes": ["VAT assessment"], "consumerKinds": ["TAX"], "approvals": 2})
    )
    return tmp_path


def test_data_commands__offer_to_approvals_and_log__human_output(
    cli, alias, files, customs_admin, tax_admin, maritime_admin, data_gov, approvers, newcomer
):
    offer = ["--title", "Customs declarations", "--schema", "customs-decl",
             "--description", files / "desc.json", "--policy", files / "policy.json"]  # fmt: skip
    published = cli("data", "offer", *offer, "--account", alias(customs_admin))
    assert "offer 1 version 1 published (Customs declarations)" in published.stdout
    updated = cli("data", "offer", *offer, "--update", 1, "--account", alias(customs_admin))
    assert "offer 1 version 2 published" in updated.stdout
    listed = cli("data", "list", "--network", "ethereum:local").stdout
    assert "Customs declarations" in listed and "Customs Authority (org 1)" in listed

    asked = cli("data", "request", 1, "--purpose", "VAT assessment", "--account", alias(tax_admin))
    assert "agreement 1 requested on offer 1" in asked.stdout
    assert (
        "agreement 1: agreed" in cli("data", "accept", 1, "--account", alias(customs_admin)).stdout
    )
    assert "agreement 1: agreed" in cli("data", "approve", 1, "--account", alias(tax_admin)).stdout
    done = cli("data", "approve", 1, "--account", alias(maritime_admin))
    assert "agreement 1: finalized" in done.stdout

    data_gov.enact("add_account", approvers=approvers, org_id=3, account=newcomer)
    data_gov.enact("grant_role", approvers=approvers, account=newcomer, roles=int(Role.AUDITOR))
    log = cli("data", "log", "--consumer", 2, "--account", alias(newcomer)).stdout
    # Purposes and transfers come from events, which the in-process chain does not keep
    # (tests/integration/test_data_connector.py reads them on anvil); states come from storage.
    assert "finalized (live)" in log
    as_json = json.loads(
        cli("data", "log", "--provider", 1, "--account", alias(newcomer), "--json").stdout
    )
    assert [(a["id"], a["state"], a["standing"]) for a in as_json["agreements"]] == [
        (1, "FINALIZED", "live")
    ]

    ended = cli("data", "terminate", 1, "--reason", "closed", "--account", alias(tax_admin))
    assert "agreement 1: terminated" in ended.stdout
    assert (
        "offer 1 withdrawn" in cli("data", "withdraw", 1, "--account", alias(customs_admin)).stdout
    )
    assert "Customs declarations" not in cli("data", "list").stdout
    assert "(withdrawn)" in cli("data", "list", "--all").stdout


def test_data_offer__withdrawn_offer_updated__one_line_naming_the_error(
    cli, alias, files, customs_admin
):
    offer = ["--title", "t", "--schema", "s", "--description", files / "desc.json",
             "--policy", files / "policy.json", "--account", alias(customs_admin)]  # fmt: skip
    cli("data", "offer", *offer)
    cli("data", "withdraw", 1, "--account", alias(customs_admin))
    refused = cli("data", "offer", *offer, "--update", 1, code=2)
    assert "DataServiceOfferWithdrawn(offerId=1)" in refused.stderr
