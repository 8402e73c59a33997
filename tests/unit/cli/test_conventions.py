"""The conventions every command shares (trustspace/cli/options.py): which network a name or a
chain id means, where contract addresses come from, how keystore accounts sign unattended,
and how a reverted call is told to the user."""

import json
import os

import pytest
from eth_abi import encode
from eth_utils.crypto import keccak

from tests.utils.relying_party import write_record
from trustspace.artifacts import decode_revert
from trustspace.cli import options
from trustspace.cli.options import CommandError, network_choice, network_for_chain_id
from trustspace.deploy.records import DeploymentRecord, record_path, save
from trustspace.networks import ape_settings


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


# ------------------------------------------------------------------ revert data


def test_decode_revert__custom_error__named_with_values():
    data = _selector("NotaryNotNotary(address)") + encode(["address"], ["0x" + "ab" * 20])
    assert (
        decode_revert(data) == "NotaryNotNotary(account=0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB)"
    )


def test_decode_revert__error_string__the_reason():
    data = _selector("Error(string)") + encode(["string"], ["consortium: not admin"])
    assert decode_revert(data) == "consortium: not admin"


def test_decode_revert__panic__named_by_code():
    assert decode_revert(_selector("Panic(uint256)") + encode(["uint256"], [0x11])) == "panic 0x11"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01\x02", b"\xde\xad\xbe\xef" + bytes(32), _selector("NotaryNotNotary(address)")],
    ids=["empty", "short", "unknown-selector", "truncated-arguments"],
)
def test_decode_revert__unknown_or_truncated__none(data):
    assert decode_revert(data) is None


# ------------------------------------------------------------------ network names


@pytest.fixture
def no_running_chains(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path / "home"))


@pytest.mark.parametrize("name", ["customs", "ethereum:customs", "ethereum:customs:node"])
def test_network_choice__local_name__reaches_its_default_port(no_running_chains, name):
    assert network_choice(name) == "ethereum:customs:http://127.0.0.1:8546"


@pytest.mark.parametrize(
    "name",
    ["http://10.0.0.5:8545", "ethereum:sepolia:node", "ethereum:local", "ethereum:customs:foundry"],
)
def test_network_choice__anything_else__left_to_ape(no_running_chains, name):
    assert network_choice(name) == name


def test_network_choice__chains_up_on_another_port__that_port(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path))
    folder = tmp_path / "chains"
    folder.mkdir()
    # A pid file as `trustspace chains up --base-port 9600` writes it (this process is alive).
    entry = {
        "name": "customs",
        "chain_id": 31338,
        "url": "http://127.0.0.1:9601",
        "pid": os.getpid(),
    }
    (folder / "customs.json").write_text(json.dumps(entry))
    assert network_choice("customs") == "ethereum:customs:http://127.0.0.1:9601"


def test_ape_settings__local_networks__no_confirmations_and_their_ports():
    settings = ape_settings()
    assert {n["name"]: n["chain_id"] for n in settings["networks"]["custom"]} == {
        "hub": 31337,
        "customs": 31338,
        "tax": 31339,
    }
    assert all(v["required_confirmations"] == 0 for v in settings["ethereum"].values())
    assert settings["node"]["ethereum"]["tax"]["uri"] == "http://127.0.0.1:8547"


# ------------------------------------------------------------------ chain id → network


@pytest.fixture
def records(tmp_path, monkeypatch):
    folder = tmp_path / "deployments"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))

    def add(network, chain_id, file_network=None):
        eco, _, name = (file_network or network).partition(":")
        save(
            DeploymentRecord(network=network, chain_id=chain_id),
            record_path(folder, eco, name, chain_id),
        )

    return add


def test_network_for_chain_id__a_record__its_network(records):
    records("ethereum:customs-staging", 4242)
    assert network_for_chain_id(4242) == "ethereum:customs-staging"


def test_network_for_chain_id__local_chain_without_record__the_local_name(records):
    assert network_for_chain_id(31339) == "ethereum:tax"


