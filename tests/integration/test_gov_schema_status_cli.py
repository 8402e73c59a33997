"""``trustspace gov``, ``schema`` and ``status`` walked through as a user runs them: the root
``trustspace`` group through click's CliRunner on the in-process chain.

The suite is deployed by the SDK deployer as ``ape run deploy suite`` does locally: five
agencies (customs, tax, maritime, forex, ministry; one founding admin each) of which three
must approve, recorded in the test's own ``$TRUSTSPACE_DEPLOYMENTS``. Customs has a second
admin key and a NOTARY key. Each success has a failing neighbour; ``--json`` output is
parsed as exactly one document.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_utils.address import to_checksum_address

from tests.utils.relying_party import alias_fixture, cli_fixture  # noqa: F401  (fixtures)
from trustspace.consortium.constants import ProposalStatus, Role
from trustspace.consortium.governance import Governance, reason_hash
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import SuiteDeployer

BUS_OF_CUSTOMS = to_checksum_address("0x" + "c5" * 20)
BUS_OF_TAX = to_checksum_address("0x" + "7a" * 20)


@pytest.fixture(scope="module")
def agencies(founding_admins):
    """The founding admins by agency (``LOCAL_AGENCIES`` order)."""
    customs, tax, maritime, forex, ministry = founding_admins
    return {"customs": customs, "tax": tax, "maritime": maritime, "forex": forex,
            "ministry": ministry}  # fmt: skip


@pytest.fixture(scope="module")
def second_customs_admin(spare_accounts):
    return spare_accounts[0]


@pytest.fixture(scope="module")
def suite(
    project, chain, deployer, agencies, second_customs_admin, customs_notary, outsider,
    tmp_path_factory,
):  # fmt: skip
    # Requests every session-scoped actor up front: ape's isolation needs wider-scoped
    # fixtures set up before narrower ones.
    folder = tmp_path_factory.mktemp("gov-cli-records")
    config = local_config(list(agencies.values()))  # 3 of 5, like consortium.example.json
    deployed = SuiteDeployer(project, chain.provider, deployer, config, folder=folder).deploy()
    gov = Governance(deployed.consortium)
    three = [agencies["customs"], agencies["tax"], agencies["maritime"]]
    for account, roles in ((second_customs_admin, Role.ADMIN), (customs_notary, Role.NOTARY)):
        gov.enact("add_account", approvers=three, org_id=1, account=account)
        gov.enact("grant_role", approvers=three, account=account, roles=int(roles))
    made = int(deployed.consortium.proposal_count())
    return {"deployed": deployed, "folder": folder, "made": made}


@pytest.fixture(autouse=True)
def records(suite, monkeypatch):
    """Every command reads the suite from the test's own deployment record."""
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(suite["folder"]))
    return suite["folder"]


@pytest.fixture
def consortium_of(suite):
    return suite["deployed"].consortium


@pytest.fixture
def as_json(cli):
    """``as_json("gov", "list", code=0)``: the one JSON document a command prints."""

    def run(*args: Any, code: int = 0) -> dict[str, Any]:
        result = cli(*args, "--json", code=code)
        return json.loads(result.stdout)  # exactly one document, or this fails

    return run


@pytest.fixture
def propose(as_json, alias):
    """``propose(account, "grant-role", "account=…", …)``: the new proposal's JSON view."""

    def run(account: Any, *words: str, reason: str = "") -> dict[str, Any]:
        doc = as_json("gov", "propose", *words, "--reason", reason, "--account", alias(account))
        assert doc["ok"] is True
        return doc["proposal"]

    return run


# ------------------------------------------------------------------ gov propose → execute


