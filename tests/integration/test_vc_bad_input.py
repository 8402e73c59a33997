"""``trustspace vc`` from a shell: the whole flow once, then every user mistake.

One anvil hub (free port, found the way ``trustspace chains up`` leaves it) carries the suite
deployed from ``deployments/consortium.example.json`` (5 organisations, 3 needed) by the SDK
deployer, records in a folder of the test's own. The fixture, through the SDK: Customs' DID
is its admin's address (TEST::1) and the clerk TEST::6 is its ISSUER and ``veriKey``
delegate; the AEO schema is registered and Customs accredited (CALL proposals); the clerk
made revocation list 1 and suspension list 2. The company (TEST::7) holds the credential.

The flow runs in order (issue, present, verify, suspend, verify again: "suspended", status
--publish, verify from the published lists, accredit proposal), in this process except the
last verification (the executable, as people run it). Each mistake: one line, its exit code,
no traceback; ``--json`` one document for one case of each way of failing; every mistake runs
in this process through the root group (tests/utils/cli_run.py: the same argv, no interpreter
start per case), and two also through the executable (SHELL_RUNS). Last, in this process, the
mistakes of a newcomer walking docs/credentials.md that used to pass silently or read wrongly
(no-op flips, presenting another's credential, a list signed by a non-delegate …).
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
from tests.utils.credentials import AEO_SCHEMA, AEO_TYPE, aeo_claims, type_and_schema
from trustspace.devnet.chains import free_port, local_chains

pytestmark = pytest.mark.anvil

TRUSTSPACE = str(Path(sys.executable).with_name("trustspace"))
AUD, NONCE = "https://tax.example/verifier", "req-1"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: Any) -> Any:
    from trustspace.bus.web3tx import TxSender, connect
    from trustspace.consortium.constants import Role
    from trustspace.consortium.governance import Governance
    from trustspace.credentials import jws
    from trustspace.credentials.model import Purpose
    from trustspace.deploy.config import SuiteConfig
    from trustspace.deploy.deployer import SuiteDeployer
    from trustspace.deploy.stacks import Web3Chain
    from trustspace.devnet.chains import mnemonic_key
    from trustspace.did import registry as reg
    from trustspace.did.resolver import did_for
    from trustspace.networks import ChainSpec
    from trustspace.paths import project_root

    base = tmp_path_factory.mktemp("vc-cli")
    (base / "empty").mkdir()
    (base / "home" / "chains").mkdir(parents=True)
    spec = ChainSpec("hub", 31337, free_port())
    with local_chains([spec]) as (running,):
        (base / "home" / "chains" / "hub.json").write_text(json.dumps(asdict(running)))
        w3 = connect(running.url)
        config = SuiteConfig.load(project_root() / "deployments" / "consortium.example.json")
        suite = SuiteDeployer.on(
            Web3Chain(w3, mnemonic_key(0), network="hub"), config, folder=base / "records"
        ).deploy()
        admins = [mnemonic_key(i) for i in range(1, 6)]
        clerk, company = mnemonic_key(6), mnemonic_key(7)
        gov = Governance(suite.consortium)
        approvers = admins[:3]
        gov.enact("set_did", approvers=approvers, org_id=1, did=admins[0].address)
        gov.enact("add_account", approvers=approvers, org_id=1, account=clerk.address)
        gov.enact("grant_role", approvers=approvers, account=clerk.address, roles=int(Role.ISSUER))
        did_registry = suite.contract("DIDRegistry")
        TxSender(w3, admins[0]).transact(did_registry.functions.addDelegate(
            admins[0].address, reg.str_to_bytes32("veriKey"), clerk.address, 10 * 365 * 86400))  # fmt: skip
        registry = suite.contract("CredentialRegistry")
        thash, shash = type_and_schema()
        gov.decide_call(registry, "register_schema", shash, thash, approvers=approvers)
        now = w3.eth.get_block("latest")["timestamp"]
        gov.decide_call(
            registry, "accredit", 1, thash, shash, now - 60, now + 365 * 86400, approvers=approvers
        )
        for purpose in (Purpose.REVOCATION, Purpose.SUSPENSION):
            TxSender(w3, clerk).transact(registry.functions.create_list(int(purpose), 1))
        (base / "aeo.schema.json").write_text(json.dumps(AEO_SCHEMA))
        (base / "claims.json").write_text(json.dumps(aeo_claims()))
        forged = jws.sign(
            {
                "iss": did_for(admins[0].address, 31337),
                "iat": now,
                "vc": {
                    "type": ["VerifiableCredential", AEO_TYPE],
                    "credentialSubject": aeo_claims(),
                },
            },
            mnemonic_key(9).key,
        )
        (base / "forged.jwt").write_text(forged)
        (base / "other.schema.json").write_text(
            json.dumps({"type": "object", "title": "unregistered"})
        )
        yield {"base": base, "company": did_for(company.address, 31337), "registry": registry.address,
               "consortium": suite.consortium.address}  # fmt: skip


def _run(hub: Any, args: list[str], records: str = "records") -> subprocess.CompletedProcess[str]:
    base = hub["base"]
    env = {**os.environ, "TRUSTSPACE_DEPLOYMENTS": str(base / records),
           "TRUSTSPACE_HOME": str(base / "home"), "COLUMNS": "400"}  # fmt: skip
    return subprocess.run(
        [TRUSTSPACE, *args], cwd=base, env=env, capture_output=True, text=True, timeout=120
    )


def _invoke(hub: Any, args: list[str], records: str = "records") -> Any:
    """Run a command in this process (no interpreter start per step)."""
    from click.testing import CliRunner

    from trustspace.cli import main

    base = hub["base"]
    env = {"TRUSTSPACE_DEPLOYMENTS": str(base / records), "TRUSTSPACE_HOME": str(base / "home"),
           "COLUMNS": "400"}  # fmt: skip
    here = os.getcwd()
    os.chdir(base)
    try:
        return CliRunner().invoke(main, args, env=env)
    finally:
        os.chdir(here)


def _json(hub: Any, args: list[str], code: int = 0) -> dict[str, Any]:
    """Run a command in this process (the flow: no interpreter start per step); its JSON."""
    done = _invoke(hub, [*args, "--json"])
    assert done.exit_code == code, (done.output, done.exception)
    return dict(json.loads(done.stdout))


def _refused(hub: Any, args: list[str]) -> str:
    """The one error line of a command that must exit 2 (in this process, --json)."""
    document = _json(hub, args, code=2)
    assert document["ok"] is False
    return " ".join(str(document["error"]).split())


def test_vc_cli__issue_present_suspend__verdicts_follow(hub):
    issued = _json(hub, ["vc", "issue", "--subject", hub["company"], "--type", AEO_TYPE, "--claims", "claims.json",
                         "--schema", "aeo.schema.json", "--revocation-list", "1", "--suspension-list", "2",
                         "--index", "5", "--out", "aeo.jwt", "--account", "TEST::6", "--network", "hub"])  # fmt: skip
    assert issued["issuer"].endswith("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
    checked = _json(
        hub, ["vc", "verify", "aeo.jwt", "--schema", "aeo.schema.json", "--network", "hub"]
    )
    assert checked["valid"] and checked["subject"]["aeoLevel"] == "AEOF"
    _json(hub, ["vc", "present", "aeo.jwt", "--audience", AUD, "--nonce", NONCE, "--out", "vp.jwt",
                "--account", "TEST::7", "--network", "hub"])  # fmt: skip
    vp = [
        "vc",
        "verify",
        "vp.jwt",
        "--schema",
        "aeo.schema.json",
        "--audience",
        AUD,
        "--nonce",
        NONCE,
        "--network",
        "hub",
    ]
    assert _json(hub, vp)["valid"]
    _json(
        hub,
        [
            "vc",
            "suspend",
            "2",
            "5",
            "--reason",
            "audit",
            "--account",
            "TEST::6",
            "--network",
            "hub",
        ],
    )
    on_chain = _json(hub, vp, code=1)
    assert (on_chain["valid"], on_chain["reason"]) == (False, "suspended")
    status = _json(
        hub,
        [
            "vc",
            "status",
            "2",
            "5",
            "--publish",
            "list2.jwt",
            "--account",
            "TEST::6",
            "--network",
            "hub",
        ],
    )
    assert (status["value"], status["purpose"], status["set"]) == (True, "suspension", 1)
    _json(
        hub,
        ["vc", "status", "1", "--publish", "list1.jwt", "--account", "TEST::6", "--network", "hub"],
    )
    # People read this one: the real executable, from a shell.
    human = _run(hub, [*vp, "--status-list", "list1.jwt", "--status-list", "list2.jwt"])
    said = " ".join(human.stdout.split())
    assert human.returncode == 1, human.stdout + human.stderr
    assert (
        "NOT VALID presentation: suspended" in said and "status read from published lists" in said
    )
    proposed = _json(hub, ["vc", "accredit", "--org", "2", "--type", AEO_TYPE, "--schema", "aeo.schema.json",
                           "--account", "TEST::2", "--network", "hub"])  # fmt: skip
    assert proposed["step"] == "accredit" and proposed["proposal"]["state"] == "open"


# name: (arguments, exit code, words of the one error line[, records folder]).
ISSUE = ["vc", "issue", "--subject", "{company}", "--type", AEO_TYPE, "--claims", "claims.json", "--schema",
         "aeo.schema.json", "--revocation-list", "1", "--index", "0", "--network", "hub"]  # fmt: skip
CASES: dict[str, tuple[Any, ...]] = {
    "missing credential file": (["vc", "verify", "nothing.jwt", "--network", "hub"], 2, "cannot read credential nothing.jwt"),
    "account without ISSUER role": ([*ISSUE, "--account", "TEST::8"], 2, "holds no live ISSUER role"),
    "unregistered schema": ([*ISSUE[:9], "other.schema.json", *ISSUE[10:], "--account", "TEST::6"], 2, "is not registered for AEOCertificate"),
    "index beyond the list": ([*ISSUE[:13], "300", *ISSUE[14:], "--account", "TEST::6"], 2, "--index 300 is beyond list 1"),
    "tampered credential": (["vc", "verify", "forged.jwt", "--schema", "aeo.schema.json", "--network", "hub"], 1, "bad_signature"),
    "revoke by another organisation": (["vc", "revoke", "1", "3", "--account", "TEST::2", "--network", "hub"], 2, "cannot revoke entry 3 of list 1: credentials: not issuer"),
    "wrong registry address": (["vc", "status", "1", "--registry", "{consortium}", "--network", "hub"], 2, "the contract there is not a CredentialRegistry"),
    "chain down": (["vc", "status", "1", "--network", "{down}"], 3, ""),
    "no deployment record": (["vc", "status", "1", "--network", "hub"], 2, "no deployment record for", "empty"),
    "verify with status lists, chain down": (["vc", "verify", "forged.jwt", "--status-list", "forged.jwt", "--network", "{down}"], 3, "--status-list replaces only the status reads; the issuer's DID keys"),
    "accredit by a non-admin": (["vc", "accredit", "--org", "2", "--type", AEO_TYPE, "--schema", "aeo.schema.json", "--account", "TEST::6", "--network", "hub"], 2, "is not an ADMIN"),
}  # fmt: skip
# --json: one case of each way of failing (a refusal read from the chain, a revert, the chain
# down); every command reports through the same root group (options.fail).
JSON_CASES = ["account without ISSUER role", "revoke by another organisation", "chain down"]


#: Also run through the installed executable: a refusal read from the chain (as people run it),
#: the chain down (--json).
SHELL_RUNS = [("account without ISSUER role", False), ("chain down", True)]


def _runs(hub: Any, names: Any) -> list[tuple[str, bool, list[str], str]]:
    """(case, json, argv, records folder) of each run of the cases ``names``."""
    values = {
        "down": f"http://127.0.0.1:{free_port()}",
        "company": hub["company"],
        "consortium": hub["consortium"],
    }
    runs = []
    for name in names:
        args, _, _, *records = CASES[name]
        filled = [a.format(**values) for a in args]
        for as_json in (False, True) if name in JSON_CASES else (False,):
            runs.append(
                (
                    name,
                    as_json,
                    [*filled, "--json"] if as_json else filled,
                    records[0] if records else "records",
                )
            )
    return runs


@pytest.fixture(scope="module")
def outcomes(hub: Any) -> dict[tuple[str, bool], Any]:
    """Every case in this process (tests/utils/cli_run.py): {(case, json): result}."""
    env = {"TRUSTSPACE_HOME": str(hub["base"] / "home"), "COLUMNS": "400"}
    return {
        (name, as_json): invoke(
            argv, hub["base"], {**env, "TRUSTSPACE_DEPLOYMENTS": str(hub["base"] / records)}
        )
        for name, as_json, argv, records in _runs(hub, CASES)
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_vc_mistake__one_line_exit_code_no_traceback(outcomes, case):
    _, code, says, *_ = CASES[case]
    human = outcomes[(case, False)]
    out = human.stdout + human.stderr
    assert human.returncode == code, out
    assert "Traceback" not in out, out
    if code == 1:  # a not-valid verdict is a result, not a mistake
        assert "NOT VALID credential: signature does not match" in " ".join(human.stdout.split()), (
            out
        )
        return
    errors = [line for line in human.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, out
    assert says in " ".join(errors[0].split()), out


@pytest.mark.parametrize("case", JSON_CASES)
def test_vc_mistake__json__one_document_ok_false(outcomes, case):
    _, code, says, *_ = CASES[case]
    result = outcomes[(case, True)]
    assert result.returncode == code, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["exit_code"] == code
    assert says in document["error"]


def test_vc_mistakes_from_a_shell__same_line_code_and_one_document(hub):
    """The installed executable, for SHELL_RUNS."""
    runs = _runs(hub, [name for name, _ in SHELL_RUNS])
    chosen = [run for run in runs if run[:2] in SHELL_RUNS]
    assert len(chosen) == len(SHELL_RUNS)
    for name, as_json, argv, records in chosen:
        _, code, says, *_ = CASES[name]
        result = _run(hub, argv, records)
        assert_one_mistake(result, code, says, as_json)


def test_vc_verify__hostile_token__one_json_document_malformed(hub):
    from trustspace.credentials import jws
    from trustspace.devnet.chains import mnemonic_key

    base = hub["base"]
    payload = jws.decode((base / "forged.jwt").read_text()).payload
    (base / "far-iat.jwt").write_text(jws.sign({**payload, "iat": 10**20}, mnemonic_key(9).key))
    head = jws.b64url(json.dumps({"alg": "ES256K"}).encode())
    (base / "deep.jwt").write_text(f"{head}.{jws.b64url(b'[' * 20_000)}.sig")
    for name in ("far-iat.jwt", "deep.jwt"):
        verdict = _json(hub, ["vc", "verify", name, "--network", "hub"], code=1)
        assert (verdict["ok"], verdict["valid"], verdict["reason"]) == (False, False, "malformed")


# The newcomer's walk through docs/credentials.md: mistakes that used to pass silently or read
# wrongly. In this process; each uses entries 40 … 49 of its own, so none depends on another.
HUB = ["--network", "hub"]


def _issue(hub: Any, index: int, out: str) -> None:
    _json(hub, ["vc", "issue", "--subject", hub["company"], "--type", AEO_TYPE, "--claims", "claims.json",
                "--schema", "aeo.schema.json", "--revocation-list", "1", "--suspension-list", "2",
                "--index", str(index), "--out", out, "--account", "TEST::6", *HUB])  # fmt: skip


def test_vc_present__not_a_credential_of_the_holder__refused_before_signing(hub):
    _issue(hub, 40, "c40.jwt")
    present = ["vc", "present", "--audience", AUD, "--nonce", NONCE, *HUB]
    said = _refused(hub, [*present, "claims.json", "--account", "TEST::7"])
    assert said.startswith("claims.json is not a credential JWT"), said
    said = _refused(hub, [*present, "c40.jwt", "--account", "TEST::8"])
    assert f"c40.jwt is about {hub['company']}, not about did:ethr:0x7a69:" in said, said
    _json(hub, [*present, "c40.jwt", "--out", "vp40.jwt", "--account", "TEST::7"])
    said = _refused(hub, [*present, "vp40.jwt", "--account", "TEST::7"])
    assert said.startswith("vp40.jwt is a presentation, not a credential"), said


def test_vc_issue__index_already_revoked__refused(hub):
    _json(hub, ["vc", "revoke", "1", "41", "--account", "TEST::6", *HUB])
    issue = [a.format(company=hub["company"]) for a in ISSUE]
    said = _refused(hub, [*issue[:13], "41", *issue[14:], "--account", "TEST::6"])
    assert said.startswith("entry 41 of revocation list 1 is already revoked (for good)"), said


def test_vc_flip__no_op_or_duplicate__refused_naming_the_entries(hub):
    clerk = ["--account", "TEST::6", *HUB]
    _json(hub, ["vc", "suspend", "2", "42", *clerk])
    said = _refused(hub, ["vc", "suspend", "2", "42", "43", *clerk])
    assert said.startswith("entry 42 of list 2 is already suspended: nothing to change"), said
    said = _refused(hub, ["vc", "suspend", "2", "43", "--reinstate", *clerk])
    assert said.startswith("entry 43 of list 2 is not suspended: nothing to change"), said
    _json(hub, ["vc", "revoke", "1", "44", *clerk])
    said = _refused(hub, ["vc", "revoke", "1", "44", *clerk])
    assert said.startswith("entry 44 of list 1 is already revoked: nothing to change"), said
    said = _refused(hub, ["vc", "revoke", "1", "45", "46", "46", *clerk])
    assert said.startswith("entry 46 of list 1 given more than once"), said
    assert _json(hub, ["vc", "status", "1", "45", *HUB])["value"] is False


def test_vc_suspend__refused_by_the_chain__says_cannot_and_whose_list(hub):
    said = _refused(hub, ["vc", "suspend", "2", "47", "--account", "TEST::2", *HUB])
    assert said.startswith("cannot suspend entry 47 of list 2: credentials: not issuer: TEST::2"), (
        said
    )
    assert "belongs to organisation 2, list 2 to organisation 1" in said, said
    said = _refused(hub, ["vc", "suspend", "2", "47", "--account", "TEST::8", *HUB])
    assert "belongs to no organisation, list 2 to organisation 1" in said, said


def test_vc_status_publish__signer_not_a_delegate__refused(hub):
    said = _refused(
        hub, ["vc", "status", "1", "--publish", "l1-bad.jwt", "--account", "TEST::8", *HUB]
    )
    assert "is neither the owner nor a live veriKey/sigAuth delegate of did:ethr:" in said, said
    assert not (hub["base"] / "l1-bad.jwt").exists()


def test_vc_accredit__unknown_organisation__refused(hub):
    said = _refused(hub, ["vc", "accredit", "--org", "99", "--type", AEO_TYPE, "--schema",
                          "aeo.schema.json", "--account", "TEST::2", *HUB])  # fmt: skip
    assert said.startswith("no organisation 99 in Consortium"), said


def test_vc_verify__missing_status_list_file__named_as_status_list(hub):
    said = _refused(hub, ["vc", "verify", "forged.jwt", "--status-list", "nope.jwt", *HUB])
    assert said.startswith("cannot read status list file (--status-list) nope.jwt"), said


def test_vc_verify__presentation_fails__signer_shown_as_holder(hub):
    _issue(hub, 48, "c48.jwt")
    _json(hub, ["vc", "present", "c48.jwt", "--audience", AUD, "--nonce", NONCE, "--out",
                "vp48.jwt", "--account", "TEST::7", *HUB])  # fmt: skip
    args = ["vc", "verify", "vp48.jwt", "--schema", "aeo.schema.json", "--audience", AUD,
            "--nonce", "another", *HUB]  # fmt: skip
    verdict = _json(hub, args, code=1)
    assert (verdict["reason"], verdict["holder"]) == ("wrong_nonce", hub["company"])
    assert "issuer" not in verdict and "type" not in verdict
    human = _invoke(hub, args)
    said = " ".join(human.stdout.split())
    assert human.exit_code == 1 and f"holder {hub['company']}" in said, said
    assert "issuer" not in said and "type None" not in said, said


def test_vc_verify__no_deployment_record__hint_names_its_own_options(hub):
    done = _invoke(hub, ["vc", "verify", "forged.jwt", *HUB, "--json"], records="empty")
    said = " ".join(json.loads(done.stdout)["error"].split())
    assert done.exit_code == 2 and said.startswith("no deployment record for ethereum:hub"), said
    assert said.endswith("or pass --registry ADDRESS and --did-registry ADDRESS (the "
                         "CredentialRegistry and DIDRegistry of the hub)"), said  # fmt: skip
    assert "--consortium" not in said
