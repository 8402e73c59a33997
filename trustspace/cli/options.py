"""The conventions every ``trustspace`` command shares, in one place.

* ``--network``: a local chain (``hub``, ``customs``, ``tax``, also spelled
  ``ethereum:customs[:node]``: reached where ``trustspace chains up`` started it),
  any other ape network choice, or an RPC URL (:func:`connected`);
* ``--account``: an ape account alias (``TEST::<n>`` for a local test account);
  a keystore account signs unattended when ``APE_ACCOUNTS_<alias>_PASSPHRASE``
  is set (:func:`load_account`): back offices and the daemons sign this way, and
  no secret is ever typed on a command line;
* contract addresses come from the deployment record of the connected network
  (:func:`recorded_address`), a flag overrides them; a bundle's chain id is
  turned into the user's own network by :func:`network_for_chain_id`;
* ``--json``: exactly one JSON document on stdout in every outcome, errors
  included; logs go to stderr;
* exit codes (:data:`EXIT_OK` …): 0 done / valid, 1 checked and *not valid*,
  2 bad input, 3 the chain, contract or service cannot be reached;
* values read from a chain or a file are printed as plain text, never as rich
  markup (a DID service endpoint holding ``[link=…]`` prints as those
  characters) — use :data:`console`, :func:`text` or :func:`plain`.

Commands report failures by raising :class:`CommandError` (or any
:class:`~trustspace.errors.TrustspaceError`); :class:`TrustspaceGroup` turns it
into one line (or one JSON document) and the right exit code, and shows a
traceback only with ``--debug``. It does the same for what ape and the node
raise: a reverted call is named by its decoded custom error or reason
(:func:`describe_revert`), an unknown network or account says what exists, a
node that does not answer is exit 3. ape's own log lines go to stderr.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.text import Text

from trustspace.errors import InputError, TrustspaceError, UnreachableError

__all__ = [
    "DEFAULT_NETWORK",
    "EXIT_BAD_INPUT",
    "EXIT_NOT_VALID",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "REVERT_HINTS",
    "CommandError",
    "TrustspaceGroup",
    "account_option",
    "address_argument",
    "bind_socket",
    "connected",
    "console",
    "describe_revert",
    "dumps",
    "emit",
    "err_console",
    "fail",
    "json_option",
    "load_account",
    "local_url",
    "network_choice",
    "network_for_chain_id",
    "network_option",
    "plain",
    "recorded_address",
    "text",
]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_NETWORK = "ethereum:local"
EXIT_OK = 0
EXIT_NOT_VALID = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3


class _PlainConsole(Console):
    """A rich console with markup, highlighting and emoji off, whose width follows the
    terminal (or ``COLUMNS``) at print time: rich fixes ``COLUMNS`` at construction, and this
    one is built at import."""

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr, markup=False, highlight=False, emoji=False)
        self._width = None
        self._height = None


#: stdout for people; markup off so that chain and file data print as typed.
console: Console = _PlainConsole()
#: stderr: progress, logs, warnings.
err_console: Console = _PlainConsole(stderr=True)


class CommandError(TrustspaceError):
    """A failure a command reports as one line with an exit code (and fields for --json)."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT, **fields: Any) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.fields = fields


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a JSON number")
    return value


def dumps(payload: Any) -> str:
    """Strict JSON (no NaN/Infinity; bytes as 0x-hex; other objects by ``str``)."""

    def default(value: Any) -> Any:
        if isinstance(value, bytes | bytearray):
            return "0x" + bytes(value).hex()
        return str(value)

    return json.dumps(payload, indent=2, default=default, allow_nan=False)


def plain(value: Any) -> str:
    """``str(value)``, for a table cell or line that must not be read as markup."""
    return str(value)


def text(*parts: str | tuple[str, str]) -> Text:
    """A rich ``Text`` from literal parts, each plain or ``(content, style)``: styles come from
    the code, never from the content."""
    out = Text()
    for part in parts:
        if isinstance(part, tuple):
            out.append(part[0], style=part[1])
        else:
            out.append(part)
    return out


def _json_wanted() -> bool:
    # click shares ``meta`` between a context and all its children.
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(JSON_META))


def emit(as_json: bool, payload: Any, render: Callable[[], None]) -> None:
    """Print ``payload`` as the one JSON document, or call ``render`` for people."""
    if as_json:
        click.echo(dumps(payload))
    else:
        render()