def test_gov_propose_approve_execute__three_distinct_organisations__change_applied(
    as_json, propose, alias, agencies, newcomer, consortium_of, suite
):
    made = propose(agencies["customs"], "add-account", "org_id=Customs Authority",
                   f"account={newcomer.address}", reason="CHG-7 new clerk")  # fmt: skip
    assert made["id"] == suite["made"] + 1
    assert made["action"] == "add-account"
    assert made["args"] == {"org_id": 1, "account": newcomer.address}
    assert made["summary"] == f"add-account org_id=1 account={newcomer.address}"
    assert made["reason_hash"] == "0x" + reason_hash("CHG-7 new clerk").hex()
    assert (made["live_approvals"], made["needed"], made["missing"]) == (1, 3, 2)
    assert [o["name"] for o in made["waiting_for"]] == [
        "Tax Administration", "Maritime Authority", "Foreign Exchange Office", "Ministry of Trade",
    ]  # fmt: skip

    pid = str(made["id"])
    tax = as_json("gov", "approve", pid, "--account", alias(agencies["tax"]))["proposal"]
    assert (tax["live_approvals"], tax["missing"], tax["executable"]) == (2, 1, False)
    forex = as_json("gov", "approve", pid, "--account", alias(agencies["forex"]))["proposal"]
    assert (forex["live_approvals"], forex["missing"], forex["executable"]) == (3, 0, True)
    assert [(a["name"], a["vote"], a["counts"]) for a in forex["approvals"]] == [
        ("Customs Authority", "approve", True),
        ("Tax Administration", "approve", True),
        ("Foreign Exchange Office", "approve", True),
    ]
    assert forex["progress"]["policy"] == {"kind": "k_of_n", "word": 1 | 3 << 8, "k": 3}

    done = as_json("gov", "execute", pid, "--account", alias(agencies["ministry"]))
    assert done["proposal"]["state"] == "executed"
    assert consortium_of.org_of(newcomer) == 1
    added, executed = done["events"]
    assert added == {"event": "AccountAdded", "address": consortium_of.address,
                     "account": newcomer.address, "org_id": 1, "proposal_id": made["id"],
                     "reason": made["reason_hash"]}  # fmt: skip
    assert executed["event"] == "Executed" and executed["proposal_id"] == made["id"]
    assert executed["executor"] == agencies["ministry"].address


def test_gov_execute__two_of_three_organisations__refused_names_who_can_approve(
    cli, propose, alias, agencies, newcomer, consortium_of
):
    made = propose(agencies["customs"], "add-account", "1", newcomer.address)
    cli("gov", "approve", made["id"], "--account", alias(agencies["tax"]))
    refused = cli("gov", "execute", made["id"], "--account", alias(agencies["tax"]), code=2)
    assert " ".join(refused.stderr.split()) == (
        f"error: proposal {made['id']} does not pass its policy yet: 2 of 3 organisations: "
        "needs 1 more (can approve: Maritime Authority (org 3), Foreign Exchange Office "
        "(org 4), Ministry of Trade (org 5))"
    )
    assert consortium_of.org_of(newcomer) == 0


def test_gov_approve__other_organisation__counts(propose, as_json, alias, agencies):
    made = propose(agencies["customs"], "set-threshold", "2")
    after = as_json("gov", "approve", made["id"], "--account", alias(agencies["maritime"]))
    assert after["proposal"]["live_approvals"] == 2
    assert after["tx_hash"].startswith("0x") and len(after["tx_hash"]) == 66


def test_gov_approve__second_key_of_an_approving_organisation__refused_counts_once(
    cli, propose, alias, agencies, second_customs_admin, consortium_of
):
    made = propose(agencies["customs"], "set-threshold", "2")
    refused = cli("gov", "approve", made["id"], "--account", alias(second_customs_admin), code=2)
    assert " ".join(refused.stderr.split()).startswith(
        f"error: Customs Authority (org 1) already approved proposal {made['id']}; an "
        "organisation counts once: 2 more needed (Tax Administration (org 2),"
    )
    assert consortium_of.tally(made["id"]).approvals == 1


# ------------------------------------------------------------------ gov list / show


