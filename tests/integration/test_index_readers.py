"""The readers read the event index: ``bus status``, ``trace``, ``gov list``, ``data log`` and
``did resolve`` answer the same with the index configured (``TRUSTSPACE_INDEX``) as without
it, say which they read (``"source"``), still see what happened after the indexer last ran
(the tail comes from the chain), and leave alone an index of another history of the chain.

One anvil chain for the module with the whole suite (tests/utils/dataspace_chain.py), a story
told over web3.py (records with lineage and a revocation, proposals with approvals and one
open, a bus message, a data agreement with a transfer, a DID attribute), indexed by the real
follower (``trustspace index run --once``). The commands run in-process (click's CliRunner).
That the index really answers is shown by rewriting a logged value in its database.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from web3 import Web3
from web3.logs import DISCARD

from tests.utils.dataspace_chain import (
    CONNECTOR,
    CUSTOMS,
    POLICY,
    SUPERVISOR,
    TAX_CLERK,
    data_space,
    send,
)
from tests.utils.deploy_cli import founding_admin_keys
from trustspace.cli import main
from trustspace.consortium import governance
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.dataspace.policy import Policy
from trustspace.devnet.chains import mnemonic_key
from trustspace.did.registry import str_to_bytes32
from trustspace.did.resolver import did_for
from trustspace.event_logs import INDEX_NOTE

pytestmark = pytest.mark.anvil

ZERO = bytes(32)
TAX_CHAIN = 31339
PURPOSE = "VAT assessment"  # the purpose POLICY permits
ENDPOINT = b"https://customs.example/hub"


def _receipt_events(event: Any, receipt: Any) -> list[Any]:
    return list(event.process_receipt(receipt, errors=DISCARD))


def _send(space: dict[str, Any], call: Any, key: Any) -> Any:
    from trustspace.bus.web3tx import TxSender

    sender = TxSender(space["suite"].contract("Notary").w3, key)
    receipt = sender.send(sender.prepare(call))
    assert receipt["status"] == 1
    return receipt


def _attest(space: dict[str, Any], label: str, parent: bytes = ZERO) -> bytes:
    notary = space["suite"].contract("Notary")
    call = notary.functions.attest(Web3.keccak(text=label), 1, parent, 0)
    receipt = _send(space, call, mnemonic_key(CONNECTOR))
    (event,) = _receipt_events(notary.events.Attested(), receipt)
    return bytes(event["args"]["id"])


def _set_attribute(space: dict[str, Any], name: str, value: bytes) -> None:
    registry = space["suite"].contract("DIDRegistry")
    owner = space["identity"]
    call = registry.functions.setAttribute(owner.address, str_to_bytes32(name), value, 86_400)
    _send(space, call, owner)


def _story(space: dict[str, Any]) -> dict[str, Any]:
    """Events of every reader's contract; what the commands are asked about."""
    suite = space["suite"]
    admins = founding_admin_keys()[:3]
    notary, bus, service = (suite.contract(n) for n in ("Notary", "MessageBus", "DataService"))
    clerk = mnemonic_key(CONNECTOR)  # customs' NOTARY
    _send(space, notary.functions.registerSchema("decl", "1", ZERO, ""), clerk)
    parent = _attest(space, "declaration")
    child = _attest(space, "assessment", parent)
    _send(space, notary.functions.revoke(child, 2), clerk)
    stranger = _attest(space, "unrelated")

    gov = Governance(suite.consortium)
    gov.decide_call(bus, "setSender", admins[0].address, True, approvers=admins)
    gov.decide_call(bus, "setDestinationBus", TAX_CHAIN, admins[0].address, approvers=admins)
    gov.propose("grant_role", sender=admins[0], account=clerk.address, roles=int(Role.AUDITOR))
    receipt = _send(space, bus.functions.dispatch(TAX_CHAIN, admins[1].address, b"hi"), admins[0])
    (dispatched,) = _receipt_events(bus.events.Dispatched(), receipt)

    policy = Policy.from_json(POLICY)
    offer = service.functions.publishOffer(
        "Customs declarations", Web3.keccak(text="customs-decl"), Web3.keccak(text="d"),
        policy.digest(), policy.terms(),
    )  # fmt: skip
    send(space, offer, admins[0])
    send(space, service.functions.requestAgreement(1, PURPOSE), admins[1])
    send(space, service.functions.acceptAgreement(1), admins[0])
    transfer = service.functions.logTransfer(
        1, mnemonic_key(TAX_CLERK).address, Web3.keccak(text="payload"), 42,
        Web3.keccak(text="request 1"),
    )  # fmt: skip
    send(space, transfer, clerk)

    _set_attribute(space, "did/svc/HubService", ENDPOINT)
    message = bytes(dispatched["args"]["id"])
    return {"parent": parent, "child": child, "stranger": stranger, "message": message}


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    root = tmp_path_factory.mktemp("readers")
    with data_space(root) as built:
        built["identity"] = mnemonic_key(9)
        built["index"] = root / "index.sqlite"  # outside $TRUSTSPACE_HOME: used only when set
        built["story"] = _story(built)
        suite = built["suite"]
        url = suite.contract("MessageBus").w3.provider.endpoint_uri
        bus = suite.contract("MessageBus").address
        # A bus links two chains: the one anvil twice (a message to the tax chain stays
        # "dispatched", its destination unconfigured).
        (root / "bus.json").write_text(
            json.dumps(
                {
                    "chains": {
                        "customs": {"rpc": url, "bus": bus},
                        "mirror": {"rpc": url, "bus": bus},
                    },
                    "signatures": "signatures",
                }
            )
        )
        (root / "signatures").mkdir()
        built["bus_config"] = root / "bus.json"
        # This process made the proposals, and governance remembers what it proposed rather
        # than read the Proposed events again: forgotten here, the readers read the events.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(governance, "_MADE", {})
            yield built


