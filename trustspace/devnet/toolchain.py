"""Offline compilers and nodes: put them where ape's plugins look, and check them.

Nothing here downloads. The Solidity compiler is the npm ``solc`` package,
exposed to py-solc-x (ape-solidity) as ``~/.solcx/solc-v<version>``, a small
script that speaks ``--version`` and ``--standard-json``. Vyper is the pip
``vyper`` package, which ape-vyper uses directly; a ``~/.vvm/vyper-<version>``
entry is written as well so that vvm-based tools find the same compiler.
``anvil`` ships inside the npm package ``@foundry-rs/anvil``; it is linked
into the virtualenv's ``bin`` so that ape-foundry finds it on ``PATH``.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from trustspace.errors import TrustspaceError
from trustspace.paths import project_root

__all__ = [
    "ANVIL_VERSION",
    "REPAIR",
    "SOLC_VERSION",
    "VYPER_VERSION",
    "ToolchainError",
    "anvil_path",
    "check_toolchain",
    "install",
    "solc_wrapper_path",
    "solc_wrapper_script",
    "vyper_wrapper_path",
]

SOLC_VERSION = "0.8.37"
VYPER_VERSION = "0.4.3"
ANVIL_VERSION = "1.7.1"
REPAIR = "run `make setup` in the project folder"


class ToolchainError(TrustspaceError, RuntimeError):
    """A compiler or node is missing or broken; the message says how to repair it."""


def _solcx_folder() -> Path:
    env = os.environ.get("SOLCX_BINARY_PATH")
    return Path(env) if env else Path.home() / ".solcx"


def _vvm_folder() -> Path:
    env = os.environ.get("VVM_BINARY_PATH")
    return Path(env) if env else Path.home() / ".vvm"


def solc_wrapper_path() -> Path:
    """Where py-solc-x (ape-solidity) looks for solc: the wrapper over the npm solc."""
    return _solcx_folder() / f"solc-v{SOLC_VERSION}"


def vyper_wrapper_path() -> Path:
    """Where vvm-based tools look for Vyper: an entry for the pip-installed compiler."""
    return _vvm_folder() / f"vyper-{VYPER_VERSION}"


def _npm_platform() -> str:
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform)
    machine = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower()
    )
    if system is None or machine is None:
        raise ToolchainError(f"no anvil build for {sys.platform}/{platform.machine()}")
    return f"{system}-{machine}"


def anvil_path() -> Path:
    """The anvil binary shipped by the npm package of this checkout."""
    root = project_root()
    binary = root / "node_modules" / "@foundry-rs" / f"anvil-{_npm_platform()}" / "bin" / "anvil"
    if not binary.exists():
        raise ToolchainError(f"anvil {ANVIL_VERSION} not found at {binary}: {REPAIR}")
    return binary


def _write_script(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == body:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body)
    tmp.chmod(0o755)
    tmp.replace(path)


def solc_wrapper_script(root: Path, node: str) -> str:
    """The ``solc`` script for py-solc-x: runs tools/solc.cjs of checkout ``root`` with ``node``.

    The script names the checkout that wrote it; if that checkout is gone, it
    says how to repair instead of failing inside node.
    """
    script = root / "tools" / "solc.cjs"
    return (
        "#!/bin/sh\n"
        f"# Written by `trustspace doctor --install` (make setup) in {root}\n"
        f'if [ ! -f "{script}" ]; then\n'
        f'  echo "trustspace: {script} is gone; run \\`make setup\\` in your checkout" >&2\n'
        "  exit 2\n"
        "fi\n"
        f'exec "{node}" "{script}" "$@"\n'
    )


def install() -> list[str]:
    """Provide the compilers and anvil where the tools look; idempotent. Returns what was done."""
    root = project_root()
    done: list[str] = []
    node = shutil.which("node")
    if node is None:
        raise ToolchainError("node is not on PATH; install Node.js 20, then " + REPAIR)
    solc_script = solc_wrapper_script(root, node)
    _write_script(solc_wrapper_path(), solc_script)
    done.append(f"solc {SOLC_VERSION} -> {solc_wrapper_path()}")
    vyper_bin = Path(sys.prefix) / "bin" / "vyper"
    _write_script(vyper_wrapper_path(), f'#!/bin/sh\nexec "{vyper_bin}" "$@"\n')
    done.append(f"vyper {VYPER_VERSION} -> {vyper_wrapper_path()}")
    link = Path(sys.prefix) / "bin" / "anvil"
    target = anvil_path()
    # Compare the link text, not resolved paths: a link through another
    # checkout's symlinked node_modules resolves equal today and dangles tomorrow.
    if not (link.is_symlink() and os.readlink(link) == str(target)):
        link.unlink(missing_ok=True)
        link.symlink_to(target)
    done.append(f"anvil {ANVIL_VERSION} -> {link}")
    return done


def _version_of(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as err:
        raise ToolchainError(f"`{' '.join(command)}` failed ({err}): {REPAIR}") from err
    return out.stdout


def check_toolchain() -> None:
    """Raise ToolchainError naming the broken part and the repair command."""
    solc = solc_wrapper_path()
    if not solc.exists():
        raise ToolchainError(f"solc {SOLC_VERSION} is not provided at {solc}: {REPAIR}")
    if f"Version: {SOLC_VERSION}" not in _version_of([str(solc), "--version"]):
        raise ToolchainError(f"{solc} does not report solc {SOLC_VERSION}: {REPAIR}")
    try:
        import vyper
    except ImportError as err:
        raise ToolchainError(f"the vyper package is not installed: {REPAIR}") from err
    if vyper.__version__ != VYPER_VERSION:
        raise ToolchainError(
            f"vyper {vyper.__version__} installed, {VYPER_VERSION} needed: {REPAIR}"
        )
    link = Path(sys.prefix) / "bin" / "anvil"
    if not link.exists():
        # ape-foundry finds anvil on PATH only; a dangling link counts as missing.
        raise ToolchainError(f"anvil is not linked at {link} (ape-foundry looks on PATH): {REPAIR}")
    if f"Version: {ANVIL_VERSION}" not in _version_of([str(anvil_path()), "--version"]).replace(
        "anvil Version", "Version"
    ):
        raise ToolchainError(f"anvil at {anvil_path()} is not version {ANVIL_VERSION}: {REPAIR}")