def test_gov_list__open_proposals__readable_actions_and_arguments(
    cli, as_json, propose, alias, agencies, newcomer
):
    roles = propose(agencies["tax"], "grant-role", f"account={agencies['tax'].address}",
                    "roles=notary,auditor")  # fmt: skip
    threshold = propose(agencies["customs"], "set-threshold", "2")
    listed = as_json("gov", "list")
    assert (listed["threshold"], listed["states"]) == (3, ["open"])
    assert [(p["id"], p["summary"]) for p in listed["proposals"]] == [
        (roles["id"], f"grant-role account={agencies['tax'].address} roles=NOTARY|AUDITOR "
                      "expiry=0"),
        (threshold["id"], "set-threshold threshold=2"),
    ]  # fmt: skip
    human = cli("gov", "list").stdout
    assert "2 open proposal(s) in Consortium" in human
    assert f"#{threshold['id']}  open      1/3  expires " in human
    assert human.rstrip().endswith("set-threshold threshold=2")


def test_gov_list__executed_and_cancelled__not_open_listed_by_state(
    as_json, propose, alias, agencies
):
    made = propose(agencies["customs"], "set-threshold", "2")
    as_json("gov", "cancel", made["id"], "--account", alias(agencies["customs"]))
    assert as_json("gov", "list")["proposals"] == []
    cancelled = as_json("gov", "list", "--cancelled")["proposals"]
    assert [(p["id"], p["state"]) for p in cancelled] == [(made["id"], "cancelled")]
    executed = as_json("gov", "list", "--executed")["proposals"]
    assert {p["state"] for p in executed} == {"executed"} and len(executed) == 4  # set-up's


def test_gov_show__approvals_by_organisation__missing_named(
    cli, propose, alias, agencies
):  # fmt: skip
    made = propose(agencies["customs"], "set-threshold", "2", reason="CHG-9")
    cli("gov", "approve", made["id"], "--account", alias(agencies["maritime"]))
    lines = [" ".join(line.split()) for line in cli("gov", "show", made["id"]).stdout.splitlines()]
    assert lines[0] == f"Proposal {made['id']} set-threshold open"
    assert "arguments threshold=2" in lines
    assert f"proposer {agencies['customs'].address} of Customs Authority (org 1)" in lines
    assert "policy 3 of n organisations" in lines
    assert "progress 2 of 3 organisations: needs 1 more" in lines
    assert "approved by Customs Authority (org 1)" in lines
    assert "approved by Maritime Authority (org 3)" in lines
    assert (
        "missing 1 more; can approve: Tax Administration (org 2), "
        "Foreign Exchange Office (org 4), Ministry of Trade (org 5)"
    ) in lines
    assert "executable no" in lines


def test_gov_show__unknown_id__exit_2_says_which_ids_exist(as_json, suite):
    bad = as_json("gov", "show", "99", code=2)
    assert bad["ok"] is False and bad["exit_code"] == 2
    assert bad["error"] == f"no proposal 99 in this Consortium (ids run from 1 to {suite['made']})"


# ------------------------------------------------------------------ gov policy / reject


def test_gov_policy_show__default_policies__k_of_n_with_the_threshold(cli, as_json):
    shown = as_json("gov", "policy", "show")
    assert shown["threshold"] == 3
    rows = {p["action"]: p for p in shown["policies"]}
    assert set(rows) >= {"add-org", "call", "set-policy", "set-weight"}
    assert rows["call"] == {"action": "call", "own": False,
                            "policy": {"kind": "k_of_n", "word": 1 | 3 << 8, "k": 3}}  # fmt: skip
    one = as_json("gov", "policy", "show", "set-policy")["policies"]
    assert [p["action"] for p in one] == ["set-policy"]
    human = [" ".join(line.split()) for line in cli("gov", "policy", "show").stdout.splitlines()]
    assert "call 3 of n organisations (default)" in human


def test_gov_policy_set__enacted__applies_and_show_says_own(
    cli, as_json, alias, agencies, consortium_of
):
    made = as_json("gov", "policy", "set", "call", "weighted:60:51", "--reason", "CHG-11",
                   "--account", alias(agencies["customs"]))["proposal"]  # fmt: skip
    assert made["summary"] == "set-policy policy_action=call policy=weighted:60:51"
    for agency in ("tax", "maritime"):
        as_json("gov", "approve", made["id"], "--account", alias(agencies[agency]))
    as_json("gov", "execute", made["id"], "--account", alias(agencies["customs"]))
    (row,) = as_json("gov", "policy", "show", "call")["policies"]
    assert row["own"] is True
    assert row["policy"] == {"kind": "weighted", "word": 2 | 60 << 8 | 51 << 16,
                             "participation": 60, "approval": 51}  # fmt: skip
    human = " ".join(cli("gov", "policy", "show", "call").stdout.split())
    assert "call weighted: 60% participation, 51% approval (own policy)" in human
    assert consortium_of.policy_of(14) == 2 | 60 << 8 | 51 << 16