def fail(
    message: str, exit_code: int = EXIT_BAD_INPUT, as_json: bool | None = None, **fields: Any
) -> NoReturn:
    """Report ``message`` (one line, or ``{"ok": false, "error": …}``) and exit."""
    if as_json is None:
        as_json = _json_wanted()
    if as_json:
        click.echo(dumps({"ok": False, "error": message, "exit_code": exit_code, **fields}))
    else:
        err_console.print(text(("error: ", "bold red"), message), soft_wrap=True)
    sys.exit(exit_code)


JSON_META = "trustspace.json"
DEBUG_META = "trustspace.debug"


def _quiet_ape_for_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    # ape logs each confirmed transaction on stdout, which would break the JSON.
    ctx.meta[JSON_META] = ctx.meta.get(JSON_META) or value
    if value:
        from ape.logging import logger

        logger.set_level("ERROR")
    return value


def json_option(f: F) -> F:
    """``--json``: one JSON document on stdout (ape's own logging is silenced)."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        callback=_quiet_ape_for_json,
        expose_value=True,
        help="Print one JSON document for scripts (errors included).",
    )(f)


def network_option(f: F) -> F:
    """``--network``: a local chain name, an ape network choice or an RPC URL."""
    return click.option(
        "--network",
        default=DEFAULT_NETWORK,
        show_default=True,
        help="hub, customs, tax (the local chains), another ape network choice "
        "(ethereum:sepolia:node) or an RPC URL.",
    )(f)


def account_option(f: F) -> F:
    """``--account``: who signs transactions."""
    return click.option(
        "--account",
        "account_alias",
        required=True,
        help="ape account alias (signs unattended when APE_ACCOUNTS_<alias>_PASSPHRASE is set), "
        "or TEST::<n> for a local test account.",
    )(f)


# ------------------------------------------------------------------ networks


def local_url(name: str) -> str | None:
    """Where the local chain ``name`` listens: the port `chains up` started it on, else the
    default; None if ``name`` is not a local chain."""
    from trustspace.devnet.chains import running
    from trustspace.networks import local_spec

    spec = local_spec(name)
    if spec is None:
        return None
    for chain in running():
        if chain.name == name and chain.chain_id == spec.chain_id:
            return chain.url
    # Not running now: where `chains up` would start it. A machine shared by several people
    # moves its chains with TRUSTSPACE_BASE_PORT; falling back to 8545-8547 would then send
    # to someone else's chain instead of saying that ours is down.
    base = os.environ.get("TRUSTSPACE_BASE_PORT", "").strip()
    if base.isdigit():
        from trustspace.devnet.chains import specs_from

        return next(s.url for s in specs_from(int(base)) if s.name == name)
    return spec.url


def network_choice(network: str) -> str:
    """The ape network choice for ``network``.

    ``customs``, ``ethereum:customs`` and ``ethereum:customs:node`` name the local customs
    chain wherever ``trustspace chains up`` started it (``--base-port`` included), so its
    deployment record keeps the network name; anything else is ape's to parse."""
    parts = network.split(":")
    if "://" in network or len(parts) > 3:
        return network
    if len(parts) == 1:
        parts = ["ethereum", *parts]
    if parts[0] != "ethereum" or (len(parts) == 3 and parts[2] != "node"):
        return network
    url = local_url(parts[1])
    return network if url is None else f"ethereum:{parts[1]}:{url}"


def _same_network(active: Any, network: str) -> bool:
    if network in (active.network_choice, active.network_choice.rsplit(":", 1)[0]):
        return True
    parts = network_choice(network).split(":")
    return (
        len(parts) >= 2
        and "://" not in network
        and parts[0] == active.network.ecosystem.name
        and parts[1] == active.network.name
    )


@contextmanager
def connected(network: str) -> Iterator[None]:
    """Connect to ``network`` unless the process is already on it (tests, ape console)."""
    from ape import networks
    from ape.exceptions import NetworkError

    active = networks.active_provider
    if active is not None and active.is_connected and _same_network(active, network):
        yield
        return
    try:
        context = networks.parse_network_choice(network_choice(network))
    except NetworkError as err:
        raise CommandError(
            f"unknown network {network!r}: use hub, customs or tax (the local chains), a "
            "network from `ape networks list`, or an RPC URL (http://127.0.0.1:8546)"
        ) from err
    with context:
        yield