def test_network_for_chain_id__two_records__refused_naming_both(records):
    records("ethereum:a", 4242)
    records("ethereum:b", 4242)
    with pytest.raises(CommandError, match=r"ethereum:a, ethereum:b.*--network"):
        network_for_chain_id(4242)


def test_network_for_chain_id__unknown__asks_for_network(records):
    with pytest.raises(CommandError, match=r"chain 999999.*pass --network"):
        network_for_chain_id(999999)


# ------------------------------------------------------------------ recorded addresses


def test_recorded_address__from_the_record(tmp_path, monkeypatch, chain, notary, consortium):
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path))
    write_record(tmp_path, chain, notary=notary, consortium=consortium, network="ethereum:local")
    assert options.recorded_address("Notary", None, "--notary") == notary.address


def test_recorded_address__no_record__says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path))
    with pytest.raises(
        CommandError, match=r"no deployment record.*trustspace deploy suite.*--notary"
    ):
        options.recorded_address("Notary", None, "--notary")


def test_recorded_address__code_changed__refused_as_reset(
    tmp_path, monkeypatch, chain, notary, consortium
):
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path))
    write_record(
        tmp_path, chain, notary=notary, consortium=consortium, network="ethereum:local",
        codehashes={"Notary": "0x" + "11" * 32},
    )  # fmt: skip
    with pytest.raises(CommandError, match="other code is there"):
        options.recorded_address("Notary", None, "--notary")


@pytest.mark.parametrize("same_chain", [True, False])
def test_recorded_address__block_0_differs__refused_as_another_chain(
    tmp_path, monkeypatch, chain, notary, consortium, same_chain
):
    """A restarted chain (or another node on the port) may hold the same code at the same
    addresses: only block 0 tells it from the recorded one."""
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path))
    genesis = "0x" + bytes(chain.provider.get_block(0).hash).hex()
    write_record(
        tmp_path, chain, notary=notary, consortium=consortium, network="ethereum:local",
        genesis=genesis if same_chain else "0x" + "ab" * 32,
    )  # fmt: skip
    if same_chain:
        assert options.recorded_address("Notary", None, "--notary") == notary.address
        return
    with pytest.raises(CommandError, match=r"block 0 differs.*--replace-stale"):
        options.recorded_address("Notary", None, "--notary")


def test_recorded_address__override_of_another_contract__refused(consortium):
    with pytest.raises(CommandError, match="is not a Notary"):
        options.recorded_address("Notary", consortium.address, "--notary")


@pytest.mark.parametrize("value", ["0x1234", "customs", "0x" + "zz" * 20])
def test_recorded_address__malformed_override__refused(value):
    with pytest.raises(CommandError, match="is not an address"):
        options.recorded_address("Notary", value, "--notary")


def test_recorded_address__override_without_code__refused():
    with pytest.raises(CommandError, match="no contract there"):
        options.recorded_address("Notary", "0x" + "12" * 20, "--notary")


def test_recorded_address__override_with_shipped_code__accepted(notary):
    assert options.recorded_address("Notary", notary.address.lower(), "--notary") == notary.address


# ------------------------------------------------------------------ keystore accounts


@pytest.fixture
def keystore(tmp_path, monkeypatch):
    """A real ape keystore account in a throw-away ape data folder."""
    from ape import accounts, config
    from ape_accounts import import_account_from_private_key

    with config.isolate_data_folder():
        # ape's keystore container keeps the folder it first saw: make sure it exists.
        accounts.containers["accounts"].data_folder.mkdir(parents=True, exist_ok=True)
        alias = "clerk-" + os.urandom(3).hex()
        account = import_account_from_private_key(alias, "s3cret", "0x" + "42" * 32)
        yield alias, account
        account.keyfile_path.unlink(missing_ok=True)


def test_load_account__passphrase_in_env__signs_without_asking(keystore, monkeypatch):
    alias, account = keystore
    monkeypatch.setenv(f"APE_ACCOUNTS_{alias}_PASSPHRASE", "s3cret")
    loaded = options.load_account(alias)
    # click.confirm would read stdin, which pytest makes unreadable: this fails if it asks.
    assert loaded.sign_message("autosign") is not None
    assert loaded.address == account.address