def test_gov_reject__withdraws_the_organisations_approval(
    as_json, propose, alias, agencies, consortium_of
):
    made = propose(agencies["customs"], "set-threshold", "2")
    as_json("gov", "approve", made["id"], "--account", alias(agencies["tax"]))
    after = as_json("gov", "reject", made["id"], "--account", alias(agencies["tax"]))
    view = after["proposal"]
    assert [(r["name"], r["vote"]) for r in view["rejections"]] == [
        ("Tax Administration", "reject")
    ]
    assert (view["live_approvals"], view["progress"]["rejections"]) == (1, 1)
    assert view["progress"]["distance"] == "1 of 3 organisations: needs 2 more"
    assert consortium_of.tally(made["id"]).approvals == 1


# ------------------------------------------------------------------ gov cancel


def test_gov_cancel__by_proposer__cancelled(as_json, propose, alias, agencies, consortium_of):
    made = propose(agencies["customs"], "set-threshold", "2")
    done = as_json("gov", "cancel", made["id"], "--account", alias(agencies["customs"]))
    assert done["proposal"]["state"] == "cancelled"
    assert int(consortium_of.proposals(made["id"]).status) == ProposalStatus.CANCELLED


def test_gov_cancel__by_another_organisation__refused_still_open(as_json, propose, alias, agencies):
    made = propose(agencies["customs"], "set-threshold", "2")
    bad = as_json("gov", "cancel", made["id"], "--account", alias(agencies["tax"]), code=2)
    assert bad["error"] == (
        f"proposal {made['id']} was made by Customs Authority (org 1): only its admins may "
        f"cancel it, and {alias(agencies['tax'])} belongs to Tax Administration (org 2)"
    )
    assert as_json("gov", "show", made["id"])["proposal"]["state"] == "open"


# ------------------------------------------------------------------ identical proposals


def test_gov_propose__identical_open_proposal__warns_names_it_and_proposes(
    cli, propose, alias, agencies
):
    first = propose(agencies["customs"], "set-threshold", "2")
    again = cli("gov", "propose", "set-threshold", "threshold=2", "--account",
                alias(agencies["tax"]), "--json")  # fmt: skip
    doc = json.loads(again.stdout)
    assert doc["identical_open"] == [first["id"]] and doc["proposal"]["id"] == first["id"] + 1
    assert " ".join(again.stderr.split()).endswith(
        f"warning: an identical open proposal exists (#{first['id']}): approve it instead "
        f"(trustspace gov approve {first['id']}) unless a second one is intended"
    )


def test_gov_propose__other_arguments__no_warning(cli, propose, alias, agencies):
    propose(agencies["customs"], "set-threshold", "2")
    other = cli("gov", "propose", "set-threshold", "4", "--account", alias(agencies["tax"]),
                "--json")  # fmt: skip
    assert json.loads(other.stdout)["identical_open"] == []
    assert "warning" not in other.stderr


# ------------------------------------------------------------------ gov propose call


def test_gov_propose_call__contract_and_function_by_name__decoded_then_executed(
    as_json, cli, propose, alias, agencies, suite
):
    bus = suite["deployed"].bus
    made = propose(agencies["customs"], "call", "MessageBus", "setDestinationBus", "31339",
                   BUS_OF_TAX)  # fmt: skip
    assert made["call"] == {
        "contract": "MessageBus",
        "function": "setDestinationBus(uint32,address)",
        "args": {"destination": 31339, "bus": BUS_OF_TAX},
    }
    assert made["args"]["target"] == bus.address
    shown = " ".join(cli("gov", "show", made["id"]).stdout.split())
    assert f"calls MessageBus.setDestinationBus(destination=31339, bus={BUS_OF_TAX})" in shown
    for approver in ("tax", "maritime"):
        cli("gov", "approve", made["id"], "--account", alias(agencies[approver]))
    cli("gov", "execute", made["id"], "--account", alias(agencies["customs"]))
    assert bus.destinationBus(31339) == BUS_OF_TAX


