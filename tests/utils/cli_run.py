"""Run ``trustspace`` in this process, the way a shell runs the installed entry point.

click's ``CliRunner`` over the root group (``trustspace.cli:main``): the same argv, the
environment changed only for the run, the working folder a folder of the test's own (outside
the checkout), stdout and stderr kept apart. The answer has a subprocess's shape
(``returncode``, ``stdout``, ``stderr``), so a test written against the executable keeps
every assertion. As in a process, an exception the root group does not turn into one line
ends the run with exit code 1 and its traceback on stderr (where the tests look for
"Traceback"); Python warnings are printed on stderr too, not recorded by pytest.

Runs one at a time: the working folder, the environment and ``sys.stdout`` are the process's.
A command that has to switch the test session's own ape provider (``--network ethereum:local``)
stays a subprocess test.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import traceback
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

__all__ = ["Ran", "assert_one_mistake", "invoke"]


@dataclass(frozen=True)
class Ran:
    """What a run of ``trustspace`` left: its exit code, stdout and stderr."""

    returncode: int
    stdout: str
    stderr: str


def invoke(args: Sequence[str], cwd: Path, env: Mapping[str, str | None] | None = None) -> Ran:
    """``trustspace ARGS`` in this process, from ``cwd``, with ``env`` set for the run only
    (a ``None`` value unsets the variable)."""
    from trustspace.cli import main

    here = os.getcwd()
    # What a daemon command sets up for its own process (its stop signals, a log handler on
    # the stream CliRunner closes afterwards) is put back, so that no run leaks into the next.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    root_handlers = list(logging.getLogger().handlers)
    os.chdir(cwd)
    try:
        with warnings.catch_warnings(record=True) as shown:
            _process_warning_filters((env or {}).get("PYTHONWARNINGS") or "")
            result = CliRunner(mix_stderr=False).invoke(
                main, [str(a) for a in args], env=dict(env or {}), prog_name="trustspace"
            )
    finally:
        os.chdir(here)
        for sig, handler in handlers.items():
            if handler is not None:
                signal.signal(sig, handler)
        logging.getLogger().handlers[:] = root_handlers
    # pytest records warnings instead of printing them; a process prints them on stderr.
    printed = "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line) for w in shown
    )
    crashed = ""
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        crashed = "".join(traceback.format_exception(*result.exc_info))
    return Ran(result.exit_code, result.stdout, result.stderr + printed + crashed)


def _process_warning_filters(pythonwarnings: str) -> None:
    """The warning filters a Python process starts with (each warning shown once per place),
    and those of its ``PYTHONWARNINGS`` (``action:message`` entries)."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)
    for entry in filter(None, pythonwarnings.split(",")):
        action, _, message = entry.partition(":")
        warnings.filterwarnings(action, message=message.partition(":")[0])  # type: ignore[arg-type]


def assert_one_mistake(result: Any, code: int, says: str, as_json: bool) -> None:
    """A refused run: exit ``code``, no traceback, and either exactly one JSON document on
    stdout whose error contains ``says`` or exactly one ``error:`` line on stderr that does."""
    out = result.stdout + result.stderr
    assert result.returncode == code, out
    assert "Traceback" not in out, out
    if as_json:
        document = json.loads(result.stdout)  # exactly one document
        assert document["ok"] is False and document["exit_code"] == code, out
        assert says in document["error"], out
    else:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, out
        assert says in " ".join(errors[0].split()), out
