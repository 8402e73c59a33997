"""The bus daemons as local processes, for the demo, the tests and the benches.

``trustspace validator run`` and ``trustspace relay run`` started with a key in
their environment (never on a command line), their output in a log file beside
the bus config, stopped with SIGTERM (SIGKILL if they linger).
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

__all__ = ["daemon_env", "spawn_relayer", "spawn_validator", "stop"]


def daemon_env(key: LocalAccount, variable: str) -> dict[str, str]:
    """The environment of a daemon started from this checkout, its key in ``variable`` (never
    on the command line)."""
    env = dict(os.environ)
    root = str(project_root())
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env[variable] = key.key.hex()
    return env


def spawn_validator(
    config: Path, chain: str, key: LocalAccount, confirmations: int = 0, poll: float = 0.2
) -> subprocess.Popen[bytes]:
    """Start ``trustspace validator run`` as its own process."""
    command = [
        sys.executable, "-m", "trustspace.bus", "validator", "run", "--config", str(config),
        "--chain", chain, "--confirmations", str(confirmations), "--poll", str(poll),
    ]  # fmt: skip
    log = (config.parent / f"validator-{chain}-{key.address[:8]}.log").open("ab")
    return subprocess.Popen(
        command, env=daemon_env(key, "TRUSTSPACE_VALIDATOR_KEY"), cwd=project_root(),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def spawn_relayer(
    config: Path, key: LocalAccount, *extra: str, poll: float = 0.2
) -> subprocess.Popen[bytes]:
    """Start ``trustspace relay run`` as its own process."""
    command = [sys.executable, "-m", "trustspace.bus", "relay", "run", "--config", str(config),
               "--poll", str(poll), *extra]  # fmt: skip
    log = (config.parent / "relayer.log").open("ab")
    return subprocess.Popen(
        command, env=daemon_env(key, "TRUSTSPACE_RELAYER_KEY"), cwd=project_root(),
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