def test_gov_execute__call_the_target_refuses__its_error_by_name(
    as_json, propose, alias, agencies, suite
):
    made = propose(
        agencies["customs"], "call", "MessageBus", "setDestinationBus", "31337", BUS_OF_TAX
    )  # fmt: skip  (31337 is this chain: the bus refuses it)
    for approver in ("tax", "maritime"):
        as_json("gov", "approve", made["id"], "--account", alias(agencies[approver]))
    bad = as_json("gov", "execute", made["id"], "--account", alias(agencies["customs"]), code=2)
    assert bad["error"] == (
        f"executing proposal {made['id']} was refused by the chain: "
        "MessageBusBadDestination(destination=31337)"
    )


# ------------------------------------------------------------------ schema


def test_schema_register_list_show__notary_of_customs__listed_with_its_organisation(
    as_json, cli, alias, customs_notary, suite
):
    made = as_json("schema", "register", "customs-declaration", "1.0", "--uri",
                   "https://schemas.example/cd/1.0", "--definition-hash", "0x" + "ab" * 32,
                   "--account", alias(customs_notary))["schema"]  # fmt: skip
    assert made["id"] == 1 and made["org_name"] == "Customs Authority" and not made["deprecated"]
    listed = as_json("schema", "list")
    assert listed["notary"] == suite["deployed"].notary.address
    assert [(s["id"], s["name"], s["version"], s["org_id"]) for s in listed["schemas"]] == [
        (1, "customs-declaration", "1.0", 1)
    ]
    shown = as_json("schema", "show", "1")["schema"]
    assert shown["uri"] == "https://schemas.example/cd/1.0"
    assert shown["definition_hash"] == "0x" + "ab" * 32
    human = " ".join(cli("schema", "list").stdout.split())
    assert "1 active customs-declaration 1.0 Customs Authority (org 1)" in human


def test_schema_register__same_name_and_version__refused_names_existing(
    as_json, alias, customs_notary
):
    args = ("schema", "register", "customs-declaration", "1.0", "--account", alias(customs_notary))
    as_json(*args)
    bad = as_json(*args, code=2)
    assert bad["error"] == (
        "Customs Authority (org 1) already registered customs-declaration 1.0 as schema 1: a "
        "version is never rewritten, register a new version"
    )
    assert len(as_json("schema", "list")["schemas"]) == 1


def test_schema_deprecate__notary_of_its_organisation__deprecated(as_json, alias, customs_notary):
    as_json("schema", "register", "customs-declaration", "1.0", "--account", alias(customs_notary))
    done = as_json("schema", "deprecate", "1", "--account", alias(customs_notary))
    assert done["via"] == "notary" and done["schema"]["deprecated"] is True
    assert as_json("schema", "list", "--active")["schemas"] == []


def test_schema_deprecate__admin_of_another_organisation__proposal_not_deprecated(
    as_json, alias, customs_notary, agencies, suite
):
    as_json("schema", "register", "customs-declaration", "1.0", "--account", alias(customs_notary))
    done = as_json("schema", "deprecate", "1", "--account", alias(agencies["tax"]))
    assert done["via"] == "proposal" and done["proposal"]["state"] == "open"
    assert done["proposal"]["summary"] == (
        f"call target={suite['deployed'].notary.address} Notary.deprecateSchema(schemaId=1)"
    )
    assert as_json("schema", "show", "1")["schema"]["deprecated"] is False


def test_schema_deprecate__outsider__refused(as_json, alias, customs_notary, outsider):
    as_json("schema", "register", "customs-declaration", "1.0", "--account", alias(customs_notary))
    bad = as_json("schema", "deprecate", "1", "--account", alias(outsider), code=2)
    assert bad["error"].startswith(f"{alias(outsider)} ({outsider.address}) may not deprecate")


