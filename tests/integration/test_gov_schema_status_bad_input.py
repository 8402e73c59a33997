"""Every user mistake of ``trustspace gov``, ``schema`` and ``status``, as a newcomer makes
it from a shell: the real ``trustspace`` executable, run from a folder outside the checkout.

One anvil chain (``customs``, on a free port, found the way ``trustspace chains up`` leaves
it: a pid file under ``$TRUSTSPACE_HOME``) carries the suite deployed from
``deployments/consortium.example.json`` (5 organisations, 3 of them needed) by the SDK
deployer, with ``$TRUSTSPACE_DEPLOYMENTS`` pointing at a folder of the test's own. On it:

* proposal 1, ``set-threshold 2`` by Customs (``TEST::1``), approved by Maritime
  (``TEST::3``): 2 of 3 approvals;
* ``TEST::6``, a second Customs account holding ADMIN and NOTARY;
* schema 1, ``customs-declaration 1.0`` of Customs.

Each mistake gives one line saying what was wrong and what to do, its exit code (2 bad
input, 3 chain unreachable), no traceback, and with ``--json`` exactly one JSON document on
stdout (``ok: false``, ``exit_code``, ``error``; one case of each way of failing, see
JSON_CASES). Every case runs in this process through the root group (tests/utils/cli_run.py:
the same argv, no interpreter start per case); the executable runs two of them (SHELL_RUNS),
so that the installed entry point stays proven.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from tests.utils.cli_run import assert_one_mistake, invoke
from trustspace.devnet.chains import free_port, local_chains

pytestmark = pytest.mark.anvil

TRUSTSPACE = str(Path(sys.executable).with_name("trustspace"))
ADDRESS = "0x" + "12" * 20

# name: (arguments, exit code, words of the one error line, records folder: "own" or "empty").
# {down}, {consortium} and {notary} are filled in.
CASES: dict[str, tuple[Any, ...]] = {
    # ---- gov propose: the action and its words (checked before connecting)
    "unknown action": (
        ["gov", "propose", "frobnicate", "1", "--account", "TEST::1", "--network", "{down}"],
        2, "unknown action 'frobnicate': use one of add-org,",
    ),
    "malformed address argument": (
        ["gov", "propose", "add-account", "org_id=1", "account=0x12", "--account", "TEST::1",
         "--network", "{down}"],
        2, "account: '0x12' is not an address (0x and 40 hex digits",
    ),
    "missing action argument": (
        ["gov", "propose", "grant-role", f"account={ADDRESS}", "--account", "TEST::1",
         "--network", "{down}"],
        2, "grant-role needs roles: grant-role account=… roles=… expiry=…",
    ),
    "unknown role name": (
        ["gov", "propose", "grant-role", f"account={ADDRESS}", "roles=KING", "--account",
         "TEST::1", "--network", "{down}"],
        2, "roles: unknown role 'KING'; known: ADMIN, NOTARY",
    ),
    "call of an unknown function": (
        ["gov", "propose", "call", "Notary", "frob", "1", "--account", "TEST::1", "--network",
         "{down}"],
        2, "Notary has no function 'frob'",
    ),
    "call without contract and function": (
        ["gov", "propose", "call", "--account", "TEST::1", "--network", "{down}"],
        2, "call needs CONTRACT FUNCTION [ARG…]",
    ),
    # ---- gov propose: what only the chain knows
    "non-integer organisation id": (
        ["gov", "propose", "suspend-org", "org_id=1.5", "--account", "TEST::1", "--network",
         "customs"],
        2, "org_id: no organisation named '1.5': give its id",
    ),
    "unknown organisation id": (
        ["gov", "propose", "remove-org", "42", "--account", "TEST::1", "--network", "customs"],
        2, "proposing remove-org was refused by the chain: consortium: unknown organisation",
    ),
    # ---- gov approve / execute / cancel / show
    "unknown proposal id": (
        ["gov", "approve", "99", "--account", "TEST::2", "--network", "customs"],
        2, "no proposal 99 in this Consortium (ids run from 1 to 3)",
    ),
    "non-integer proposal id": (
        ["gov", "show", "first", "--network", "{down}"],
        2, "proposal id 'first' is not a positive integer",
    ),
    "approving twice": (
        ["gov", "approve", "1", "--account", "TEST::3", "--network", "customs"],
        2, "Maritime Authority (org 3) already approved proposal 1",
    ),
    "approving for an organisation that already approved": (
        ["gov", "approve", "1", "--account", "TEST::6", "--network", "customs"],
        2, "Customs Authority (org 1) already approved proposal 1; an organisation counts once",
    ),
    "executing before the threshold": (
        ["gov", "execute", "1", "--account", "TEST::1", "--network", "customs"],
        2, "proposal 1 does not pass its policy yet: 2 of 3 organisations: needs 1 more",
    ),
    "cancelling another organisation's proposal": (
        ["gov", "cancel", "1", "--account", "TEST::2", "--network", "customs"],
        2, "proposal 1 was made by Customs Authority (org 1): only its admins may cancel it",
    ),
    "account without the ADMIN role": (
        ["gov", "approve", "1", "--account", "TEST::0", "--network", "customs"],
        2, "TEST::0 (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266) is not an ADMIN",
    ),
    "unknown account alias (told before connecting)": (
        ["gov", "approve", "1", "--account", "nobody", "--network", "{down}"],
        2, "unknown account 'nobody': list them with `ape accounts list`",
    ),
    "no such test account": (
        ["gov", "propose", "set-threshold", "2", "--account", "TEST::99", "--network", "{down}"],
        2, "no local test account TEST::99: use TEST::0",
    ),
    # ---- gov policy / reject
    "policy in an unknown form": (
        ["gov", "policy", "set", "add-org", "k-of-n", "--account", "TEST::1", "--network",
         "{down}"],
        2, "policy 'k-of-n' not understood: use default, k-of-n:K, weighted:PARTICIPATION:",
    ),
    "policy percentage out of range": (
        ["gov", "policy", "set", "call", "weighted:0:50", "--account", "TEST::1", "--network",
         "{down}"],
        2, "policy 'weighted:0:50': weighted participation must be 1 to 100 %, got 0",
    ),
    "policy of an unknown action": (
        ["gov", "policy", "show", "frobnicate", "--network", "{down}"],
        2, "unknown action 'frobnicate': use one of add-org,",
    ),
    "policy that could never pass": (
        ["gov", "policy", "set", "add-org", "k-of-n:6", "--account", "TEST::1", "--network",
         "customs"],
        2, "proposing set-policy was refused by the chain: consortium: policy cannot pass",
    ),
    "rejecting without the ADMIN role": (
        ["gov", "reject", "1", "--account", "TEST::0", "--network", "customs"],
        2, "TEST::0 (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266) is not an ADMIN",
    ),
    # ---- where the Consortium is
    "chain down": (["gov", "list", "--network", "{down}"], 3, "cannot reach the chain"),
    "unknown network": (["gov", "list", "--network", "nowhere"], 2, "unknown network 'nowhere'"),
    "no deployment record for the network": (
        ["gov", "list", "--network", "customs"],
        2, "no deployment record for ethereum:customs (chain 31338)", "empty",
    ),
    "malformed --consortium": (
        ["gov", "list", "--network", "customs", "--consortium", "0x12"],
        2, "--consortium '0x12' is not an address",
    ),
    "--consortium of another contract": (
        ["gov", "show", "1", "--network", "customs", "--consortium", "{notary}"],
        2, "the contract there is not a Consortium",
    ),
    "--consortium where nothing is": (
        ["gov", "list", "--network", "customs", "--consortium", ADDRESS],
        2, f"--consortium {ADDRESS}: no contract there",
    ),
    # ---- schema
    "registering a duplicate schema": (
        ["schema", "register", "customs-declaration", "1.0", "--account", "TEST::6",
         "--network", "customs"],
        2, "Customs Authority (org 1) already registered customs-declaration 1.0 as schema 1",
    ),
    "registering without the NOTARY role": (
        ["schema", "register", "tax-return", "1.0", "--account", "TEST::2", "--network",
         "customs"],
        2, "is not a NOTARY of a live organisation",
    ),
    "deprecating an unknown schema": (
        ["schema", "deprecate", "9", "--account", "TEST::6", "--network", "customs"],
        2, "no schema 9 in Notary",
    ),
    "deprecating without NOTARY or ADMIN": (
        ["schema", "deprecate", "1", "--account", "TEST::0", "--network", "customs"],
        2, "TEST::0 (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266) may not deprecate schema 1",
    ),
    "non-integer schema id": (
        ["schema", "show", "0", "--network", "{down}"],
        2, "schema id '0' is not a positive integer",
    ),
    "malformed --notary": (
        ["schema", "list", "--network", "customs", "--notary", "0x12"], 2, "is not an address",
    ),
    "--notary of another contract": (
        ["schema", "list", "--network", "customs", "--notary", "{consortium}"],
        2, "does not hold the Notary code of this trustspace version",
    ),
    "schema: chain down": (["schema", "list", "--network", "{down}"], 3, "cannot reach"),
    # ---- status
    "status: chain down": (
        ["status", "--network", "{down}"], 3, "cannot reach http://127.0.0.1:",
    ),
    "status: unknown network": (
        ["status", "--network", "nowhere"], 2, "nowhere: unknown network 'nowhere'",
    ),
    "status: no deployment record for the chain": (
        ["status", "--network", "customs"],
        2, "customs: no deployment record for chain 31338", "empty",
    ),
    "status: no record of any local chain": (
        ["status"], 2, "no deployment record of a local chain", "empty",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """The customs chain with the suite, proposal 1, TEST::6 and schema 1 (see above)."""
    from trustspace.bus.web3tx import TxSender, connect
    from trustspace.consortium.constants import Role
    from trustspace.consortium.governance import Governance
    from trustspace.deploy.config import SuiteConfig
    from trustspace.deploy.deployer import SuiteDeployer
    from trustspace.deploy.stacks import Web3Chain
    from trustspace.devnet.chains import mnemonic_key
    from trustspace.networks import ChainSpec
    from trustspace.paths import project_root

    base = tmp_path_factory.mktemp("gov-bad-input")
    (base / "empty").mkdir()
    (base / "home" / "chains").mkdir(parents=True)
    spec = ChainSpec("customs", 31338, free_port())
    with local_chains([spec]) as (running,):
        # What `trustspace chains up` leaves behind, so that `--network customs` finds it.
        (base / "home" / "chains" / "customs.json").write_text(json.dumps(asdict(running)))
        w3 = connect(running.url)
        config = SuiteConfig.load(project_root() / "deployments" / "consortium.example.json")
        stack = Web3Chain(w3, mnemonic_key(0), network="customs")
        suite = SuiteDeployer.on(stack, config, folder=base / "records").deploy()
        admins = [mnemonic_key(i) for i in range(1, 6)]
        customs_clerk = mnemonic_key(6)
        gov = Governance(suite.consortium)
        proposal = gov.propose("set_threshold", sender=admins[0], threshold=2)
        gov.approve(proposal, sender=admins[2])
        assert proposal == 1
        gov.enact("add_account", approvers=admins[:3], org_id=1, account=customs_clerk.address)
        gov.enact("grant_role", approvers=admins[:3], account=customs_clerk.address,
                  roles=int(Role.ADMIN | Role.NOTARY))  # fmt: skip
        TxSender(w3, customs_clerk).transact(
            suite.notary.functions.registerSchema("customs-declaration", "1.0", bytes(32), "")
        )
        yield {
            "base": base,
            "consortium": suite.consortium.address,
            "notary": suite.notary.address,
        }


def _env(deployed, records: str) -> dict[str, str]:
    base = deployed["base"]
    return {
        "TRUSTSPACE_DEPLOYMENTS": str(base / ("records" if records == "own" else "empty")),
        "TRUSTSPACE_HOME": str(base / "home"),
        "COLUMNS": "400",
    }


def _run(deployed, args: list[str], records: str) -> Any:
    """The command in this process (see tests/utils/cli_run.py)."""
    return invoke(args, deployed["base"], _env(deployed, records))


def _shell(deployed, args: list[str], records: str) -> subprocess.CompletedProcess[str]:
    """The installed ``trustspace`` as a subprocess, as people run it."""
    return subprocess.run(
        [TRUSTSPACE, *args], cwd=deployed["base"], env={**os.environ, **_env(deployed, records)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


# With --json, one case of each way a command fails: every command reports a failure through
# the same root group (options.fail), so the others add run time, not evidence.
JSON_CASES = [
    "unknown action",  # refused before connecting
    "unknown role name",
    "non-integer proposal id",
    "non-integer organisation id",  # refused after reading the chain
    "unknown organisation id",  # a revert of the transaction
    "executing before the threshold",
    "chain down",
    "no deployment record for the network",
    "--consortium of another contract",
    "registering a duplicate schema",
    "status: chain down",  # status reports every chain in its one document
    "status: unknown network",
    "status: no deployment record for the chain",
]


#: Also run through the installed executable: refused after reading the chain (as people run
#: it), the chain down (--json).
SHELL_RUNS = [("approving twice", False), ("chain down", True)]


def _runs(deployed, names) -> list[tuple[str, bool, list[str], str]]:
    """(case, json, argv, records folder) of each run of the cases ``names``."""
    down = f"http://127.0.0.1:{free_port()}"
    values = {"down": down, "consortium": deployed["consortium"], "notary": deployed["notary"]}
    runs = []
    for name in names:
        args, _, _, *records = CASES[name]
        filled = [a.format(**values) for a in args]
        for as_json in (False, True) if name in JSON_CASES else (False,):
            runs.append((name, as_json, [*filled, "--json"] if as_json else filled,
                         records[0] if records else "own"))  # fmt: skip
    return runs


@pytest.fixture(scope="module")
def outcomes(deployed):
    """Every case as people run it, JSON_CASES also as scripts: {(case, json): result}."""
    return {
        (name, as_json): _run(deployed, argv, records)
        for name, as_json, argv, records in _runs(deployed, CASES)
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_gov_schema_status_mistake__one_line_exit_code_no_traceback(outcomes, case):
    _, code, says, *_ = CASES[case]
    human = outcomes[(case, False)]
    out = human.stdout + human.stderr
    assert human.returncode == code, out
    assert "Traceback" not in out, out
    errors = [line for line in human.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, out
    assert says in " ".join(errors[0].split()), out
    assert "Warning" not in human.stderr, out


@pytest.mark.parametrize("case", JSON_CASES)
def test_gov_schema_status_mistake__json__one_document_ok_false(outcomes, case):
    _, code, says, *_ = CASES[case]
    result = outcomes[(case, True)]
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)  # exactly one document
    assert document["ok"] is False and document["exit_code"] == code
    assert says in document["error"]


def test_gov_schema_status_mistakes_from_a_shell__same_outcome_as_in_process(deployed, outcomes):
    """The installed executable gives the exit code, the error line and the JSON document that
    the in-process runs gave, for SHELL_RUNS."""
    runs = _runs(deployed, [name for name, _ in SHELL_RUNS])
    chosen = [run for run in runs if run[:2] in SHELL_RUNS]
    assert len(chosen) == len(SHELL_RUNS)
    for name, as_json, argv, records in chosen:
        _, code, says, *_ = CASES[name]
        result = _shell(deployed, argv, records)
        assert_one_mistake(result, code, says, as_json)
        assert "Warning" not in result.stderr, (name, result.stderr)