def connected_network() -> str:
    """``ecosystem:network`` of the connected provider (``ethereum:customs``)."""
    from ape import networks

    provider = networks.provider
    return f"{provider.network.ecosystem.name}:{provider.network.name}"


def network_for_chain_id(chain_id: int) -> str:
    """The user's own network for ``chain_id``: a deployment record's network, a local chain,
    or a network of the user's ape configuration — never anything a bundle says but its id."""
    from trustspace.deploy import records
    from trustspace.networks import DEFAULT_CHAINS
    from trustspace.paths import deployments_folder

    folder = deployments_folder()
    named = [r.network for r in records.candidates(folder, chain_id)]
    named = [n for n in dict.fromkeys(named) if not n.endswith(":custom")]
    if len(named) > 1:
        raise CommandError(
            f"chain {chain_id} has deployment records for {', '.join(named)} in {folder}: "
            "say which with --network"
        )
    if named:
        return named[0]
    for spec in DEFAULT_CHAINS:
        if spec.chain_id == chain_id:
            return f"ethereum:{spec.name}"
    from ape import networks

    for entry in networks.custom_networks:
        if int(entry.get("chain_id", -1)) == chain_id:
            return f"{entry['ecosystem']}:{entry['name']}"
    raise CommandError(
        f"none of your networks or deployment records ({folder}) is chain {chain_id}: "
        "pass --network (an ape network choice or an RPC URL of that chain)"
    )


# ------------------------------------------------------------------ contracts


def address_argument(value: str, flag: str) -> str:
    """``value`` as a checksummed address, or a bad-input error naming ``flag``."""
    from eth_utils.address import to_checksum_address

    from trustspace.crypto.address import is_valid_address

    if not is_valid_address(value.strip()):
        raise CommandError(
            f"{flag} {value!r} is not an address (0x and 40 hex digits; "
            "in mixed case, with a valid EIP-55 checksum)"
        )
    return str(to_checksum_address(value.strip()))


def _code_at(address: str) -> bytes:
    from ape import chain

    return bytes(chain.provider.get_code(address))


def recorded_address(contract: str, override: str | None, flag: str) -> str:
    """The address of ``contract`` (``Consortium``, ``Notary`` …) on the connected network.

    ``override`` (the command's ``flag``) wins; it must hold the shipped code of
    ``contract``. Otherwise the deployment record of the connected network gives the
    address, whose code must still hash to what the deployer recorded (a reset chain
    is caught here, not by a confusing call failure)."""
    from trustspace.artifacts import artifact, runtime_matches
    from trustspace.crypto.hashing import keccak
    from trustspace.deploy import records
    from trustspace.paths import deployments_folder

    network = connected_network()
    if override is not None:
        address = address_argument(override, flag)
        code = _code_at(address)
        if not code:
            raise CommandError(f"{flag} {address}: no contract there on {network}")
        runtime = bytes.fromhex(artifact(contract).runtime_bytecode.removeprefix("0x"))
        # Vyper appends immutables after the runtime code; solc fills placeholders in it.
        appended = code.startswith(runtime) and (len(code) - len(runtime)) % 32 == 0
        if not (runtime_matches(code, runtime) or appended):
            raise CommandError(f"{flag} {address}: the contract there is not a {contract}")
        return address
    from ape import chain

    folder = deployments_folder()
    record = records.find(folder, chain.chain_id, network)
    hint = (
        f"deploy with `trustspace deploy suite --network {network}`, point "
        f"TRUSTSPACE_DEPLOYMENTS at the folder of your records, or pass {flag} ADDRESS"
    )
    if record is None:
        raise CommandError(
            f"no deployment record for {network} (chain {chain.chain_id}) in {folder}: {hint}"
        )
    if record.genesis and record.genesis != "0x" + bytes(chain.provider.get_block(0).hash).hex():
        # Another node with the same chain id (a restarted local chain, another engineer's
        # anvil on that port): its contracts may sit at the same addresses with the same code.
        raise CommandError(
            f"the chain answering as {network} (chain {chain.chain_id}) is not the one of the "
            f"deployment record in {folder} (block 0 differs: restarted, or another node): "
            f"redeploy with `trustspace deploy suite --network {network} --replace-stale`, or "
            "pass --network with the URL of the recorded chain"
        )
    entry = record.contracts.get(contract)
    if entry is None or entry.status != records.DEPLOYED:
        raise CommandError(f"{contract} is not deployed on {network} per {folder}: {hint}")
    code = _code_at(entry.address)
    if not code or (entry.codehash and "0x" + keccak(code).hex() != entry.codehash):
        raise CommandError(
            f"the deployment record in {folder} puts {contract} at {entry.address} on {network}, "
            f"but {'no code is' if not code else 'other code is'} there (the chain was reset?): "
            f"redeploy with `trustspace deploy suite --network {network} --replace-stale` or pass "
            f"{flag}"
        )
    return str(entry.address)