def run(space: dict[str, Any], *args: Any, index: bool, code: int = 0) -> Any:
    """``trustspace ARGS`` in-process; with ``index`` the index is configured."""
    env = {**space["env"], "TRUSTSPACE_INDEX": str(space["index"]) if index else ""}
    result = CliRunner(mix_stderr=False).invoke(
        main, [str(a) for a in args], env=env, catch_exceptions=False
    )
    assert result.exit_code == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout) if "--json" in args else result.stdout


def index_now(space: dict[str, Any]) -> None:
    """The real follower, through ``trustspace index run --once``."""
    run(space, "index", "run", "--once", "--network", "customs", index=True)


COMMANDS = ("bus status", "trace", "gov list", "data log", "did resolve")


def command(space: dict[str, Any], name: str) -> tuple[Any, ...]:
    """The arguments of reader ``name`` about the story's record, message, agreement, DID."""
    story, customs = space["story"], ("--network", "customs")
    return {
        "bus status": ("bus", "status", "0x" + story["message"].hex(), "--config",
                       space["bus_config"]),
        "trace": ("trace", "0x" + story["parent"].hex(), *customs),
        "gov list": ("gov", "list", "--all", *customs),
        "data log": ("data", "log", "--provider", CUSTOMS, "--account", f"TEST::{SUPERVISOR}",
                     *customs),
        "did resolve": ("did", "resolve", did_for(space["identity"].address, 31338), *customs),
    }[name]  # fmt: skip


@pytest.fixture(scope="module")
def indexed(space):
    index_now(space)
    return space


def _without_source(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "source"}


@pytest.mark.parametrize("name", COMMANDS)
def test_reader__index_configured__same_answer_read_from_the_index(indexed, name):
    args = command(indexed, name)
    from_chain = run(indexed, *args, "--json", index=False)
    from_index = run(indexed, *args, "--json", index=True)
    assert (from_chain["source"], from_index["source"]) == ("chain", "index")
    assert _without_source(from_index) == _without_source(from_chain)
    assert INDEX_NOTE in run(indexed, *args, index=True)
    assert INDEX_NOTE not in run(indexed, *args, index=False)


