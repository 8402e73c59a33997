"""The data space end to end on anvil, as agencies run it: the ``trustspace data`` commands and
a real ``trustspace connector run`` process; concurrent consumers; the connector killed with
SIGKILL mid-traffic and restarted loses no log entry and logs nothing twice.

One chain and one suite for the module (deployed over web3.py); the CLI runs as subprocesses
from a folder outside the checkout, finding the chain by name (``--network customs``).
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.utils.deploy_cli import (
    TRUSTSPACE,
    chains_up,
    deploy_over_web3,
    environment,
    founding_admin_keys,
    wait_until,
)
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.dataspace.request import key_signer, sign_request
from trustspace.devnet.chains import free_port, mnemonic_key

pytestmark = pytest.mark.anvil

CUSTOMS, TAX, MARITIME, MINISTRY = 1, 2, 3, 5
# anvil's test accounts: 1-5 the founding admins (customs, tax, maritime, forex, ministry).
CUSTOMS_ADMIN, TAX_ADMIN, MARITIME_ADMIN = "TEST::1", "TEST::2", "TEST::3"
CONNECTOR, TAX_CLERK, SUPERVISOR = 7, 8, 6
POLICY = {
    "purposes": ["VAT assessment"],
    "consumerKinds": ["TAX", "MARITIME"],
    "maxTransfers": 0,
}


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    """The customs chain with the suite; customs' connector key, a tax clerk, a supervisor."""
    root = tmp_path_factory.mktemp("dataspace")
    home, deployments, work = root / "home", root / "deployments", root / "work"
    for folder in (home, deployments, work):
        folder.mkdir()
    with chains_up(home, ("customs",)) as running:
        url = running["customs"].url
        suite = deploy_over_web3(url, "customs", deployments)
        admins = founding_admin_keys()[:3]
        gov = Governance(suite.consortium)
        for org, index, roles in (
            (CUSTOMS, CONNECTOR, Role.NOTARY),
            (TAX, TAX_CLERK, None),
            (MINISTRY, SUPERVISOR, Role.AUDITOR),
        ):
            account = mnemonic_key(index).address
            gov.enact("add_account", approvers=admins, org_id=org, account=account)
            if roles is not None:
                gov.enact("grant_role", approvers=admins, account=account, roles=int(roles))
        (work / "declarations.csv").write_text("declaration,value\nCD-1,100\nCD-2,250\n")
        (work / "policy.json").write_text(json.dumps(POLICY))
        (work / "description.json").write_text(json.dumps({"title": "Customs declarations"}))
        yield {
            "env": environment(deployments, home),
            "work": work,
            "suite": suite,
            "chain_id": 31338,
        }


