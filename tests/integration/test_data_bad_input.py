"""Every kind of mistake with the ``trustspace data`` and ``connector`` commands, as a user makes
it from a shell: one line saying what was wrong, the right exit code, no traceback; ``--json``
stays one document (checked once per way of failing: usage, bad input, unreachable, refused).
The commands run in this process through the root group (tests/utils/cli_run.py: the same
argv, from the work folder, no interpreter start per command); the installed ``trustspace``
runs a few of them as a subprocess, so that the entry point stays proven.

The chain-bound mistakes (wrong role, a refused transaction, the connector down) run against
one anvil chain with the suite, an offer and an agreement (tests/utils/dataspace_chain.py).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.utils.cli_run import invoke
from tests.utils.dataspace_chain import POLICY, data_space, send
from tests.utils.dataspace_chain import cli as shell
from tests.utils.deploy_cli import founding_admin_keys
from trustspace.dataspace.policy import Policy
from trustspace.devnet.chains import free_port
from trustspace.devnet.demo_credentials import AEO_SCHEMA, AEO_TYPE

pytestmark = pytest.mark.anvil

DOWN = f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    with data_space(tmp_path_factory.mktemp("data-bad-input")) as built:
        service = built["suite"].contract("DataService")
        customs, tax = founding_admin_keys()[:2]
        policy = Policy.from_json(POLICY)
        publish = service.functions.publishOffer(
            "Customs declarations", b"\x01" * 32, b"\x02" * 32, policy.digest(), policy.terms()
        )
        send(built, publish, customs)
        send(built, service.functions.requestAgreement(1, "VAT assessment"), tax)
        send(built, service.functions.acceptAgreement(1), customs)
        work = built["work"]
        (work / "unknown-field.json").write_text(json.dumps({**POLICY, "colour": 1}))
        (work / "aeo-policy.json").write_text(json.dumps({**POLICY, "credentialType": AEO_TYPE}))
        (work / "aeo-schema.json").write_text(json.dumps(AEO_SCHEMA))
        (work / "not-a-vp.jwt").write_text("not a jwt")
        yield built


def cli(space: dict[str, Any], *args: Any, code: int = 0) -> Any:
    """``trustspace ARGS`` in this process from the work folder; asserts the exit code and no
    traceback (what tests/utils/dataspace_chain.py's ``cli`` asserts of the executable)."""
    env = {k: v for k, v in space["env"].items() if os.environ.get(k) != v}
    result = invoke([str(a) for a in args], space["work"], env)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def cli_json(space: dict[str, Any], *args: Any, code: int = 0) -> Any:
    """``cli`` with ``--json``: the one document."""
    return json.loads(cli(space, *args, "--json", code=code).stdout)


OFFER = ["data", "offer", "--title", "t", "--schema", "s", "--description", "description.json"]


def line(result):
    out = result.stderr.strip()
    assert out.count("\n") == 0, out
    return out


def test_data_commands__mistakes_without_a_chain__one_line_each(space):
    missing = cli(space, *OFFER, "--account", "TEST::1", code=2)
    assert "give --policy" in line(missing)
    unknown = cli(space, *OFFER, "--policy", "unknown-field.json", "--account", "TEST::1", code=2)
    assert "policy: unknown field(s) colour" in line(unknown)
    address = cli_json(
        space, "data", "request", "1", "--purpose", "p", "--account", "TEST::2",
        "--data-service", "0x12", code=2,
    )  # fmt: skip
    assert "--data-service '0x12' is not an address" in address["error"]
    no_file = cli(
        space, "connector", "run", "--dataset", "1=missing.csv", "--account", "TEST::7", code=2
    )
    assert "no such file missing.csv" in line(no_file)
    down = cli_json(space, "data", "list", "--network", DOWN, code=3)
    assert down["error"].startswith("cannot reach the chain")
    fetch = ["data", "fetch", "1", "--out", "got.csv", "--account", "TEST::8"]
    no_vp = cli(space, *fetch, "--presentation", "missing.jwt", code=2)
    assert line(no_vp).endswith("--presentation missing.jwt: no such file")
    not_vp = cli(space, *fetch, "--presentation", "not-a-vp.jwt", code=2)
    assert "--presentation not-a-vp.jwt is not a JWT" in line(not_vp)
    no_schema = cli(
        space, "connector", "run", "--dataset", "1=declarations.csv",
        "--policy", "1=aeo-policy.json", "--account", "TEST::7", code=2,
    )  # fmt: skip
    assert "requires a AEOCertificate credential: give its --credential-schema FILE" in line(
        no_schema
    )


def test_data_commands__mistakes_against_the_chain__one_line_each(space):
    no_auditor = cli(
        space, "data", "log", "--provider", "1", "--account", "TEST::2", "--network", "customs",
        code=2,
    )  # fmt: skip
    assert "holds no live AUDITOR role" in line(no_auditor)
    assert "(trustspace gov propose grant-role account=0x" in line(no_auditor)
    refused = cli_json(
        space, "data", "terminate", "1", "--account", "TEST::3", "--network", "customs", code=2
    )
    assert (
        "DataServiceNotParty(agreementId=1, orgId=3): only an ADMIN of the provider"
        in (refused["error"])
    )
    assert refused["code"] == "DataServiceNotParty"
    connector_down = cli(
        space, "data", "fetch", "1", "--out", "got.csv", "--connector", DOWN,
        "--account", "TEST::8", "--network", "customs", code=3,
    )  # fmt: skip
    assert f"cannot reach the connector at {DOWN}" in line(connector_down)
    assert not (space["work"] / "got.csv").exists()
    hub_down = cli(
        space, "connector", "run", "--dataset", "1=declarations.csv",
        "--policy", "1=aeo-policy.json", "--credential-schema", "aeo-schema.json",
        "--hub-network", DOWN, "--account", "TEST::7", "--network", "customs", code=3,
    )  # fmt: skip
    assert f"cannot reach {DOWN}" in line(hub_down)


def test_data_commands__unknown_org_no_did_or_a_chain_down__say_so(space):
    no_org = cli(
        space, "data", "log", "--provider", "99", "--account", "TEST::6", "--network", "customs",
        code=2,
    )  # fmt: skip
    assert line(no_org).endswith(
        "--provider 99: no such organisation on ethereum:customs (`trustspace status` lists them)"
    )
    no_did = cli(
        space, "data", "fetch", "1", "--out", "got.csv", "--account", "TEST::8",
        "--network", "customs", code=2,
    )  # fmt: skip
    assert "the provider organisation 1 has no DID" in line(no_did)
    assert "announces no DataConnector" not in no_did.stderr
    both = cli_json(space, "data", "list", "--network", "customs", "--network", DOWN, code=3)
    assert [o["id"] for o in both["offers"]] == [1] and both["unreachable"] == [DOWN]
    assert both["error"].startswith(f"cannot reach the chain {DOWN}: its offers are not shown")


def test_data_commands__mistakes_from_a_shell__one_line_and_one_document(space):
    """The installed executable: a refusal before connecting, and the chain down with --json."""
    missing = shell(space, *OFFER, "--account", "TEST::1", code=2)
    assert "give --policy" in line(missing)
    down = json.loads(shell(space, "data", "list", "--network", DOWN, "--json", code=3).stdout)
    assert down["ok"] is False and down["exit_code"] == 3
    assert down["error"].startswith("cannot reach the chain")