def test_readers__events_after_indexing__come_from_the_chain_tail(indexed):
    story = indexed["story"]
    late_child = _attest(indexed, "late assessment", story["parent"])
    _set_attribute(indexed, "did/svc/LateService", b"https://late.example")
    for name in ("trace", "did resolve"):
        args = command(indexed, name)
        from_index = run(indexed, *args, "--json", index=True)
        assert from_index["source"] == "index"
        assert _without_source(from_index) == _without_source(
            run(indexed, *args, "--json", index=False)
        )
    children = run(indexed, *command(indexed, "trace"), "--json", index=True)["lineage"]
    assert "0x" + late_child.hex() in json.dumps(children)
    doc = run(indexed, *command(indexed, "did resolve"), "--json", index=True)["didDocument"]
    assert "https://late.example" in json.dumps(doc["service"])


def _rewrite(index: Path, event: str, column: str, old: bytes, new: bytes) -> int:
    """Replace ``old`` by ``new`` (same length) in ``column`` of the stored ``event`` logs."""
    with sqlite3.connect(index) as db:
        changed = db.execute(
            f"UPDATE logs SET {column} = replace({column}, ?, ?) "
            "WHERE event = ? AND instr(" + column + ", ?) > 0",
            (old.hex(), new.hex(), event, old.hex()),
        ).rowcount
    return int(changed)


def _tampering(space: dict[str, Any], name: str) -> tuple[str, str, bytes, bytes, str]:
    """What to change in the index for reader ``name``: the event, its column, the value and
    its replacement, and the text the reader then shows."""
    story = space["story"]
    stranger = story["stranger"]
    outsider, admin = mnemonic_key(11).address, founding_admin_keys()[0].address
    return {
        "bus status": ("Dispatched", "data", _raw(admin), _raw(outsider), outsider),
        "trace": ("Derived", "topic2", story["child"], stranger, "0x" + stranger.hex()),
        "gov list": ("Proposed", "topic2", _raw(admin), _raw(outsider), outsider),
        "data log": ("AgreementRequested", "data", b"VAT", b"TAV", "TAV assessment"),
        "did resolve": ("DIDAttributeChanged", "data", b"customs", b"kustoms", "kustoms"),
    }[name]


def _raw(address: str) -> bytes:
    return bytes.fromhex(address[2:])


@pytest.mark.parametrize("name", COMMANDS)
def test_reader__value_rewritten_in_the_index__shown_so_the_index_answers(indexed, name):
    event, column, old, new, shown = _tampering(indexed, name)
    args = (*command(indexed, name), "--json")
    assert _rewrite(indexed["index"], event, column, old, new) >= 1
    try:
        tampered = json.dumps(run(indexed, *args, index=True))
        untouched = json.dumps(run(indexed, *args, index=False))
    finally:
        assert _rewrite(indexed["index"], event, column, new, old) >= 1
    assert shown.lower() in tampered.lower() and shown.lower() not in untouched.lower()
    assert run(indexed, *args, index=True)["source"] == "index"
    assert shown.lower() not in json.dumps(run(indexed, *args, index=True)).lower()


def test_readers__index_of_another_history__not_used(indexed):
    """The chain goes back to a snapshot and takes another course past the indexed blocks:
    the index (same chain id) no longer matches, the readers read the chain alone."""
    w3 = indexed["suite"].contract("Notary").w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    _set_attribute(indexed, "did/svc/Doomed", b"https://doomed.example")
    index_now(indexed)
    w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    _set_attribute(indexed, "did/svc/Other", b"https://other.example")
    _set_attribute(indexed, "did/svc/Other2", b"https://other2.example")
    for name in COMMANDS:
        args = command(indexed, name)
        stale = run(indexed, *args, "--json", index=True)
        assert stale["source"] == "chain", name
        assert stale == run(indexed, *args, "--json", index=False), name
    doc = run(indexed, *command(indexed, "did resolve"), "--json", index=True)["didDocument"]
    assert "doomed" not in json.dumps(doc) and "https://other.example" in json.dumps(doc)