# ------------------------------------------------------------------ accounts


def load_account(alias: str) -> Any:
    """An ape account by alias; ``TEST::<n>`` selects a local test account.

    A keystore account whose passphrase is in ``APE_ACCOUNTS_<alias>_PASSPHRASE`` (ape's
    own variable) is unlocked and signs without asking: a back office or a daemon has no
    one to answer ``Sign: [y/N]``. Without the variable ape asks on the terminal."""
    import os

    from ape import accounts

    if alias.upper().startswith("TEST::"):
        index = alias.split("::", 1)[1]
        if not index.isdigit() or int(index) >= len(accounts.test_accounts):
            raise CommandError(
                f"no local test account {alias}: use TEST::0 … "
                f"TEST::{len(accounts.test_accounts) - 1}"
            )
        return accounts.test_accounts[int(index)]
    if alias not in accounts.aliases:
        raise CommandError(
            f"unknown account {alias!r}: list them with `ape accounts list`, "
            "or import one with `ape accounts import <alias>`"
        )
    account = accounts.load(alias)
    passphrase = os.environ.get(f"APE_ACCOUNTS_{alias}_PASSPHRASE")
    if passphrase is not None and hasattr(account, "set_autosign"):
        from ape.exceptions import AccountsError

        try:
            account.set_autosign(True, passphrase=passphrase)
        except AccountsError as err:
            raise CommandError(
                f"account {alias!r}: APE_ACCOUNTS_{alias}_PASSPHRASE does not unlock it ({err})"
            ) from err
    elif not sys.stdin.isatty():
        raise CommandError(
            f"account {alias!r} needs its passphrase and there is no terminal to ask: "
            f"set APE_ACCOUNTS_{alias}_PASSPHRASE"
        )
    return account


# ------------------------------------------------------------------ failures


def _unreachable_types() -> tuple[type[BaseException], ...]:
    # What the chain stacks raise when a node does not answer (imported late: ape is slow).
    from ape.exceptions import ProviderNotConnectedError
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import Timeout

    return (UnreachableError, ConnectionError, ProviderNotConnectedError, RequestsConnectionError,
            Timeout)  # fmt: skip


def _is_unreachable(err: BaseException) -> bool:
    from ape.exceptions import ProviderError

    if isinstance(err, _unreachable_types()):
        return True
    # ape reports a node that does not answer as a plain ProviderError.
    return isinstance(err, ProviderError) and "node found" in str(err).lower()


def describe_revert(err: BaseException) -> str:
    """One line naming why a call reverted (:func:`trustspace.artifacts.revert_reason`)."""
    from trustspace.artifacts import revert_reason

    return revert_reason(err)


