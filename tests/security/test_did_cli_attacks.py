"""Attacks on ``trustspace did`` through what it reads and what it is given.

* Terminal markup injection (issue 11, finding 12): anyone may write any bytes to the
  registry, and the CLI printed them as rich markup: ``[@…]`` hid a host, ``[link=…]``
  made a hyperlink, ``[/]`` crashed the command.
* Crafted attribute values (finding 13): a 1,500-deep ``[[[[…`` value killed resolution
  with RecursionError; ``NaN`` made ``--json`` print invalid JSON.
* Secrets and confirmation (issue 11, "Also decide"): private keys were taken as flags
  (``--key``, ``--signer-key``: shell history, process listings) and chain id 1337,
  the id of many real QBFT networks, was sent to without asking.

The CLI is pointed at an in-process eth-tester chain (fresh per test) through a patched
``_w3``, so every test runs the real command end to end over web3.py.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_utils.crypto import keccak
from rich.console import Console

from trustspace.artifacts import abi, bytecode
from trustspace.cli.options import EXIT_BAD_INPUT, EXIT_OK
from trustspace.consortium.constants import OrgKind
from trustspace.consortium.governance import OrgSeed, constructor_args
from trustspace.did.registry import str_to_bytes32
from trustspace.did.resolver import did_for

did_module = importlib.import_module("trustspace.cli.did")
DAY = 86400
URL = "https://did.agency.example:8545"

HIDDEN_HOST = '{"a":"[@","uri":"https://evil.example/collect","b":"]https://tax.gov.example/api"}'
LINK = "[link=https://evil.example/collect]https://tax.gov.example/api[/link]"


class Chain:
    """A fresh eth-tester chain with a DIDRegistry, reached by the CLI at ``URL``."""

    def __init__(self, provider: Any = None) -> None:
        from web3 import EthereumTesterProvider, Web3

        self.w3 = Web3(provider or EthereumTesterProvider())
        # The eth-tester node's own unlocked account (not an ape test account).
        self.funder, *_ = self.w3.eth.accounts
        self.registry = self.deploy("DIDRegistry")
        self.contract = self.w3.eth.contract(
            address=Web3.to_checksum_address(self.registry), abi=abi("DIDRegistry")
        )
        self.chain = f"{URL}={self.registry}"

    def deploy(self, name: str, *args: Any) -> str:
        factory = self.w3.eth.contract(abi=abi(name), bytecode=bytecode(name))
        tx = factory.constructor(*args).transact({"from": self.funder})
        return str(self.w3.eth.wait_for_transaction_receipt(tx)["contractAddress"])

    def actor(self, role: str) -> Any:
        account = Account.from_key(keccak(text=f"trustspace did attack actor: {role}"))
        self.w3.eth.send_transaction(
            {"from": self.funder, "to": account.address, "value": self.w3.to_wei(100, "ether")}
        )
        return account

    def publish(self, identity: Any, name: str, value: bytes) -> None:
        """``identity`` writes attribute ``name`` = ``value`` itself (no CLI involved)."""
        call = self.contract.functions.setAttribute(
            identity.address, str_to_bytes32(name), value, DAY
        )
        tx = call.build_transaction(
            {
                "from": identity.address,
                "nonce": self.w3.eth.get_transaction_count(identity.address),
                "chainId": self.w3.eth.chain_id,
            }
        )
        raw = identity.sign_transaction(tx).raw_transaction
        receipt = self.w3.eth.wait_for_transaction_receipt(self.w3.eth.send_raw_transaction(raw))
        assert receipt["status"] == 1

    def did(self, identity: Any) -> str:
        return did_for(identity.address, int(self.w3.eth.chain_id))


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch) -> Chain:
    built = Chain()
    monkeypatch.setattr(did_module, "_w3", lambda url: built.w3)
    return built


@pytest.fixture
def holder(chain: Chain) -> Any:
    """An identity that publishes hostile attribute values on its own DID."""
    return chain.actor("hostile holder")


@pytest.fixture
def clerk_key(chain: Chain) -> Any:
    """A tax clerk's key, funded, that the CLI signs with."""
    return chain.actor("tax clerk")


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    """The command as a user runs it, on a wide terminal; stdout and stderr apart."""
    return CliRunner(mix_stderr=False).invoke(
        did_module.did, list(args), input=input, env={"COLUMNS": "4000", **(env or {})}
    )