def cli(space, *args, code=0):
    result = subprocess.run(
        [TRUSTSPACE, *map(str, args)],
        cwd=space["work"],
        env=space["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def cli_json(space, *args, code=0):
    return json.loads(cli(space, *args, "--json", code=code).stdout)


class Connector:
    """``trustspace connector run`` as a process (started, health-checked, killed)."""

    def __init__(self, space, journal: Path) -> None:
        self.space, self.journal = space, journal
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                TRUSTSPACE, "connector", "run", "--network", "customs",
                "--account", f"TEST::{CONNECTOR}", "--dataset", "1=declarations.csv",
                "--policy", "1=policy.json", "--port", str(self.port), "--journal", self.journal,
            ],
            cwd=self.space["work"], env=self.space["env"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_until(self.healthy, "the connector answers /health", timeout=60)

    def healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(self.process.stderr.read().decode() if self.process.stderr else "")
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                return bool(json.loads(response.read())["ok"])
        except OSError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def post(self, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.url + "/transfer", data=body, headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except OSError:
            return 0, b""


def send(space, call, key):
    from trustspace.bus.web3tx import TxSender

    sender = TxSender(space["suite"].contract("DataService").w3, key)
    assert sender.send(sender.prepare(call))["status"] == 1


def signed(space, key_index, agreement_id, audience):
    suite = space["suite"]
    account = mnemonic_key(key_index)
    return sign_request(
        key_signer(account.key), account.address, agreement_id, 1, audience,
        space["chain_id"], suite.contract("DataService").address,
    )  # fmt: skip


def test_data_space__negotiate_fetch_kill_restart_terminate__log_equals_transfers(space, tmp_path):
    offer = cli_json(
        space, "data", "offer", "--title", "Customs declarations", "--schema", "customs-decl",
        "--description", "description.json", "--policy", "policy.json",
        "--account", CUSTOMS_ADMIN, "--network", "customs",
    )  # fmt: skip
    assert (offer["offer_id"], offer["version"]) == (1, 1)
    listed = cli_json(space, "data", "list", "--network", "customs")["offers"]
    assert [(o["id"], o["provider"], o["title"]) for o in listed] == [
        (1, "Customs Authority", "Customs declarations")
    ]
    asked = cli_json(
        space, "data", "request", "1", "--purpose", "VAT assessment",
        "--account", TAX_ADMIN, "--network", "customs",
    )  # fmt: skip
    accepted = cli_json(
        space, "data", "accept", asked["agreement_id"], "--account", CUSTOMS_ADMIN,
        "--network", "customs",
    )  # fmt: skip
    assert accepted["state"] == "finalized"
    # A second consumer organisation negotiates from its own software (web3.py, no CLI).
    service = space["suite"].contract("DataService")
    maritime, customs = founding_admin_keys()[2], founding_admin_keys()[0]
    send(space, service.functions.requestAgreement(1, "VAT assessment"), maritime)
    send(space, service.functions.acceptAgreement(2), customs)
    agreements = {"tax": asked["agreement_id"], "maritime": 2}

    connector = Connector(space, tmp_path / "connector.sqlite")
    connector.start()
    fetched = cli_json(
        space, "data", "fetch", agreements["tax"], "--out", tmp_path / "got.csv",
        "--connector", connector.url, "--account", f"TEST::{TAX_CLERK}", "--network", "customs",
    )  # fmt: skip
    assert fetched["logged"] == "logged"
    assert (tmp_path / "got.csv").read_text().startswith("declaration,value")

    # Several consumers at once, and a SIGKILL while their requests are in flight.
    consumers = [
        (TAX_CLERK, agreements["tax"]),
        (3, agreements["maritime"]),
        (2, agreements["tax"]),
    ]
    answers: list[tuple[int, bytes, bytes]] = []
    lock = threading.Lock()

    def consume(key_index: int, agreement_id: int, n: int) -> None:
        for _ in range(n):
            request = signed(space, key_index, agreement_id, connector.url)
            status, body = connector.post(request.body())
            rid = request.request.request_id(
                space["chain_id"], space["suite"].contract("DataService").address
            )
            with lock:
                answers.append((status, body, rid))

    threads = [threading.Thread(target=consume, args=(k, a, 4)) for k, a in consumers]
    for t in threads:
        t.start()
    wait_until(lambda: len(answers) >= 5, "some transfers served", timeout=60)
    connector.kill()
    for t in threads:
        t.join(timeout=120)
    served = {rid for status, _, rid in answers if status == 200}
    assert len(served) >= 5
    assert all(status in (200, 0) for status, _, _ in answers), answers

    connector.start()  # the same journal: reconciled with the chain on start
    replay = signed(space, TAX_CLERK, agreements["tax"], connector.url)
    assert connector.post(replay.body())[0] == 200
    status, body = connector.post(replay.body())
    assert (status, json.loads(body)["error"]) == (409, "replayed")
    served.add(
        replay.request.request_id(space["chain_id"], space["suite"].contract("DataService").address)
    )

    log = cli_json(
        space, "data", "log", "--provider", CUSTOMS, "--account", f"TEST::{SUPERVISOR}",
        "--network", "customs",
    )  # fmt: skip
    logged = [t["requestId"] for t in log["transfers"]]
    assert len(logged) == len(set(logged)), "a transfer was logged twice"
    assert served <= {bytes.fromhex(r[2:]) for r in logged}, "a served transfer was not logged"
    assert sum(a["transfers"] for a in log["agreements"]) == len(logged)
    assert log["totals"]["VAT assessment"]["transfers"] == len(logged)

    cli_json(
        space, "data", "terminate", agreements["tax"], "--reason", "audit over",
        "--account", CUSTOMS_ADMIN, "--network", "customs",
    )  # fmt: skip
    refused = cli_json(
        space, "data", "fetch", agreements["tax"], "--out", tmp_path / "again.csv",
        "--connector", connector.url, "--account", f"TEST::{TAX_CLERK}", "--network", "customs",
        code=1,
    )  # fmt: skip
    assert refused["code"] == "terminated" and "agreement terminated" in refused["error"]
    assert not (tmp_path / "again.csv").exists()
    connector.kill()
