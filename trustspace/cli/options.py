"""The conventions every ``trustspace`` command shares, in one place.

* ``--network``: an ape network choice (``ethereum:customs:node``) or an RPC URL;
* ``--account``: an ape account alias (``TEST::<n>`` for a local test account);
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
traceback only with ``--debug``.
"""

from __future__ import annotations

import json
import math
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
    "CommandError",
    "TrustspaceGroup",
    "account_option",
    "connected",
    "console",
    "dumps",
    "emit",
    "err_console",
    "fail",
    "json_option",
    "load_account",
    "network_option",
    "plain",
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
    """``--network``: an ape network choice or an RPC URL."""
    return click.option(
        "--network",
        default=DEFAULT_NETWORK,
        show_default=True,
        help="ape network choice (ethereum:customs:node) or an RPC URL.",
    )(f)


def account_option(f: F) -> F:
    """``--account``: who signs transactions."""
    return click.option(
        "--account",
        "account_alias",
        required=True,
        help="ape account alias, or TEST::<n> for a local test account.",
    )(f)


@contextmanager
def connected(network: str) -> Iterator[None]:
    """Connect to ``network`` unless the process is already on it (tests, ape console)."""
    from ape import networks

    if networks.active_provider is not None and networks.active_provider.is_connected:
        active = networks.active_provider.network_choice
        if network in (active, active.rsplit(":", 1)[0]):
            yield
            return
    with networks.parse_network_choice(network):
        yield


def load_account(alias: str) -> Any:
    """An ape account by alias; ``TEST::<n>`` selects a local test account."""
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
    return accounts.load(alias)


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


def _exit_code_of(err: BaseException) -> int:
    if isinstance(err, CommandError):
        return err.exit_code
    if _is_unreachable(err):
        return EXIT_UNREACHABLE
    return EXIT_BAD_INPUT


class TrustspaceGroup(click.Group):
    """The root group: ``--debug``, and one line plus an exit code for every known failure."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (TrustspaceError, InputError, OSError) as err:
            self._report(ctx, err)
        except Exception as err:
            if not _is_unreachable(err):
                raise
            self._report(ctx, err, prefix="cannot reach the chain: ")

    @staticmethod
    def _report(ctx: click.Context, err: BaseException, prefix: str = "") -> NoReturn:
        if ctx.meta.get(DEBUG_META):
            traceback.print_exc()
        fields = err.fields if isinstance(err, CommandError) else {}
        fail(prefix + str(err), _exit_code_of(err), **fields)