# ------------------------------------------------------------------ status


def test_status__deployed_suite__contracts_organisations_validators_lanes_proposals(
    as_json, cli, propose, alias, agencies, suite, records
):
    deployed = suite["deployed"]
    gov = Governance(deployed.consortium)
    three = [agencies["customs"], agencies["tax"], agencies["maritime"]]
    for agency in ("tax", "maritime"):
        gov.enact("grant_role", approvers=three, account=agencies[agency],
                  roles=int(Role.VALIDATOR))  # fmt: skip
    validators = f"{agencies['tax'].address},{agencies['maritime'].address}"
    gov.decide_call(deployed.bus, "setValidators", 31338, BUS_OF_CUSTOMS,
                    validators.split(","), 2, approvers=three)  # fmt: skip
    gov.decide_call(deployed.bus, "setDestinationBus", 31339, BUS_OF_TAX, approvers=three)
    waiting = propose(agencies["customs"], "set-threshold", "2")

    (report,) = as_json("status", "--network", "ethereum:local")["chains"]
    assert report["chain_id"] == 31337 and report["record"] == str(records / "ethereum-local.json")
    assert [(c["name"], c["address"], c["code"]) for c in report["contracts"]] == [
        (name, contract.address, "ok") for name, contract in deployed.contracts.items()
    ]
    assert [(o["org_id"], o["name"], o["kind"], o["status"]) for o in report["organisations"]] == [
        (1, "Customs Authority", "customs", "active"),
        (2, "Tax Administration", "tax", "active"),
        (3, "Maritime Authority", "maritime", "active"),
        (4, "Foreign Exchange Office", "forex", "active"),
        (5, "Ministry of Trade", "ministry", "active"),
    ]
    assert report["organisations"][0]["accounts"] == 3
    assert report["governance"]["threshold"] == 3
    assert report["governance"]["open_proposals"] == [
        {"id": waiting["id"], "summary": "set-threshold threshold=2", "approvals": 1, "needed": 3}
    ]
    (origin,) = report["validators"]
    assert (origin["origin"], origin["origin_bus"], origin["threshold"]) == (
        31338,
        BUS_OF_CUSTOMS,
        2,
    )
    assert [(v["address"], v["org_name"]) for v in origin["validators"]] == [
        (agencies["tax"].address, "Tax Administration"),
        (agencies["maritime"].address, "Maritime Authority"),
    ]
    assert report["lanes"] == [{"to": 31339, "bus": BUS_OF_TAX}]
    human = [" ".join(line.split()) for line in cli("status", "--network", "ethereum:local")
             .stdout.splitlines()]  # fmt: skip
    assert "3 Maritime Authority maritime active 1 account(s)" in human
    assert f"#{waiting['id']} 1/3 set-threshold threshold=2" in human
    assert f"to 31339: bus {BUS_OF_TAX}" in human


def test_status__no_record_for_the_chain__exit_2_says_what_to_do(
    as_json, monkeypatch, tmp_path
):  # fmt: skip
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path))
    bad = as_json("status", "--network", "ethereum:local", code=2)
    assert bad["ok"] is False and bad["exit_code"] == 2
    assert bad["error"] == (
        f"ethereum:local: no deployment record for chain 31337 in {tmp_path}: deploy the suite "
        "(ape run deploy suite) or point TRUSTSPACE_DEPLOYMENTS at your records"
    )
    (report,) = bad["chains"]
    assert report["reachable"] is True and report["contracts"] == []


def test_gov_list__consortium_override_of_another_contract__exit_2(as_json, suite):
    notary = suite["deployed"].notary.address
    bad = as_json("gov", "list", "--consortium", notary, code=2)
    assert bad["error"] == f"--consortium {notary}: the contract there is not a Consortium"


def test_schema_show__unknown_id__exit_2_says_which_ids_exist(as_json, suite):
    bad = as_json("schema", "show", "9", code=2)
    assert bad["error"] == (
        f"no schema 9 in Notary {suite['deployed'].notary.address} (none is registered yet)"
    )