def test_load_account__wrong_passphrase__one_line(keystore, monkeypatch):
    alias, _ = keystore
    monkeypatch.setenv(f"APE_ACCOUNTS_{alias}_PASSPHRASE", "wrong")
    with pytest.raises(CommandError, match="does not unlock it"):
        options.load_account(alias)


def test_load_account__no_passphrase_and_no_terminal__says_which_variable(keystore, monkeypatch):
    alias, _ = keystore
    monkeypatch.delenv(f"APE_ACCOUNTS_{alias}_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match=f"set APE_ACCOUNTS_{alias}_PASSPHRASE"):
        options.load_account(alias)


@pytest.mark.parametrize("alias", ["TEST::99", "TEST::x", "nobody-here"])
def test_load_account__unknown__one_line(alias):
    with pytest.raises(CommandError, match=r"no local test account|unknown account"):
        options.load_account(alias)


def _group_with(command):
    import click

    @click.group(cls=options.TrustspaceGroup)
    def root():
        pass

    root.add_command(click.command("probe")(options.json_option(command)))
    return root


def test_ape_logs__every_level__on_stderr_never_stdout():
    """ape keys its echo options by level enum but looks them up by lower-case name, so
    without the re-keying every log line (a confirmed transaction) lands on stdout."""
    from ape.logging import logger
    from click.testing import CliRunner

    def probe(as_json):
        logger.info("INFO-LINE")
        logger.success("SUCCESS-LINE")
        logger.warning("WARNING-LINE")
        options.emit(as_json, {"ok": True}, lambda: options.console.print("OUTPUT"))

    level = logger.level
    logger.set_level("INFO")  # ape's test runner logs warnings only
    try:
        result = CliRunner(mix_stderr=False).invoke(_group_with(probe), ["probe"])
    finally:
        logger.set_level(level)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OUTPUT"
    assert "WARNING-LINE" in result.stderr
    assert "INFO-LINE" not in result.stderr  # ape's info lines only with --debug
    from ape.logging import CLICK_ECHO_KWARGS

    by_name: dict = dict(CLICK_ECHO_KWARGS)  # ape's handler looks levels up by lower-case name
    assert all(by_name[name]["err"] for name in ("info", "success", "debug"))
    # On a terminal the name is coloured before the look-up: any key goes to stderr.
    handlers = [h for h in logger._logger.handlers if hasattr(h, "echo_kwargs")]
    assert handlers and all(
        h.echo_kwargs.get("\x1b[33mwarning\x1b[0m") == {"err": True} for h in handlers
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["probe", "--json", "--bogus"], "No such option: --bogus"),
        (["probe", "extra", "--json"], "Got unexpected extra argument"),
    ],
)
def test_usage_error__json__one_document_exit_2(args, says):
    from click.testing import CliRunner

    result = CliRunner(mix_stderr=False).invoke(_group_with(lambda as_json: None), args)
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 2 and says in doc["error"]
    assert "probe --help" in doc["error"]


@pytest.mark.parametrize("as_json", [True, False])
def test_abort__one_line_or_document__exit_2(as_json):
    import click
    from click.testing import CliRunner

    def probe(as_json):
        raise click.exceptions.Abort()

    args = ["probe", "--json"] if as_json else ["probe"]
    result = CliRunner(mix_stderr=False).invoke(_group_with(probe), args)
    assert result.exit_code == 2
    if as_json:
        assert json.loads(result.stdout)["error"] == "aborted: nothing more was done"
    else:
        assert result.stdout == "" and "aborted" in result.stderr


def test_network_choice__base_port_set_chain_not_running__moved_port_not_the_default(
    no_running_chains, monkeypatch
):
    """A shared machine moves its chains with TRUSTSPACE_BASE_PORT: when ours is down, a
    command must find nothing there, never someone else's chain on 8546."""
    monkeypatch.setenv("TRUSTSPACE_BASE_PORT", "9500")
    assert network_choice("customs") == "ethereum:customs:http://127.0.0.1:9501"