#: What to do about the refusals a user meets most, by custom error name.
REVERT_HINTS: dict[str, str] = {
    "NotaryNotNotary": "the account holds no NOTARY role: ask your Consortium to grant it "
    "(trustspace gov propose grant-role …)",
    "NotaryUnknownSchema": "no such schema on this Notary: list them with `trustspace schema list`",
    "NotarySchemaDeprecated": "the schema is deprecated: use its successor "
    "(`trustspace schema list`)",
    "NotaryAlreadyAttested": "this document is already notarized: verify it instead",
    "NotaryAlreadyRevoked": "the record is already revoked",
    "NotaryUnknownRecord": "no such record on this Notary (another chain?)",
    "NotaryNotAttester": "only the organisation that attested a record may revoke it",
    "NotaryNoPeer": "no Notary is wired for that chain: run `trustspace deploy wire` first",
    "NotaryNoBus": "this Notary has no message bus: run `trustspace deploy wire` first",
    "consortium: hub governs organisations": "this chain follows the hub, which decides "
    "organisations: propose it on the hub chain (--network hub); it reaches this chain over "
    "the bus",
    "consortium: already bound": "this Consortium is bound to its HubLink for good",
    "credentials: not issuer": "the account holds no live ISSUER role: ask your Consortium to "
    "grant it (trustspace gov propose grant-role …)",
    "credentials: not list owner": "the list belongs to another organisation: use your own "
    "(trustspace vc new-list)",
    "DataServiceNotAdmin": "the account holds no live ADMIN role of its organisation: sign with "
    "an ADMIN account, or ask your Consortium to grant it (trustspace gov propose grant-role …)",
    "DataServiceNotConnector": "the account holds no live NOTARY role: a connector logs transfers "
    "as a NOTARY account of the provider (trustspace gov propose grant-role … roles=NOTARY)",
    "DataServiceUnknownOffer": "no such offer on this chain: see `trustspace data list` (another "
    "--network?)",
    "DataServiceNotProvider": "only an ADMIN of the offer's provider organisation may do this: "
    "sign with one of its ADMIN accounts",
    "DataServiceOfferWithdrawn": "the offer is withdrawn: no new agreement; pick another offer in "
    "`trustspace data list`",
    "DataServiceConsumerNotAllowed": "the offer's policy does not admit your organisation "
    "(consumerOrgs / consumerKinds): ask the provider for an offer that does",
    "DataServiceOfferExpired": "the offer's validity ended: ask the provider for a new version",
    "DataServiceBadTerms": "validFrom must come before validUntil (0: unbounded): fix the policy",
    "DataServiceUnknownAgreement": "no such agreement on this chain (another --network?): "
    "`trustspace data log` lists them",
    "DataServiceWrongState": "the agreement is not at the step this needs (requested → accept; "
    "agreed → approve; terminated agreements end): check its state with `trustspace data log`",
    "DataServiceNotParty": "only an ADMIN of the provider or the consumer organisation may do "
    "this (for approve: an approving organisation's ADMIN): sign with such an account",
    "DataServiceAlreadyApproved": "your organisation already approved it: wait for the others",
    "DataServiceNotLive": "the agreement allows no transfer now (see its standing in "
    "`trustspace data log`)",
    "DataServiceExhausted": "the agreement's maxTransfers is reached: request a new agreement",
    "DataServiceWrongConsumer": "the consumer is not an account of the agreement's consumer "
    "organisation",
}


def _hinted(line: str) -> str:
    name = line.split("(", 1)[0]
    hint = REVERT_HINTS.get(name)
    return f"{line}: {hint}" if hint else line


def _exit_code_of(err: BaseException) -> int:
    if isinstance(err, CommandError):
        return err.exit_code
    if _is_unreachable(err):
        return EXIT_UNREACHABLE
    return EXIT_BAD_INPUT


def _known_ape_failure(err: BaseException) -> str | None:
    """The line for a failure ape raises on a user's mistake, None for anything else."""
    from ape.exceptions import (
        AccountsError,
        ContractLogicError,
        ConversionError,
        NetworkError,
        OutOfGasError,
        SignatureError,
        TransactionError,
    )

    if isinstance(err, ContractLogicError):
        return f"the chain refused the transaction: {_hinted(describe_revert(err))}"
    if isinstance(err, OutOfGasError):
        return "the transaction ran out of gas: it would revert; check its inputs"
    if isinstance(err, SignatureError):
        return f"not signed: {err}"
    if isinstance(err, TransactionError):
        if "exceeds allowance" in str(err):
            return (
                "the sending account cannot pay for gas (its balance is too low): fund it, "
                "or sign with a funded account"
            )
        return f"the transaction failed: {describe_revert(err)}"
    if isinstance(err, AccountsError):
        return f"account: {err}"
    if isinstance(err, NetworkError):
        return f"network: {err}"
    if isinstance(err, ConversionError):
        return f"not a value the chain accepts: {err}"
    return None


def _usage_line(err: click.ClickException) -> str:
    """A click usage error as one line that says where the help is."""
    message = " ".join(err.format_message().split())
    ctx = getattr(err, "ctx", None)
    if ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return message


#: What to do when a node does not answer.
UNREACHABLE_HINT = "; start it (`trustspace chains up` for the local chains) or check --network"


