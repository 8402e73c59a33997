"""A real PostgreSQL server for tests, from the distribution's package, in a temporary folder.

:func:`running_postgres` runs ``initdb`` into a fresh folder and ``pg_ctl start`` on a free
port of 127.0.0.1 (its unix socket in the same folder), yields the server's URL, and at the
end stops it and deletes the folder. PostgreSQL refuses to run as root: when the tests run
as root the server commands run as the ``postgres`` system user (``runuser``), who is given
the folder. Missing binaries FAIL the test naming the package to install: the browser and
database tests are never skipped (the project's set-up installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from trustspace.devnet.chains import free_port

__all__ = ["INSTALL_HINT", "pg_bin", "running_postgres"]

INSTALL_HINT = "sudo apt-get install postgresql"


def pg_bin() -> Path:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian: /usr/lib/postgresql/<version>/bin,
    the newest version); fails the test when PostgreSQL is not installed."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    pytest.fail(f"the PostgreSQL server is not installed (no initdb): run `{INSTALL_HINT}`")


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        pytest.fail("tests run as root and `runuser` is missing: PostgreSQL refuses root")
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def running_postgres() -> Iterator[str]:
    """A fresh PostgreSQL server; yields ``postgresql://postgres@127.0.0.1:<port>/postgres``."""
    bin_dir = pg_bin()
    prefix = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="trustspace-pg-"))
    data, sock, log = folder / "data", folder / "sock", folder / "server.log"
    sock.mkdir()
    if prefix:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
    port = free_port()
    started = False
    try:
        subprocess.run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--no-sync", "--locale=C"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = (
            f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
             "-w", "-t", "60", "start"],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as err:
        tail = log.read_text()[-2000:] if log.exists() else ""
        pytest.fail(f"PostgreSQL did not start: {err.stderr!r} {tail}")
    finally:
        if started:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                 "stop"],
                capture_output=True, timeout=60,
            )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
