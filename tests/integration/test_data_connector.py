"""The data space end to end on anvil, as agencies run it: the ``trustspace data`` commands and
a real ``trustspace connector run`` process; concurrent consumers; the connector killed with
SIGKILL mid-traffic and restarted loses no log entry and logs nothing twice.

One chain and one suite for the module (tests/utils/dataspace_chain.py); the CLI runs as
subprocesses from a folder outside the checkout, finding the chain by name.
"""

from __future__ import annotations

import json
import threading

import pytest

from tests.utils.dataspace_chain import (
    CUSTOMS,
    CUSTOMS_ADMIN,
    SUPERVISOR,
    TAX_ADMIN,
    TAX_CLERK,
    ConnectorProcess,
    cli_json,
    data_space,
    send,
    signed,
)
from tests.utils.deploy_cli import founding_admin_keys, wait_until

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    with data_space(tmp_path_factory.mktemp("dataspace")) as built:
        yield built


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

    connector = ConnectorProcess(space, tmp_path / "connector.sqlite")
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

    # Customs' back office terminates from its own software; tax's next fetch is refused.
    send(space, service.functions.terminateAgreement(agreements["tax"], b"\x00" * 32), customs)
    refused = cli_json(
        space, "data", "fetch", agreements["tax"], "--out", tmp_path / "again.csv",
        "--connector", connector.url, "--account", f"TEST::{TAX_CLERK}", "--network", "customs",
        code=1,
    )  # fmt: skip
    assert refused["code"] == "terminated" and "agreement terminated" in refused["error"]
    assert not (tmp_path / "again.csv").exists()
    connector.kill()