class TrustspaceGroup(click.Group):
    """The root group: ``--debug``, and one line plus an exit code for every known failure."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's ``main``, but a usage error or an abort is also one JSON document with
        ``--json`` (click would print its usage text only), and an abort exits 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        as_json = "--json" in argv
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except click.ClickException as err:
            if as_json:
                fail(_usage_line(err), err.exit_code, as_json=True)
            err.show()
            sys.exit(err.exit_code)
        except click.exceptions.Abort:
            fail("aborted: nothing more was done", EXIT_BAD_INPUT, as_json=as_json)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)

    def invoke(self, ctx: click.Context) -> Any:
        _route_ape_logs(ctx)
        try:
            from trustspace.ape_tuning import network_fees
            from trustspace.networks import install_in_ape

            install_in_ape()
            network_fees()  # every transaction a command sends is priced by trustspace.fees
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (TrustspaceError, InputError, OSError) as err:
            self._report(ctx, err)
        except Exception as err:
            if _is_unreachable(err):
                self._report(ctx, err, prefix="cannot reach the chain: ", suffix=UNREACHABLE_HINT)
            line = _known_ape_failure(err)
            if line is None:
                raise
            self._report(ctx, err, line=line)

    @staticmethod
    def _report(
        ctx: click.Context,
        err: BaseException,
        prefix: str = "",
        line: str | None = None,
        suffix: str = "",
    ) -> NoReturn:
        if ctx.meta.get(DEBUG_META):
            traceback.print_exc()
        fields = err.fields if isinstance(err, CommandError) else {}
        message = line if line is not None else prefix + str(err).rstrip(". ") + suffix
        fail(" ".join(message.split()), _exit_code_of(err), **fields)


class _AllToStderr(dict[Any, dict[str, bool]]):
    """click.echo options for any log level: stderr."""

    def get(self, key: Any, default: Any = None) -> dict[str, bool]:
        return {"err": True}

    def __getitem__(self, key: Any) -> dict[str, bool]:
        return {"err": True}


class _DropContradictions(logging.Filter):
    """ape logs "reverted without message" before the decoded error is known."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "reverted without message" not in record.getMessage()


def _route_ape_logs(ctx: click.Context) -> None:
    """ape's log lines and traces on stderr (stdout is for the command's output and JSON)."""
    import warnings

    from ape.logging import CLICK_ECHO_KWARGS, logger

    from trustspace.ape_tuning import quiet_revert_traces

    quiet_revert_traces(lambda: bool(ctx.meta.get(DEBUG_META)))
    if not ctx.meta.get(DEBUG_META):
        # "Connecting to a node", "Confirmed 0x… (total fees paid …)" for every transaction:
        # the commands print what they did themselves; --debug shows ape's account of it.
        logger.set_level("WARNING")
    # pydantic-settings warns about one of ape-solidity's config fields whenever ape's config
    # is (re)validated, e.g. on every revert: noise on stderr that says nothing to a user.
    warnings.filterwarnings("ignore", message=".*has an incomplete definition")
    # ape's handler looks its echo options up by the record's lower-case level name while
    # the table is keyed by LogLevel members, so every line would reach stdout: key by name.
    for level in list(CLICK_ECHO_KWARGS):
        CLICK_ECHO_KWARGS[level] = {**CLICK_ECHO_KWARGS[level], "err": True}
        name = level.name.lower() if hasattr(level, "name") else str(level).lower()
        CLICK_ECHO_KWARGS[name] = CLICK_ECHO_KWARGS[level]  # type: ignore[index]
    # On a terminal ape colours the level name before that look-up, so no key matches: its
    # handlers get a table that sends every level to stderr, whatever the key.
    for handler in logger._logger.handlers:
        if hasattr(handler, "echo_kwargs"):
            handler.echo_kwargs = _AllToStderr()
    ape_logger = logger._logger
    if not any(isinstance(f, _DropContradictions) for f in ape_logger.filters):
        ape_logger.addFilter(_DropContradictions())


def bind_socket(host: str, port: int, service: str) -> socket.socket:
    """A socket bound to ``host``:``port``, not listening yet (uvicorn serves on it), so that
    a taken port or an unknown host is one line before the server starts; ``service`` names
    what else may hold the port ("portal", "connector")."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise CommandError(f"--host {host!r}: unknown host ({err.strerror})") from err
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise CommandError(
            f"cannot listen on {host}:{port} ({err.strerror}): is another {service} running? "
            "give another --port"
        ) from err
    return sock
