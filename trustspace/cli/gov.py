"""``trustspace gov``: Consortium governance from the command line.

``list`` and ``show`` read proposals with their actions and arguments by name, who
approved (by organisation) and how many organisations are still missing; ``propose``,
``approve``, ``execute`` and ``cancel`` send transactions signed by ``--account``.
The Consortium is the one of the connected chain's deployment record
(``$TRUSTSPACE_DEPLOYMENTS``) unless ``--consortium ADDRESS`` says otherwise.

Argument layouts come from :mod:`trustspace.consortium.governance` (``ACTION_ARGS``);
this module only turns command-line words into those values and back.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from trustspace.cli import options
from trustspace.cli.options import (
    CommandError,
    account_option,
    connected,
    console,
    emit,
    err_console,
    json_option,
    load_account,
    network_option,
    text,
)
from trustspace.consortium.calls import SUITE_CONTRACTS, CallError, encode_call, functions_of
from trustspace.consortium.constants import MAX_ACTION, Action, OrgKind, PolicyKind, Role
from trustspace.consortium.governance import (
    ACTION_ARGS,
    ARG_DEFAULTS,
    Governance,
    GovernanceError,
    Policy,
    encode_args,
    parse_action,
)
from trustspace.consortium.proposals import STATES, ProposalReader, ProposalView
from trustspace.event_logs import INDEX_NOTE, ape_read_from

__all__ = [
    "ACTION_HELP",
    "ConsortiumContext",
    "action_help",
    "approve",
    "bind_consortium",
    "call_values",
    "cancel",
    "cli_action",
    "consortium_option",
    "execute",
    "format_time",
    "gov",
    "list_proposals",
    "open_consortium",
    "parse_action_words",
    "parse_id",
    "parse_roles",
    "precheck_words",
    "print_proposal",
    "propose",
    "propose_action",
    "show",
    "transact",
]

F = TypeVar("F", bound=Callable[..., Any])
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


# ------------------------------------------------------------------ parsing (pure)


def action_help() -> str:
    """Every action with its arguments, as ``gov propose --help`` lists them."""
    lines = []
    for act, spec in ACTION_ARGS.items():
        name = act.name.lower().replace("_", "-")
        if act == Action.CALL:
            lines.append(f"{name} CONTRACT FUNCTION [ARG…]   (or target=ADDRESS data=0xHEX)")
            continue
        words = [f"{n}=…" if n not in ARG_DEFAULTS else f"[{n}=…]" for n, _ in spec]
        lines.append(f"{name} {' '.join(words)}")
    return "\n".join(lines)


ACTION_HELP = action_help()


def parse_roles(value: str) -> int:
    """``NOTARY``, ``notary,auditor``, ``ADMIN|NOTARY`` or a number: role flags."""
    text_value = value.strip()
    if text_value.isdigit():
        flags = int(text_value)
    else:
        flags = 0
        for part in text_value.replace("|", ",").replace("+", ",").split(","):
            part = part.strip().upper()
            if not part:
                continue
            try:
                flags |= int(Role[part])
            except KeyError as err:
                known = ", ".join(r.name or "" for r in Role)
                raise GovernanceError(f"roles: unknown role {part!r}; known: {known}") from err
    if flags == 0 or flags & ~sum(int(r) for r in Role):
        raise GovernanceError(f"roles: {value!r} is not a set of known roles")
    return flags


def parse_kind(value: str) -> int:
    """``customs`` … ``other`` or 1 … 6."""
    if value.strip().isdigit():
        number = int(value)
        if number not in {int(k) for k in OrgKind}:
            raise GovernanceError(f"kind: {number} is not an organisation kind (1 … 6)")
        return number
    try:
        return int(OrgKind[value.strip().upper()])
    except KeyError as err:
        known = ", ".join((k.name or "").lower() for k in OrgKind)
        raise GovernanceError(f"kind: unknown kind {value!r}; known: {known}") from err


def parse_time(value: str) -> int:
    """Unix seconds, or an ISO 8601 date/time (UTC unless it says otherwise); 0 = none."""
    text_value = value.strip()
    if text_value.isdigit():
        return int(text_value)
    try:
        moment = datetime.fromisoformat(text_value.replace("Z", "+00:00"))
    except ValueError as err:
        raise GovernanceError(
            f"expiry: {value!r} is neither unix seconds nor an ISO date (2027-01-31)"
        ) from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def parse_ip(value: str) -> bytes:
    """An IPv4 or IPv6 address as the 16 bytes permissioned clients use (IPv4 mapped)."""
    try:
        ip = ipaddress.ip_address(value.strip())
    except ValueError:
        data = parse_hex("ip", value, None)
        if len(data) != 16:
            raise GovernanceError(f"ip: {value!r} is not an IP address or 16 hex bytes") from None
        return data
    if isinstance(ip, ipaddress.IPv4Address):
        return ipaddress.IPv6Address(f"::ffff:{ip}").packed
    return ip.packed


def parse_int(name: str, value: str, bits: int) -> int:
    """A non-negative integer that fits ``bits``."""
    try:
        number = int(value.strip(), 0)
    except ValueError as err:
        raise GovernanceError(f"{name}: {value!r} is not a number") from err
    if not 0 <= number < 2**bits:
        raise GovernanceError(f"{name}: {number} is out of range")
    return number


def parse_hex(name: str, value: str, size: int | None) -> bytes:
    """0x-hex bytes (exactly ``size`` of them when given)."""
    raw = value.strip()
    raw = raw[2:] if raw.lower().startswith("0x") else raw
    try:
        data = bytes.fromhex(raw)
    except ValueError as err:
        raise GovernanceError(f"{name}: {value!r} is not hex") from err
    if size is not None and len(data) != size:
        raise GovernanceError(f"{name}: {len(data)} bytes, expected {size}")
    return data


def parse_bool(name: str, value: str) -> bool:
    """true/false, yes/no, 1/0."""
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise GovernanceError(f"{name}: {value!r} is not true or false")


def parse_address(name: str, value: str) -> str:
    """A checksummed address."""
    from eth_utils.address import to_checksum_address

    from trustspace.crypto.address import is_valid_address

    if not is_valid_address(value.strip()):
        raise GovernanceError(
            f"{name}: {value!r} is not an address (0x and 40 hex digits; "
            "in mixed case, with a valid EIP-55 checksum)"
        )
    return to_checksum_address(value.strip())


Resolver = Callable[[str, str], Any]


def parse_value(name: str, abi_type: str, value: str, resolve: Resolver | None = None) -> Any:
    """One action argument from text; ``resolve(name, value)`` may name chain objects
    (an organisation by name, a contract by its record name) and returns None otherwise."""
    if resolve is not None:
        resolved = resolve(name, value)
        if resolved is not None:
            return resolved
    if name == "policy_action":
        return int(cli_action(value))
    if name == "policy":
        return parse_policy(value).encode()
    if name == "roles":
        return parse_roles(value)
    if name == "kind":
        return parse_kind(value)
    if name == "expiry":
        return parse_time(value)
    if name == "ip":
        return parse_ip(value)
    if abi_type == "address":
        return parse_address(name, value)
    if abi_type == "bool":
        return parse_bool(name, value)
    if abi_type.startswith("uint"):
        return parse_int(name, value, int(abi_type[4:] or 256))
    if abi_type == "bytes":
        return parse_hex(name, value, None)
    if abi_type.startswith("bytes"):
        return parse_hex(name, value, int(abi_type[5:]))
    return value


def parse_action_words(
    action: str, words: tuple[str, ...] | list[str], resolve: Resolver | None = None
) -> tuple[Action, dict[str, Any]]:
    """``("grant-role", ["account=0x…", "roles=NOTARY"])`` → (Action, values by name).

    Words are ``name=value`` or positional in the action's argument order; optional
    arguments take their defaults. A ``call`` with ``CONTRACT FUNCTION ARG…`` is left to
    :func:`call_values` (it needs the target's ABI).
    """
    act = parse_action(action)
    spec = ACTION_ARGS[act]
    names = [n for n, _ in spec]
    types = dict(spec)
    values: dict[str, Any] = {}
    positional = 0
    for word in words:
        key, sep, rest = word.partition("=")
        if sep and key.strip().replace("-", "_") in types:
            name, raw = key.strip().replace("-", "_"), rest
        else:
            if positional >= len(names):
                raise GovernanceError(
                    f"{_cli_name(act)} takes {len(names)} argument(s) ({', '.join(names)}); "
                    f"{word!r} is one too many"
                )
            name, raw = names[positional], word
            positional += 1
            while name in values and positional < len(names):
                name = names[positional]
                positional += 1
        if name in values:
            raise GovernanceError(f"{_cli_name(act)}: {name} given twice")
        values[name] = parse_value(name, types[name], raw, resolve)
    missing = [n for n in names if n not in values and n not in ARG_DEFAULTS]
    if missing:
        raise GovernanceError(
            f"{_cli_name(act)} needs {', '.join(missing)}: "
            f"{_cli_name(act)} {' '.join(f'{n}=…' for n in names)}"
        )
    return act, values


def _cli_name(act: Action) -> str:
    return act.name.lower().replace("_", "-")


def cli_action(word: str) -> Action:
    """The action a command line names (``grant-role``, also ``grant_role``); an unknown one
    is a bad-input error listing the names ``gov propose`` takes."""
    try:
        return parse_action(word)
    except GovernanceError as err:
        known = ", ".join(_cli_name(a) for a in Action)
        raise CommandError(
            f"unknown action {word!r}: use one of {known} "
            "(trustspace gov propose --help shows their arguments)"
        ) from err


def precheck_words(act: Action, words: tuple[str, ...] | list[str]) -> None:
    """Check an action's words before connecting, as far as that is possible without the
    chain: names of organisations and contracts are taken on trust here and resolved later."""
    if act == Action.CALL:
        if not words:
            raise GovernanceError(_CALL_USAGE)
        if any(w.startswith(("target=", "data=")) for w in words):
            parse_action_words(act.name, words, _offline_names)
            return
        target, *rest = words
        if not rest:
            raise GovernanceError(_CALL_USAGE)
        if target in SUITE_CONTRACTS:
            try:
                encode_call(target, rest[0], rest[1:])
            except CallError as err:
                raise GovernanceError(str(err)) from err
        elif target.lower() not in (n.lower() for n in SUITE_CONTRACTS):
            parse_address("call target", target)
        return
    parse_action_words(act.name, words, _offline_names)


def _offline_names(name: str, value: str) -> Any:
    """Before connecting: an organisation or contract named by name stands for itself."""
    if name == "org_id" and not value.strip().isdigit():
        return 0
    if name == "target" and value.strip().lower() in (n.lower() for n in SUITE_CONTRACTS):
        return ZERO_ADDRESS
    return None


_CALL_USAGE = (
    "call needs CONTRACT FUNCTION [ARG…] (e.g. call Notary deprecateSchema 3), "
    "or target=ADDRESS data=0xHEX"
)


def parse_id(what: str, value: str) -> int:
    """A proposal or schema id as typed (``3``, ``#3``): a positive integer."""
    text_value = value.strip().removeprefix("#")
    if not text_value.isdigit() or int(text_value) < 1:
        raise CommandError(
            f"{what} id {value!r} is not a positive integer: ids run from 1 "
            f"({'trustspace gov list --all' if what == 'proposal' else 'trustspace schema list'}"
            " lists them)"
        )
    return int(text_value)


def format_time(ts: int) -> str:
    """Unix seconds as ``2026-12-09 18:00:00 UTC`` (``-`` for 0)."""
    if not ts:
        return "-"
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# ------------------------------------------------------------------ chain context


def consortium_option(f: F) -> F:
    """``--consortium ADDRESS``: another Consortium than the deployment record's."""
    return click.option(
        "--consortium",
        "consortium_address",
        default=None,
        metavar="ADDRESS",
        help="The Consortium to govern. Default: the deployment record of the connected "
        "chain ($TRUSTSPACE_DEPLOYMENTS).",
    )(f)


@dataclass
class ConsortiumContext:
    """The Consortium of the connected chain, with what reading proposals needs."""

    chain_id: int
    address: str
    contract: Any
    gov: Governance[Any, Any]
    reader: ProposalReader
    #: ``{contract name: address}`` from the chain's deployment record (may be empty).
    contracts: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """Where the answer came from."""
        return {"chain_id": self.chain_id, "consortium": self.address}


def _record_contracts(chain_id: int) -> dict[str, str]:
    from trustspace.deploy import records
    from trustspace.paths import deployments_folder

    try:
        record = records.find(deployments_folder(), chain_id, _network_key())
    except records.DeploymentError:
        return {}
    return {} if record is None else {n: e.address for n, e in record.deployed()}


def _network_key() -> str | None:
    from ape import chain

    try:
        network = chain.provider.network
        return f"{network.ecosystem.name}:{network.name}"
    except Exception:  # a provider without a named network
        return None


def recorded_consortium(override: str | None) -> str:
    """The Consortium's address: ``override`` (its code checked), else the deployment record
    of the connected chain (:func:`trustspace.cli.options.recorded_address`)."""
    return str(options.recorded_address("Consortium", override, "--consortium"))


def bind_consortium(address: str) -> ConsortiumContext:
    """The Consortium at ``address`` on the connected chain, ready to read proposals."""
    from ape import chain
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type

    contract = ContractInstance(address, contract_type("Consortium"))
    gov: Governance[Any, Any] = Governance(contract)
    chain_id = int(chain.provider.chain_id)
    contracts = _record_contracts(chain_id)
    names = {a: n for n, a in contracts.items()}
    reader = ProposalReader(gov, int(chain.blocks.head.timestamp), names)
    return ConsortiumContext(chain_id, address, contract, gov, reader, contracts)


@contextmanager
def open_consortium(network: str, override: str | None) -> Iterator[ConsortiumContext]:
    """Connect to ``network`` and bind its Consortium (record or ``--consortium``)."""
    with connected(network):
        yield bind_consortium(recorded_consortium(override))


def transact(what: str, send: Callable[[], Any]) -> Any:
    """Send a transaction; a revert becomes one line naming what was refused and why (a custom
    error of the contract a ``CALL`` reached by name and values, with a hint where one helps)."""
    from ape.exceptions import ContractLogicError

    # (pydantic-settings' warning on a revert is silenced for every command by the root group.)
    try:
        return send()
    except ContractLogicError as err:
        reason = options.describe_revert(err)
        hint = options.REVERT_HINTS.get(reason.split("(", 1)[0])
        raise CommandError(
            f"{what} was refused by the chain: {reason}" + (f": {hint}" if hint else "")
        ) from err


def _admin_org(ctx: ConsortiumContext, account: Any, alias: str) -> int:
    org = int(ctx.contract.org_with_role(account.address, int(Role.ADMIN)))
    if org == 0:
        raise CommandError(
            f"{alias} ({account.address}) is not an ADMIN of a live organisation in Consortium "
            f"{ctx.address} (chain {ctx.chain_id}): only admins propose, approve, execute and "
            "cancel; use an admin account or ask for the ADMIN role (gov propose grant-role)"
        )
    return org


def _view(ctx: ConsortiumContext, proposal_id: int) -> ProposalView:
    try:
        return ctx.reader.proposal(proposal_id)
    except GovernanceError as err:
        raise CommandError(str(err)) from err


def _require_open(view: ProposalView, doing: str) -> None:
    if view.state == "expired":
        raise CommandError(
            f"proposal {view.proposal_id} expired at {format_time(view.expires_at)}: it can "
            f"no longer be {doing}; propose it again"
        )
    if view.state != "open":
        raise CommandError(
            f"proposal {view.proposal_id} is already {view.state}: it cannot be {doing}"
        )


# ------------------------------------------------------------------ output


def print_proposal(view: ProposalView) -> None:
    """A proposal for people: action, arguments, approvals by organisation, what is missing."""
    expiry = format_time(view.expires_at)
    console.print(
        text((f"Proposal {view.proposal_id}", "bold"), f"  {view.action_name}  ",
             (view.state, "green" if view.state == "executed" else "yellow")),
        soft_wrap=True,
    )  # fmt: skip
    rows: list[tuple[str, str]] = [
        ("action", f"{view.action_name} ({int(view.action)})"),
        ("arguments", view.summary().removeprefix(view.action_name).strip() or "-"),
    ]
    if view.call is not None:
        rows.append(("calls", view.call.describe()))
    if view.problem:
        rows.append(("problem", view.problem))
    rows += [
        ("proposer", f"{view.proposer} of {view.proposer_org.label()}"),
        ("created", format_time(view.created_at)),
        ("expires", expiry + (" (expired)" if view.state == "expired" else "")),
        ("reason hash", "0x" + view.reason.hex()),
        ("policy", view.progress.policy.describe() if view.progress else "-"),
        ("progress", view.progress.distance() if view.progress else "-"),
    ]
    for a in view.approvals:
        note = "" if a.counts else "  (no longer counts: organisation not a live admin org)"
        rows.append(("", f"{'rejected' if a.rejects else 'approved'} by {a.org.label()}{note}"))
    if view.state == "open":
        if view.missing:
            who = ", ".join(o.label() for o in view.waiting) or "no live admin organisation left"
            rows.append(("missing", f"{view.missing} more; can approve: {who}"))
        else:
            rows.append(("missing", "none: ready to execute"))
    rows.append(("executable", "yes" if view.executable else "no"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        console.print(f"  {label.ljust(width)}  {value}", soft_wrap=True)


def _events(receipt: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        logs = list(receipt.events)
    except Exception:  # undecodable logs: the transaction hash still says what happened
        return out
    for log in logs:
        args = {k: (("0x" + bytes(v).hex()) if isinstance(v, bytes) else v)
                for k, v in dict(log.event_arguments).items()}  # fmt: skip
        out.append({"event": str(log.event_name), "address": str(log.contract_address), **args})
    return out


def _event_line(event: dict[str, Any]) -> str:
    args = ", ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "address"))
    return f"{event['event']}({args})"


# ------------------------------------------------------------------ commands


@click.group(name="gov")
def gov() -> None:
    """Consortium governance: list, show, propose, approve, execute, cancel proposals.

    A proposal executes when ADMIN accounts of enough distinct organisations (the
    threshold) approved it; the proposer's organisation approves when it proposes.
    """


@gov.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Every proposal, whatever its state.")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(STATES),
    help="Only proposals in this state (repeatable). Default: open.",
)
@click.option("--executed", is_flag=True, help="Executed proposals (same as --state executed).")
@click.option("--cancelled", is_flag=True, help="Cancelled proposals.")
@click.option("--expired", is_flag=True, help="Open proposals whose time ran out.")
@consortium_option
@network_option
@json_option
def list_proposals(
    show_all: bool,
    states: tuple[str, ...],
    executed: bool,
    cancelled: bool,
    expired: bool,
    consortium_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Open proposals (or those of the states asked for), oldest first."""
    wanted = set(states)
    for flag, state in ((executed, "executed"), (cancelled, "cancelled"), (expired, "expired")):
        if flag:
            wanted.add(state)
    if show_all:
        wanted = set(STATES)
    if not wanted:
        wanted = {"open"}
    with open_consortium(network, consortium_address) as ctx:
        views = ctx.reader.proposals(sorted(wanted))
        threshold = int(ctx.contract.threshold())
        source = ape_read_from()

    def render() -> None:
        label = "/".join(s for s in STATES if s in wanted)
        console.print(
            f"{len(views)} {label} proposal(s) in Consortium {ctx.address} "
            f"(chain {ctx.chain_id}, threshold {threshold})",
            soft_wrap=True,
        )
        for v in views:
            console.print(
                f"  #{v.proposal_id}  {v.state:<9} {v.live_approvals}/{v.needed}  "
                f"expires {format_time(v.expires_at)}  {v.summary()}",
                soft_wrap=True,
            )
        if source == "index":
            console.print(text((INDEX_NOTE, "dim")))

    emit(
        as_json,
        {
            "ok": True,
            **ctx.to_json(),
            "threshold": threshold,
            "states": sorted(wanted),
            "proposals": [v.to_json() for v in views],
            "source": source,
        },
        render,
    )


@gov.command()
@click.argument("proposal_id")
@consortium_option
@network_option
@json_option
def show(proposal_id: str, consortium_address: str | None, network: str, as_json: bool) -> None:
    """One proposal: arguments, approvals by organisation, threshold, what is missing."""
    number = parse_id("proposal", proposal_id)
    with open_consortium(network, consortium_address) as ctx:
        view = _view(ctx, number)
    emit(
        as_json,
        {"ok": True, **ctx.to_json(), "proposal": view.to_json()},
        lambda: print_proposal(view),
    )


def call_values(ctx: ConsortiumContext, words: tuple[str, ...]) -> dict[str, Any]:
    """``CONTRACT FUNCTION ARG…`` (or ``target=… data=…``) → the CALL action's values."""
    if not words:
        raise GovernanceError(_CALL_USAGE)
    if any(w.startswith(("target=", "data=")) for w in words):
        return parse_action_words("call", words, _resolver(ctx))[1]
    target_word, *rest = words
    if not rest:
        raise GovernanceError(_CALL_USAGE)
    function, *args = rest
    by_name = {n.lower(): (n, a) for n, a in ctx.contracts.items()}
    if target_word.lower() in by_name:
        contract, address = by_name[target_word.lower()]
    elif target_word in SUITE_CONTRACTS:
        raise GovernanceError(
            f"no {target_word} recorded for chain {ctx.chain_id}: give its address "
            f"(call 0x… {function} …)"
        )
    else:
        address = parse_address("call target", target_word)
        names = {a.lower(): n for n, a in ctx.contracts.items()}
        contract = names.get(address.lower()) or _contract_with(function)
    try:
        _, data = encode_call(contract, function, args)
    except CallError as err:
        raise GovernanceError(str(err)) from err
    return {"target": address, "data": data}


def _contract_with(function: str) -> str:
    hits = [n for n in SUITE_CONTRACTS if any(f["name"] == function for f in functions_of(n))]
    if len(hits) != 1:
        raise GovernanceError(
            f"cannot tell which contract's {function!r} to call at that address: "
            "name the contract (Notary, MessageBus) instead of its address, or give data=0x…"
        )
    return hits[0]


def _resolver(ctx: ConsortiumContext) -> Resolver:
    """Names for chain objects: organisations by name, suite contracts by record name."""

    def resolve(name: str, value: str) -> Any:
        if name == "org_id" and not value.strip().isdigit():
            wanted = value.strip().casefold()
            hits = [
                int(i)
                for i in ctx.contract.organisations()
                if str(ctx.contract.organisation(i).name).strip().casefold() == wanted
            ]
            if len(hits) != 1:
                raise GovernanceError(
                    f"org_id: {'no' if not hits else 'more than one'} organisation named "
                    f"{value!r}: give its id (trustspace status lists them)"
                )
            return hits[0]
        if name == "target":
            by_name = {n.lower(): a for n, a in ctx.contracts.items()}
            return by_name.get(value.strip().lower())
        return None

    return resolve


def propose_action(
    ctx: ConsortiumContext,
    sender: Any,
    alias: str,
    act: Action,
    values: dict[str, Any],
    reason: str,
) -> dict[str, Any]:
    """Propose ``act`` (warning about identical open proposals); the JSON-ready outcome."""
    _admin_org(ctx, sender, alias)
    try:
        raw = encode_args(act, **values)
    except GovernanceError as err:
        raise CommandError(str(err)) from err
    identical = ctx.reader.identical_open(act, raw)
    if identical:
        ids = ", ".join(f"#{i}" for i in identical)
        err_console.print(
            text(("warning: ", "bold yellow"),
                 f"an identical open proposal exists ({ids}): approve it instead "
                 f"(trustspace gov approve {identical[0]}) unless a second one is intended"),
            soft_wrap=True,
        )  # fmt: skip
    decision = transact(
        f"proposing {_cli_name(act)}",
        lambda: ctx.gov.submit(act, sender=sender, reason=reason, **values),
    )
    view = ctx.reader.proposal(decision.proposal_id)
    return {
        "ok": True,
        **ctx.to_json(),
        "proposal": view.to_json(),
        "tx_hash": ctx.gov.tx_hash(decision.receipts[0]),
        "identical_open": identical,
    }


def _after_write(payload: dict[str, Any], headline: str) -> Callable[[], None]:
    def render() -> None:
        console.print(text((headline, "bold")), soft_wrap=True)
        console.print(f"  transaction {payload['tx_hash']}", soft_wrap=True)
        for event in payload.get("events", []):
            console.print(f"  event {_event_line(event)}", soft_wrap=True)
        view = payload["proposal"]
        if view["state"] == "open":
            if view["missing"]:
                who = ", ".join(f"{o['name']} (org {o['org_id']})" for o in view["waiting_for"])
                console.print(
                    f"  {view['progress']['distance']} (can approve: {who or '-'})",
                    soft_wrap=True,
                )
            else:
                console.print(
                    f"  approvals {view['live_approvals']} of {view['needed']}: ready, run "
                    f"trustspace gov execute {view['id']}",
                    soft_wrap=True,
                )

    return render


@gov.command(
    context_settings={"ignore_unknown_options": True},
    epilog="Actions and their arguments (NAME=VALUE, or positional in this order):\n\n"
    + "\n\n".join(ACTION_HELP.splitlines())
    + "\n\nroles: ADMIN, NOTARY, ISSUER, VALIDATOR, RELAYER, AUDITOR (comma-separated); "
    "kind: customs, tax, maritime, forex, ministry, other; org_id: an id or the organisation's "
    "name; expiry: unix seconds or an ISO date; ip: an IPv4/IPv6 address.",
)
@click.argument("action")
@click.argument("words", nargs=-1)
@click.option("--reason", default="", help="Why (its keccak256 is stored with every event).")
@account_option
@consortium_option
@network_option
@json_option
def propose(
    action: str,
    words: tuple[str, ...],
    reason: str,
    account_alias: str,
    consortium_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Propose ACTION with its arguments; your organisation approves it at once.

    \b
    trustspace gov propose add-org name="Port Authority" kind=maritime
    trustspace gov propose grant-role account=0x… roles=NOTARY,AUDITOR
    trustspace gov propose set-threshold 2
    trustspace gov propose call Notary deprecateSchema 3
    """
    act = cli_action(action)
    try:
        precheck_words(act, words)
    except GovernanceError as err:
        raise CommandError(str(err)) from err
    sender = load_account(account_alias)
    with open_consortium(network, consortium_address) as ctx:
        try:
            if act == Action.CALL:
                values = call_values(ctx, words)
            else:
                values = parse_action_words(act.name, words, _resolver(ctx))[1]
        except GovernanceError as err:
            raise CommandError(str(err)) from err
        payload = propose_action(ctx, sender, account_alias, act, values, reason)
    made = payload["proposal"]
    emit(as_json, payload, _after_write(payload, f"proposed #{made['id']}: {made['summary']}"))


def _proposal_step(
    proposal_id: int,
    account_alias: str,
    consortium_address: str | None,
    network: str,
    as_json: bool,
    *,
    doing: str,
    done: str,
    check: Callable[[ConsortiumContext, ProposalView, int], None],
    send: Callable[[Any, Any], Any],
    waiting: bool = True,
    with_events: bool = False,
) -> None:
    """approve / execute / cancel: the account (loaded before connecting), its organisation's
    ADMIN right, the command's own ``check`` of the proposal, the transaction, the outcome."""
    sender = load_account(account_alias)
    with open_consortium(network, consortium_address) as ctx:
        org = _admin_org(ctx, sender, account_alias)
        check(ctx, _view(ctx, proposal_id), org)
        receipt = transact(f"{doing} proposal {proposal_id}", lambda: send(ctx.gov, sender))
        after = ctx.reader.proposal(proposal_id, waiting=waiting)
        payload = {
            "ok": True,
            **ctx.to_json(),
            "proposal": after.to_json(),
            "tx_hash": ctx.gov.tx_hash(receipt),
            **({"events": _events(receipt)} if with_events else {}),
        }
    emit(as_json, payload, _after_write(payload, f"{done} #{proposal_id}: {after.summary()}"))


def _proposal_command(f: F) -> F:
    """The arguments approve, execute and cancel share."""
    for option in (json_option, network_option, consortium_option, account_option):
        f = option(f)
    # A string parsed in the command (parse_id), not a click type: a bad id is then one line
    # or one JSON document like every other mistake (click's usage errors have no JSON form).
    return click.argument("proposal_id")(f)


@gov.command()
@_proposal_command
def approve(
    proposal_id: str,
    account_alias: str,
    consortium_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Approve a proposal on behalf of your account's organisation."""
    number = parse_id("proposal", proposal_id)

    def check(_ctx: ConsortiumContext, view: ProposalView, org: int) -> None:
        _require_open(view, "approved")
        mine = [a for a in view.approvals if a.org.org_id == org and not a.rejects]
        if mine:
            raise CommandError(
                f"{mine[0].org.label()} already approved proposal {number}; an organisation "
                f"counts once: {view.missing} more needed"
                + (f" ({', '.join(o.label() for o in view.waiting)})" if view.waiting else "")
            )

    _proposal_step(
        number, account_alias, consortium_address, network, as_json,
        doing="approving", done="approved", check=check,
        send=lambda gov, sender: gov.approve(number, sender=sender),
    )  # fmt: skip


@gov.command()
@_proposal_command
def execute(
    proposal_id: str,
    account_alias: str,
    consortium_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Carry out a proposal that enough distinct organisations approved."""
    number = parse_id("proposal", proposal_id)

    def check(_ctx: ConsortiumContext, view: ProposalView, _org: int) -> None:
        _require_open(view, "executed")
        if not view.executable:
            who = ", ".join(o.label() for o in view.waiting)
            distance = view.progress.distance() if view.progress else ""
            raise CommandError(
                f"proposal {number} does not pass its policy yet: {distance}"
                + (f" (can approve: {who})" if who else "")
            )

    _proposal_step(
        number, account_alias, consortium_address, network, as_json,
        doing="executing", done="executed", check=check, waiting=False, with_events=True,
        send=lambda gov, sender: gov.execute(number, sender=sender),
    )  # fmt: skip


@gov.command()
@_proposal_command
def cancel(
    proposal_id: str,
    account_alias: str,
    consortium_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Withdraw a proposal your organisation made."""
    number = parse_id("proposal", proposal_id)

    def check(ctx: ConsortiumContext, view: ProposalView, org: int) -> None:
        if view.state not in ("open", "expired"):
            raise CommandError(f"proposal {number} is {view.state}: it cannot be cancelled")
        if view.proposer_org.org_id != org:
            raise CommandError(
                f"proposal {number} was made by {view.proposer_org.label()}: only its "
                f"admins may cancel it, and {account_alias} belongs to "
                f"{ctx.reader.org(org).label()}"
            )

    _proposal_step(
        number, account_alias, consortium_address, network, as_json,
        doing="cancelling", done="cancelled", check=check, waiting=False,
        send=lambda gov, sender: gov.cancel(number, sender=sender),
    )  # fmt: skip


@gov.command()
@_proposal_command
def reject(
    proposal_id: str,
    account_alias: str,
    consortium_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Reject a proposal on behalf of your account's organisation (withdraws its approval)."""
    number = parse_id("proposal", proposal_id)

    def check(_ctx: ConsortiumContext, view: ProposalView, org: int) -> None:
        _require_open(view, "rejected")
        if any(a.org.org_id == org and a.rejects for a in view.approvals):
            raise CommandError(f"{_ctx.reader.org(org).label()} already rejected proposal {number}")

    _proposal_step(
        number, account_alias, consortium_address, network, as_json,
        doing="rejecting", done="rejected", check=check,
        send=lambda gov, sender: gov.reject(number, sender=sender),
    )  # fmt: skip


@gov.group()
def policy() -> None:
    """Governance policies per action: which applies, and proposing a new one."""


def parse_policy(value: str) -> Policy:
    """``default``, ``k-of-n:2``, ``weighted:60:51`` or ``all-of-kind:customs``."""
    kind, _, rest = value.strip().lower().partition(":")
    parts = rest.split(":") if rest else []
    try:
        if kind == "default" and not parts:
            return Policy()
        if kind == "k-of-n" and len(parts) == 1:
            policy = Policy.k_of_n(int(parts[0]))
        elif kind == "weighted" and len(parts) == 2:
            policy = Policy.weighted(int(parts[0]), int(parts[1]))
        elif kind == "all-of-kind" and len(parts) == 1:
            policy = Policy.all_of_kind(parse_kind(parts[0]))
        else:
            raise ValueError(value)
        policy.encode()
    except GovernanceError as err:
        raise CommandError(f"policy {value!r}: {err}") from err
    except (ValueError, click.BadParameter) as err:
        raise CommandError(
            f"policy {value!r} not understood: use default, k-of-n:K, weighted:PARTICIPATION:"
            "APPROVAL (percent) or all-of-kind:KIND"
        ) from err
    return policy


@policy.command(name="show")
@click.argument("action", required=False)
@consortium_option
@network_option
@json_option
def policy_show(
    action: str | None, consortium_address: str | None, network: str, as_json: bool
) -> None:
    """The policy each action (or ACTION) is judged by, and whether it is its own."""
    acts = [cli_action(action)] if action else [a for a in Action if a <= MAX_ACTION]
    with open_consortium(network, consortium_address) as ctx:
        rows = [(a, ctx.gov.policy(a), ctx.gov.own_policy(a)) for a in acts]
        threshold = int(ctx.gov.port.read("threshold"))

    def render() -> None:
        console.print(
            f"Policies of Consortium {ctx.address} (threshold {threshold})", soft_wrap=True
        )
        for act, applies, own in rows:
            where = "own policy" if own.kind != PolicyKind.DEFAULT else "default"
            console.print(f"  {_cli_name(act):<15} {applies.describe()}  ({where})", soft_wrap=True)

    emit(
        as_json,
        {
            "ok": True,
            **ctx.to_json(),
            "threshold": threshold,
            "policies": [
                {"action": _cli_name(a), "policy": p.to_json(), "own": o.kind != PolicyKind.DEFAULT}
                for a, p, o in rows
            ],
        },
        render,
    )


@policy.command(name="set")
@click.argument("action")
@click.argument("value")
@click.option("--reason", default="", help="Why (its keccak256 is stored with every event).")
@account_option
@consortium_option
@network_option
@json_option
def policy_set(
    action: str,
    value: str,
    reason: str,
    account_alias: str,
    consortium_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Propose VALUE as the policy of ACTION (judged by the policy of set-policy).

    \b
    trustspace gov policy set remove-org all-of-kind:ministry
    trustspace gov policy set call weighted:60:51
    trustspace gov policy set add-org default
    """
    act = cli_action(action)
    if act > MAX_ACTION:
        raise CommandError(f"{_cli_name(act)} has no policy")
    word = parse_policy(value)
    sender = load_account(account_alias)
    with open_consortium(network, consortium_address) as ctx:
        values = {"policy_action": int(act), "policy": word.encode()}
        payload = propose_action(ctx, sender, account_alias, Action.SET_POLICY, values, reason)
    made = payload["proposal"]
    emit(as_json, payload, _after_write(payload, f"proposed #{made['id']}: {made['summary']}"))