def endpoint_cell(output: str) -> str:
    """The endpoint of the services block (id, type, endpoint), as the user reads it."""
    [row] = [line for line in output.splitlines() if "service-1" in line]
    return row.split(maxsplit=2)[2]


# ------------------------------------------------------------- finding 12: markup


def test_did_markup__endpoint_hiding_a_host__both_hosts_shown(chain, holder):
    chain.publish(holder, "did/svc/TaxApi", HIDDEN_HOST.encode())
    res = run("resolve", chain.did(holder), "--chain", chain.chain)
    assert res.exit_code == EXIT_OK, res.output
    # Before: `[@","uri":"https://evil.example/collect","b":"]` was read as a rich tag and
    # vanished, so the clerk saw only https://tax.gov.example/api.
    assert endpoint_cell(res.stdout) == HIDDEN_HOST
    assert "https://evil.example/collect" in res.stdout


def test_did_markup__link_tag_in_endpoint__printed_as_text_never_a_hyperlink(
    chain, holder, monkeypatch
):
    chain.publish(holder, "did/svc/TaxApi", LINK.encode())
    res = run("resolve", chain.did(holder), "--chain", chain.chain)
    assert res.exit_code == EXIT_OK, res.output
    assert endpoint_cell(res.stdout) == LINK
    # On a real terminal too: no OSC 8 hyperlink escape, the tag shows as typed.
    terminal = Console(
        force_terminal=True, color_system="truecolor", width=4000,
        markup=did_module.console._markup, highlight=False, emoji=False,
    )  # fmt: skip
    monkeypatch.setattr(did_module, "console", terminal)
    with terminal.capture() as captured:
        assert run("resolve", chain.did(holder), "--chain", chain.chain).exit_code == EXIT_OK
    assert "\x1b]8;" not in captured.get()
    assert LINK in captured.get()


def test_did_markup__closing_tag_value__resolves_and_prints_it(chain, holder):
    chain.publish(holder, "did/svc/TaxApi", b"[/]")
    res = run("resolve", chain.did(holder), "--chain", chain.chain)
    # Before: rich raised MarkupError ("closing tag '[/]' … has nothing to close").
    assert res.exit_code == EXIT_OK, res.output
    assert endpoint_cell(res.stdout) == "[/]"


def test_did_markup__bidi_override_in_endpoint__shown_escaped(chain, holder):
    # U+202E makes "https://tax.gov.example/\u202elpmaxe.live//:sptth" read as another host.
    value = "https://tax.gov.example/\u202elpmaxe.live//:sptth"
    chain.publish(holder, "did/svc/TaxApi", value.encode())
    res = run("resolve", chain.did(holder), "--chain", chain.chain)
    assert res.exit_code == EXIT_OK, res.output
    assert "\u202e" not in res.stdout
    assert endpoint_cell(res.stdout) == "https://tax.gov.example/\\u202elpmaxe.live//:sptth"
    # --json keeps the exact value (JSON escapes it).
    doc = json.loads(run("resolve", chain.did(holder), "--json", "--chain", chain.chain).stdout)
    assert doc["didDocument"]["service"][0]["serviceEndpoint"] == value


def test_did_markup__organisation_name_with_markup__printed_as_is(chain, holder):
    name = "[bold red]Tax Administration[/] [/]"
    seeds = [OrgSeed(name, OrgKind.TAX, [holder.address], did=holder.address)]
    consortium = chain.deploy("Consortium", *constructor_args(seeds, 1, DAY))
    res = run("resolve", chain.did(holder), "--chain", f"{chain.chain},{consortium}")
    assert res.exit_code == EXIT_OK, res.output
    assert f"{name} (#1, TAX, ACTIVE) via did" in res.stdout


# ----------------------------------------------------- finding 13: crafted values


