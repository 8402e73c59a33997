"""``trustspace data`` / ``connector run`` mistakes refused before any chain is contacted
(in-process, click's CliRunner): one line, exit 2, nothing sent or served."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from trustspace.cli import main
from trustspace.cli.data import _refusals
from trustspace.cli.options import CommandError

POLICY = {"purposes": ["VAT assessment"], "consumerKinds": ["TAX"], "maxTransfers": 0}


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("a,b\n")
    (tmp_path / "policy.json").write_text(json.dumps(POLICY))
    (tmp_path / "description.json").write_text("{}")
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner(mix_stderr=False).invoke(main, list(args))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    out = result.stderr.strip()
    assert out.count("\n") == 0, out
    return out


CONNECTOR = ["connector", "run", "--account", "TEST::7", "--network", "http://127.0.0.1:9"]


def test_connector_run__journal_not_sqlite__one_line_exit_2(work):
    (work / "notes.txt").write_text("not a database, just notes\n" * 200)
    out = run(*CONNECTOR, "--dataset", "1=data.csv", "--policy", "1=policy.json",
              "--journal", "notes.txt")  # fmt: skip
    assert "--journal notes.txt is not a connector journal (SQLite: " in out


def test_connector_run__dataset_without_policy__refused(work):
    out = run(*CONNECTOR, "--dataset", "1=data.csv")
    assert out.endswith(
        "--dataset 1: give its --policy 1=POLICY.json (the offer's policy document: without it "
        "the connector cannot check the agreement's purpose)"
    )


def test_connector_run__dataset_given_twice__refused(work):
    out = run(*CONNECTOR, "--dataset", "1=data.csv", "--dataset", "1=policy.json")
    assert out.endswith("--dataset '1=policy.json': offer 1 is given twice")


def test_connector_run__audience_not_a_url__refused(work):
    out = run(*CONNECTOR, "--dataset", "1=data.csv", "--policy", "1=policy.json",
              "--audience", "not-a-url")  # fmt: skip
    assert "--audience 'not-a-url' is not an http(s) URL" in out


def test_connector_run__port_in_use__refused_before_serving(work):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = str(busy.getsockname()[1])
        out = run(*CONNECTOR, "--dataset", "1=data.csv", "--policy", "1=policy.json",
                  "--port", port)  # fmt: skip
    finally:
        busy.close()
    assert f"cannot listen on 127.0.0.1:{port}" in out and "give another --port" in out
    assert "serving" not in out


def test_connector_run__unknown_host__refused(work):
    out = run(*CONNECTOR, "--dataset", "1=data.csv", "--policy", "1=policy.json",
              "--host", "no-such-host.invalid")  # fmt: skip
    assert "--host 'no-such-host.invalid': unknown host" in out


def test_data_offer__schema_0x_not_32_bytes__refused(work):
    out = run("data", "offer", "--title", "t", "--schema", "0x1234", "--description",
              "description.json", "--policy", "policy.json", "--account", "TEST::1")  # fmt: skip
    assert "--schema '0x1234': a 0x schema id must be 32 bytes" in out


def test_data_request__purpose_not_in_policy__refused(work):
    out = run("data", "request", "1", "--purpose", "marketing", "--policy", "policy.json",
              "--account", "TEST::2")  # fmt: skip
    assert out.endswith(
        "--purpose 'marketing' is not among the policy's purposes ('VAT assessment'): the "
        "connector would refuse every fetch under such an agreement"
    )


def test_data_refusal__wrong_state__names_the_state_with_a_hint(monkeypatch):
    from ape.exceptions import ContractLogicError

    import trustspace.cli.options as options

    monkeypatch.setattr(
        options, "describe_revert", lambda err: "DataServiceWrongState(agreementId=1, state=3)"
    )
    with pytest.raises(CommandError) as caught, _refusals():
        raise ContractLogicError("reverted")
    assert str(caught.value).startswith(
        "the chain refused the transaction: agreement 1 is FINALIZED "
        "(DataServiceWrongState(agreementId=1, state=3)): the agreement is not at the step"
    )
    assert caught.value.exit_code == 2 and caught.value.fields == {"code": "DataServiceWrongState"}


def test_connector_run__policy_of_an_older_version__names_both_versions_and_digests():
    from trustspace.cli.connector import _digest_mismatch
    from trustspace.dataspace.client import Offer

    offer = Offer(1, 1, 2, False, b"\0" * 32, b"\0" * 32, b"\x22" * 32, "t")
    old = _digest_mismatch(offer, b"\x11" * 32, 1)
    assert old == (
        f"--policy 1: its digest 0x{'11' * 32} is not offer 1's policy digest 0x{'22' * 32} "
        "(version 2, the latest); it is the policy of version 1: the offer was updated, give the "
        "policy of version 2 (it also serves the agreements made under older versions: "
        "docs/dataspace.md, Offer updates)"
    )
    assert _digest_mismatch(offer, b"\x33" * 32, None).endswith(
        "no version of the offer has this policy: give the provider's policy file"
    )
