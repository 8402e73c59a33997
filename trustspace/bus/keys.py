"""Where a daemon's signing key comes from: an environment variable or an ape account.

Never from a command-line argument (visible in ``ps`` and shell history) or the bus
config. An ape account (``ape accounts import NAME``) is an encrypted keystore file,
``$APE_DATA_FOLDER/accounts/NAME.json`` (``~/.ape`` by default, ape's own rule); a
daemon cannot prompt, so the passphrase comes from ``APE_ACCOUNTS_NAME_PASSPHRASE``, the
variable ape itself reads for non-interactive signing. The key is decrypted once at
start, in memory only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from trustspace.errors import InputError

__all__ = [
    "KeySourceError",
    "ape_data_folder",
    "key_from_ape_account",
    "key_from_env",
    "key_from_hex",
    "passphrase_variable",
]


class KeySourceError(InputError):
    """No usable key; the message says what to set."""


def key_from_hex(value: str) -> LocalAccount:
    """A signing key from hex text."""
    account: LocalAccount = Account.from_key(value.strip())
    return account


def key_from_env(variable: str) -> LocalAccount:
    """The key held by environment variable ``variable``."""
    value = os.environ.get(variable)
    if not value:
        raise KeySourceError(f"no key: set the environment variable {variable} or use --account")
    try:
        return key_from_hex(value)
    except ValueError as err:
        raise KeySourceError(f"{variable} does not hold a private key") from err


def ape_data_folder() -> Path:
    """ape's data folder (``APE_DATA_FOLDER`` or ``~/.ape``)."""
    folder = os.environ.get("APE_DATA_FOLDER")
    return Path(folder) if folder else Path.home() / ".ape"


def passphrase_variable(alias: str) -> str:
    """The environment variable ape reads the passphrase of ``alias`` from."""
    return f"APE_ACCOUNTS_{alias}_PASSPHRASE"


def key_from_ape_account(alias: str) -> LocalAccount:
    """Decrypt the keystore of ape account ``alias`` with its passphrase from the environment."""
    path = ape_data_folder() / "accounts" / f"{alias}.json"
    if not path.is_file():
        raise KeySourceError(
            f"no ape account {alias!r} ({path}); import it with `ape accounts import`"
        )
    variable = passphrase_variable(alias)
    passphrase = os.environ.get(variable)
    if passphrase is None:
        raise KeySourceError(f"ape account {alias!r}: set {variable} (a daemon never prompts)")
    try:
        keyfile = json.loads(path.read_text())
        return key_from_hex(Account.decrypt(keyfile, passphrase).hex())
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise KeySourceError(
            f"ape account {alias!r}: cannot decrypt {path} with {variable}"
        ) from err
