"""The bus daemons as local processes, for the demo, the tests and the benches.

``trustspace validator run`` and ``trustspace relay run`` started with ``--account``
naming an ape account (``TEST::<n>``: a key of the local test mnemonic; no secret in
their environment or on their command line), their output in a log file beside the
bus config, stopped with SIGTERM (SIGKILL if they linger).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trustspace.paths import project_root

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

__all__ = ["account_alias", "daemon_env", "spawn_relayer", "spawn_validator", "stop"]

#: How far into the test mnemonic a key given as a LocalAccount is looked up.
_MNEMONIC_SEARCH = 64


def account_alias(key: LocalAccount | str) -> str:
    """The ape alias a daemon signs as: ``key`` itself if an alias, else ``TEST::<n>`` of the
    local test mnemonic key ``key`` (ValueError for any other key: give an alias)."""
    if isinstance(key, str):
        return key
    from trustspace.devnet.chains import mnemonic_key

    for index in range(_MNEMONIC_SEARCH):
        if mnemonic_key(index).address == key.address:
            return f"TEST::{index}"
    raise ValueError(
        f"{key.address} is not a key of the local test mnemonic: start the daemon with an "
        "ape account alias (a keystore, its passphrase in APE_ACCOUNTS_<alias>_PASSPHRASE)"
    )


def daemon_env() -> dict[str, str]:
    """The environment of a daemon started from this checkout (no key in it)."""
    env = dict(os.environ)
    root = str(project_root())
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def spawn_validator(
    config: Path,
    chain: str,
    key: LocalAccount | str,
    confirmations: int | None = 0,
    poll: float | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``trustspace validator run --account …`` as its own process (``confirmations``
    or ``poll`` None: the command's default)."""
    alias = account_alias(key)
    command = [
        sys.executable, "-m", "trustspace.bus", "validator", "run", "--config", str(config),
        "--chain", chain, "--account", alias,
    ]  # fmt: skip
    if poll is not None:
        command += ["--poll", str(poll)]
    if confirmations is not None:
        command += ["--confirmations", str(confirmations)]
    label = alias.replace(":", "")
    log = (config.parent / f"validator-{chain}-{label}.log").open("ab")
    return subprocess.Popen(
        command, env=daemon_env(), cwd=project_root(),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def spawn_relayer(
    config: Path, key: LocalAccount | str, *extra: str, poll: float | None = None
) -> subprocess.Popen[bytes]:
    """Start ``trustspace relay run --account …`` as its own process (``poll`` None: the
    command's default)."""
    command = [sys.executable, "-m", "trustspace.bus", "relay", "run", "--config", str(config),
               "--account", account_alias(key), *extra]  # fmt: skip
    if poll is not None:
        command += ["--poll", str(poll)]
    log = (config.parent / "relayer.log").open("ab")
    return subprocess.Popen(
        command, env=daemon_env(), cwd=project_root(),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a daemon started here with SIGTERM, SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
