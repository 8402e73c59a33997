"""``trustspace deploy wire`` and ``status`` between two local chains started by ``chains up``
on moved ports: peers by name or by a unique chain id, stale peers refused before anything
is wired, a failed wire resumed from its recorded open proposal.

One chain set for the module (customs and tax, suites deployed through the SDK); each test
wires in a deployments folder of its own, so the order of the tests does not matter for
the records. The chain state they share only grows (new proposals, executed calls).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.utils.deploy_cli import (
    ape_network,
    chains_up,
    deploy_over_web3,
    founding_admin_keys,
    no_traceback,
    record_of,
    refusal,
    said,
    trustspace_deploy,
)
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.devnet.chains import mnemonic_key
from trustspace.networks import LOCAL_VALIDATOR_INDICES

pytestmark = pytest.mark.anvil

#: keys that will hold VALIDATOR on customs (anvil's test accounts 8 and 9, no role yet)
VALIDATOR_INDEXES = (8, 9)


@pytest.fixture(scope="module")
def chains(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    folder = tmp_path_factory.mktemp("deployments")
    with chains_up(home, ("customs", "tax")) as running:
        suites = {name: deploy_over_web3(c.url, name, folder) for name, c in running.items()}
        yield {"home": home, "folder": folder, "running": running, "suites": suites}


@pytest.fixture
def records(chains, tmp_path):
    """A deployments folder of this test's own with both suites' records."""
    folder = tmp_path / "deployments"
    shutil.copytree(chains["folder"], folder)
    return folder


def _wire(chains, records, *args):
    customs = ape_network(chains["running"]["customs"])
    return trustspace_deploy(["wire", "--network", customs, *args], records, chains["home"])


def _proposals(chains):
    return chains["suites"]["customs"].consortium.functions.proposal_count().call()


def test_ape_run_deploy_wire__peer_by_name__wires_records_and_a_rerun_proposes_nothing(
    chains, records
):
    wired = _wire(chains, records, "--peer", "tax")
    assert wired.returncode == 0, wired.stdout[-2000:] + wired.stderr[-2000:]
    tax = chains["suites"]["tax"]
    customs = chains["suites"]["customs"]
    keys = ["bus.sender.Notary", "notary.bus", "notary.peer.31339", "bus.destination.31339",
            "bus.validators.31339", "bus.sender.HubLink", "consortium.bind"]  # fmt: skip
    wiring = record_of(records, "customs").wiring
    assert list(wiring) == keys
    assert all(wiring[k]["status"] == "executed" and wiring[k]["tx_hash"] for k in keys)
    notary, bus = customs.notary.functions, customs.bus.functions
    assert notary.mirroring(31339).call() == [customs.bus.address, tax.notary.address]
    assert bus.destinationBus(31339).call() == tax.bus.address
    assert bus.isSender(customs.notary.address).call() is True
    # On a local chain the local committee joins: TEST::11-15, one per agency, VALIDATOR here.
    consortium = customs.consortium.functions
    committee = [mnemonic_key(i).address for i in LOCAL_VALIDATOR_INDICES]
    assert [consortium.org_of(k).call() for k in committee] == [1, 2, 3, 4, 5]
    assert all(consortium.has_role(k, int(Role.VALIDATOR)).call() for k in committee)

    count = _proposals(chains)
    again = _wire(chains, records, "--peer", "ethereum:tax:node")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "nothing to do: every wiring call is executed" in said(again)
    assert _proposals(chains) == count
    status = trustspace_deploy(
        ["status", "--network", ape_network(chains["running"]["customs"])], records,
        chains["home"],
    )  # fmt: skip
    assert "wiring notary.peer.31339 proposal" in said(status)
    assert "deployed and wired: nothing to run" in said(status)


def test_ape_run_deploy_wire__no_local_validators__no_committee_call(chains, records):
    wired = _wire(chains, records, "--peer", "tax", "--no-local-validators")
    assert wired.returncode == 0, wired.stdout[-2000:] + wired.stderr[-2000:]
    assert "bus.validators.31339" not in record_of(records, "customs").wiring


def _make_stale(records, how):
    path = records / "ethereum-tax.json"
    data = json.loads(path.read_text())
    if how == "no code":
        data["contracts"]["Notary"]["address"] = "0x" + "00" * 19 + "99"
    else:
        data["genesis"] = "0x" + "ab" * 32
    path.write_text(json.dumps(data))


def _edit_peer(records, edit):
    path = records / "ethereum-tax.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _lookalike(data):
    """The record vouches for itself: its Notary is another contract, with that contract's
    codehash recorded (the MessageBus stands in for a lookalike an organisation deployed)."""
    data["contracts"]["Notary"]["address"] = data["contracts"]["MessageBus"]["address"]
    data["contracts"]["Notary"]["codehash"] = data["contracts"]["MessageBus"]["codehash"]


def _renamed(data):
    data["network"] = "ethereum:custom"  # no node to ask for a network ape does not know


PEER_EDITS = {
    "lookalike Notary with its own codehash": (
        _lookalike, "does not hold this release's Notary code"),
    "contents name another network": (
        _renamed, "says it records ethereum:custom, not ethereum:tax"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(PEER_EDITS))
def test_deploy_wire__peer_record_vouching_for_itself__refused_before_anything_is_wired(
    chains, records, case
):
    edit, says = PEER_EDITS[case]
    _edit_peer(records, edit)
    count = _proposals(chains)
    refused = _wire(chains, records, "--peer", "tax")
    assert refused.returncode == 2, refused.stdout[-2000:] + refused.stderr[-2000:]
    assert says in refusal(refused) and no_traceback(refused)
    assert record_of(records, "customs").wiring == {}
    assert _proposals(chains) == count


@pytest.mark.parametrize("how", ["no code", "genesis changed"])
def test_ape_run_deploy_wire__stale_peer_record__is_refused_before_anything_is_wired(
    chains, records, how
):
    _make_stale(records, how)
    count = _proposals(chains)
    refused = _wire(chains, records, "--peer", "tax")
    assert refused.returncode == 2, refused.stdout[-2000:] + refused.stderr[-2000:]
    line = refusal(refused)
    assert "--peer tax: the record ethereum:tax is stale" in line
    assert ("no code at Notary" if how == "no code" else "block 0 differs") in line
    assert "--replace-stale" in line and no_traceback(refused)
    assert record_of(records, "customs").wiring == {}
    assert _proposals(chains) == count


def test_ape_run_deploy_wire__chain_id_two_records_have__is_refused_naming_both(chains, records):
    shutil.copy(records / "ethereum-tax.json", records / "ethereum-custom-31339.json")
    data = json.loads((records / "ethereum-custom-31339.json").read_text())
    data["network"] = "ethereum:custom"
    (records / "ethereum-custom-31339.json").write_text(json.dumps(data))
    count = _proposals(chains)
    refused = _wire(chains, records, "--peer", "31339")
    assert refused.returncode == 2 and no_traceback(refused), refused.stderr[-2000:]
    assert refusal(refused) == (
        "error: --peer 31339: 2 records have chain id 31339 (ethereum:custom, ethereum:tax); "
        "name the network instead (--peer customs)"
    )
    assert record_of(records, "customs").wiring == {}
    assert _proposals(chains) == count


def test_ape_run_deploy_wire__chain_id_one_record_has__is_accepted(chains, records):
    tax = ape_network(chains["running"]["tax"])
    wired = trustspace_deploy(
        ["wire", "--network", tax, "--peer", "31338"], records, chains["home"]
    )
    assert wired.returncode == 0, wired.stdout[-2000:] + wired.stderr[-2000:]
    wiring = record_of(records, "tax").wiring
    assert wiring["notary.peer.31338"]["status"] == "executed"
    customs_notary = chains["suites"]["customs"].notary.address
    mirroring = chains["suites"]["tax"].notary.functions.mirroring(31338).call()
    assert mirroring[1] == customs_notary


def test_ape_run_deploy_wire__failed_wire__resumes_its_open_proposal(chains, records, tmp_path):
    """setValidators is refused while the keys hold no VALIDATOR role; once granted, the
    next run approves and executes the recorded proposal instead of proposing it again."""
    keys = [mnemonic_key(i).address for i in VALIDATOR_INDEXES]
    validators = tmp_path / "validators.json"
    validators.write_text(json.dumps({"keys": keys, "threshold": 1}))
    failed = _wire(chains, records, "--peer", "tax", "--validators", str(validators))
    assert failed.returncode == 2 and no_traceback(failed), failed.stderr[-2000:]
    assert refusal(failed).startswith("error: wiring refused by the chain: ")
    assert "run wire again to resume it" in refusal(failed)
    entry = record_of(records, "customs").wiring["bus.validators.31339"]
    assert entry["status"] == "proposed"
    proposal = entry["proposal_id"]

    customs = chains["suites"]["customs"]
    governance = Governance(customs.consortium)
    admins = founding_admin_keys()[:3]
    for key in keys:
        governance.enact("add_account", approvers=admins, org_id=1, account=key)
        governance.enact("grant_role", approvers=admins, account=key, roles=Role.VALIDATOR)
    count = _proposals(chains)

    resumed = _wire(chains, records, "--peer", "tax", "--validators", str(validators))
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    entry = record_of(records, "customs").wiring["bus.validators.31339"]
    assert (entry["proposal_id"], entry["status"]) == (proposal, "executed")
    # The refused call is not proposed a second time; only calls not yet made are.
    made = {k for k, e in record_of(records, "customs").wiring.items() if e["proposal_id"] > count}
    assert "bus.validators.31339" not in made
    assert governance.status(proposal).name == "EXECUTED"
    registered, _ = customs.bus.functions.validators(31339).call()
    assert sorted(registered) == sorted(keys)