@pytest.fixture
def default_recursion_limit():
    """The interpreter's default limit, as in a ``trustspace`` process (the test runner
    raises it, which would let json's recursive decoder through 1,500 levels)."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(before)


@pytest.mark.parametrize("as_json", [False, True])
def test_did_crafted_value__1500_deep_nesting__resolves_as_opaque_string(
    chain, holder, as_json, default_recursion_limit
):
    value = "[" * 1500
    chain.publish(holder, "did/svc/TaxApi", value.encode())
    res = run("resolve", chain.did(holder), "--chain", chain.chain, *(["--json"] * as_json))
    # Before: RecursionError out of json.loads, with or without --json.
    assert res.exit_code == EXIT_OK, res.output
    if as_json:
        doc = json.loads(res.stdout)
        assert doc["didDocument"]["service"][0]["serviceEndpoint"] == value
    else:
        assert endpoint_cell(res.stdout) == value


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "value", ["NaN", "Infinity", "-Infinity", '{"uri":"https://tax.example","w":NaN}', "1e400"]
)
def test_did_crafted_value__non_finite_number__json_output_stays_strict(chain, holder, value):
    chain.publish(holder, "did/svc/TaxApi", value.encode())
    res = run("resolve", chain.did(holder), "--json", "--chain", chain.chain)
    assert res.exit_code == EXIT_OK, res.output
    # Before: `"serviceEndpoint": NaN` (or Infinity), which no strict JSON parser accepts.
    doc = strict_json(res.stdout)
    assert doc["didDocument"]["service"][0]["serviceEndpoint"] == value


# ------------------------------------------------- secrets and confirmation


WRITE_COMMANDS = [
    ["change-owner", "0x" + "11" * 20, "0x" + "22" * 20],
    ["add-delegate", "0x" + "11" * 20, "0x" + "22" * 20],
    ["revoke-delegate", "0x" + "11" * 20, "0x" + "22" * 20],
    ["set-attribute", "0x" + "11" * 20, "did/svc/TaxApi", "https://tax.example"],
    ["revoke-attribute", "0x" + "11" * 20, "did/svc/TaxApi", "https://tax.example"],
]


@pytest.mark.parametrize("command", WRITE_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("flag", ["--key", "--signer-key"])
def test_did_cli_secrets__key_flags__no_longer_exist(chain, clerk_key, command, flag):
    res = run(*command, "--chain", chain.chain, flag, clerk_key.key.hex(), "--yes")
    assert res.exit_code == 2
    assert f"No such option: {flag}" in res.stderr
    assert chain.w3.eth.get_transaction_count(clerk_key.address) == 0


@pytest.mark.parametrize("option", ["--account", "--signer-account"])
def test_did_cli_secrets__private_key_given_as_account__refused_without_echo(
    chain, clerk_key, option
):
    key = clerk_key.key.hex()
    args = ["set-attribute", clerk_key.address, "did/svc/TaxApi", "https://tax.example"]
    extra = [] if option == "--account" else ["--account", "env:UNUSED_DID_KEY"]
    env = {"UNUSED_DID_KEY": Account.create().key.hex()}
    res = run(*args, "--chain", chain.chain, *extra, option, key, "--yes", env=env)
    assert res.exit_code == EXIT_BAD_INPUT
    # (the payer's env: form is deprecated: a warning line may come first)
    assert res.stderr.strip().splitlines()[-1] == (
        f"error: {option} takes an ape account alias, env:VARIABLE or file:PATH, never a "
        "private key: a key on a command line is kept in shell history and process listings"
    )
    assert key.removeprefix("0x") not in res.stdout + res.stderr
    assert chain.w3.eth.get_transaction_count(clerk_key.address) == 0


def test_did_cli_secrets__key_from_environment_and_from_file__sends(chain, clerk_key, tmp_path):
    key_file = tmp_path / "clerk.key"
    key_file.write_text(clerk_key.key.hex() + "\n")
    key_file.chmod(0o600)
    env = {"TRUSTSPACE_TEST_CLERK_KEY": clerk_key.key.hex()}
    for n, account in enumerate(["env:TRUSTSPACE_TEST_CLERK_KEY", f"file:{key_file}"]):
        res = run(
            "set-attribute", clerk_key.address, f"did/svc/Api{n}", "https://tax.example",
            "--chain", chain.chain, "--account", account, "--yes", "--json", env=env,
        )  # fmt: skip
        assert res.exit_code == EXIT_OK, res.output
        assert json.loads(res.stdout)["result"] == "attribute set"
    doc = json.loads(run("resolve", chain.did(clerk_key), "--json", "--chain", chain.chain).stdout)
    assert [s["type"] for s in doc["didDocument"]["service"]] == ["Api0", "Api1"]


def test_did_cli_secrets__meta_transaction_owner_key_from_environment__payer_pays(
    chain, clerk_key, holder
):
    env = {"PAYER_KEY": clerk_key.key.hex(), "OWNER_KEY": holder.key.hex()}
    res = run(
        "set-attribute", holder.address, "did/svc/TaxApi", "https://tax.example",
        "--chain", chain.chain, "--account", "env:PAYER_KEY", "--signer-account", "env:OWNER_KEY",
        "--yes", env=env,
    )  # fmt: skip
    assert res.exit_code == EXIT_OK, res.output
    assert chain.w3.eth.get_transaction_count(clerk_key.address) == 1
    assert chain.w3.eth.get_transaction_count(holder.address) == 0
    assert chain.contract.functions.nonce(holder.address).call() == 1


def qbft_1337_provider() -> Any:
    """An eth-tester node that reports chain id 1337, as many real QBFT networks do."""
    from web3 import EthereumTesterProvider

    class Qbft1337(EthereumTesterProvider):  # type: ignore[misc]
        def make_request(self, method: Any, params: Any) -> Any:
            if method == "eth_chainId":
                return {"jsonrpc": "2.0", "id": 1, "result": hex(1337)}
            return super().make_request(method, params)

    return Qbft1337()


def test_did_cli_secrets__chain_1337_on_a_remote_node__asks_and_sends_nothing_when_declined(
    monkeypatch, clerk_key
):
    remote = Chain(qbft_1337_provider())
    monkeypatch.setattr(did_module, "_w3", lambda url: remote.w3)
    assert remote.w3.eth.chain_id == 1337
    head = remote.w3.eth.block_number
    res = run(
        "set-attribute", clerk_key.address, "did/svc/TaxApi", "https://tax.example",
        "--chain", remote.chain, "--account", "env:CLERK_KEY", "--json",
        input="n\n", env={"CLERK_KEY": clerk_key.key.hex()},
    )  # fmt: skip
    # Before: 1337 counted as local, so the transaction went out without a question.
    assert f"send from {clerk_key.address} to registry {remote.registry} on chain 1337" in (
        res.stderr
    )
    assert res.exit_code == EXIT_BAD_INPUT
    # CliRunner echoes the typed answer onto stdout; a terminal shows it, not the pipe.
    assert json.loads(res.stdout[res.stdout.index("{") :]) == {
        "ok": False,
        "error": "not sent: not confirmed (--yes sends without asking)",
        "exit_code": EXIT_BAD_INPUT,
    }
    assert remote.w3.eth.block_number == head


def test_did_cli_secrets__remote_chain__sends_once_confirmed(chain, clerk_key):
    env = {"CLERK_KEY": clerk_key.key.hex()}
    args = ["set-attribute", clerk_key.address, "did/svc/TaxApi", "https://tax.example"]
    res = run(*args, "--chain", chain.chain, "--account", "env:CLERK_KEY", input="y\n", env=env)
    assert "send from" in res.stderr
    assert res.exit_code == EXIT_OK, res.output
    assert chain.contract.functions.changed(clerk_key.address).call() > 0


def test_did_cli_secrets__private_key_as_account__refused_before_any_network_access(
    monkeypatch, clerk_key
):
    def no_network(url: str) -> Any:
        raise AssertionError(f"the CLI reached out to {url} holding a key from argv")

    monkeypatch.setattr(did_module, "_w3", no_network)
    res = run(
        "change-owner", clerk_key.address, clerk_key.address, "--chain", f"{URL}=0x" + "11" * 20,
        "--account", clerk_key.key.hex(),
    )  # fmt: skip
    assert res.exit_code == EXIT_BAD_INPUT
    assert res.stderr.startswith("error: --account takes an ape account alias")
