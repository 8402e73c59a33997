"""Where trustspace finds the project folder and keeps its files.

An installed package works from any folder; inside a checkout (a folder holding
``ape-config.yaml``, or one below it) the project's own folders are used.
Environment variables override each location:

* ``TRUSTSPACE_DEPLOYMENTS`` — deployment records (default ``<project>/deployments``,
  else ``./deployments``);
* ``TRUSTSPACE_HOME`` — local state: chain pid files, logs (default
  ``<project>/.trustspace``, else ``~/.trustspace``).
"""

from __future__ import annotations

import os
from pathlib import Path

from trustspace.errors import TrustspaceError

__all__ = ["ProjectNotFoundError", "deployments_folder", "project_root", "state_home"]


class ProjectNotFoundError(TrustspaceError):
    """No trustspace checkout (a folder with ``ape-config.yaml``) is above this folder."""


def project_root() -> Path:
    """The checkout this package was installed from (the folder holding ape-config.yaml)."""
    here = Path(__file__).resolve().parent.parent
    if (here / "ape-config.yaml").exists():
        return here
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / "ape-config.yaml").exists():
            return folder
    raise ProjectNotFoundError(
        f"no ape-config.yaml above {cwd}; run trustspace from the project folder"
    )


def deployments_folder() -> Path:
    """``$TRUSTSPACE_DEPLOYMENTS`` if set, else ``deployments/`` of the project (or the cwd)."""
    env = os.environ.get("TRUSTSPACE_DEPLOYMENTS")
    if env:
        return Path(env)
    try:
        return project_root() / "deployments"
    except ProjectNotFoundError:
        return Path.cwd() / "deployments"


def state_home() -> Path:
    """``$TRUSTSPACE_HOME`` if set, else ``.trustspace`` of the project (or of the home folder)."""
    env = os.environ.get("TRUSTSPACE_HOME")
    if env:
        return Path(env)
    try:
        return project_root() / ".trustspace"
    except ProjectNotFoundError:
        return Path.home() / ".trustspace"
