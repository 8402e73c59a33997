"""``trustspace portal``'s mistakes: each one line with its exit code and no traceback, and one
JSON document with ``--json``; in process through click's CliRunner (nothing here needs a
running chain: the port and the options are checked before any chain is asked)."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from trustspace.cli import main
from trustspace.devnet.chains import free_port


def _busy_port() -> tuple[socket.socket, int]:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    return busy, int(busy.getsockname()[1])


CASES = {
    "chain down at start": (["--network", "customs=http://127.0.0.1:{dead}"], 3,
                            "cannot reach customs at http://127.0.0.1:"),
    "no chain recorded and none named": ([], 2, "no chains: no deployment record of a local chain"),
    "unknown host": (["--host", "no-such-host.invalid"], 2, "--host 'no-such-host.invalid': unknown host"),
    "network value empty": (["--network", " "], 2, "empty chain name"),
    "network URL after = is not a URL": (["--network", "customs=ftp://x"], 2,
                                          "after = comes an http(s) node URL"),
    "bus config not a bus config": (["--bus-config", "{bad}"], 2, "--bus-config"),
    "port out of range": (["--port", "70000"], 2, "70000 is not in the range"),
}  # fmt: skip


def _invoke(tmp_path, monkeypatch, args, as_json=False):
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path / "deployments"))
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path / "home"))
    bad = tmp_path / "bus.json"
    bad.write_text('{"chains": 3}')
    args = [a.format(dead=free_port(), bad=bad) for a in args]
    if "--port" not in args:
        args = ["--port", str(free_port()), *args]
    return CliRunner(mix_stderr=False).invoke(
        main, ["portal", *args, *(["--json"] if as_json else [])]
    )


#: click's own usage errors print the usage and a hint above the error line.
USAGE_ERRORS = {"port out of range"}


@pytest.mark.parametrize("case", sorted(set(CASES) - USAGE_ERRORS))
def test_portal_cli_mistake__one_line_exit_code_no_traceback(tmp_path, monkeypatch, case):
    args, code, says = CASES[case]

    result = _invoke(tmp_path, monkeypatch, args)

    assert result.exit_code == code, (result.stdout, result.stderr)
    assert says in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("case", ["chain down at start", "unknown host", "port out of range"])
def test_portal_cli_mistake_with_json__one_document(tmp_path, monkeypatch, case):
    args, code, says = CASES[case]

    result = _invoke(tmp_path, monkeypatch, args, as_json=True)

    assert result.exit_code == code
    document = json.loads(result.stdout)  # exactly one document
    assert document["ok"] is False and says in " ".join(document["error"].split())


def test_portal_cli__port_in_use__exit_2_naming_the_port(tmp_path, monkeypatch):
    busy, port = _busy_port()
    with busy:
        result = _invoke(tmp_path, monkeypatch, ["--port", str(port), "--network", "customs"])

    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "give another --port" in result.stderr and "Traceback" not in result.stderr


def test_portal_cli__free_port_and_no_chain__refused_only_for_the_chain(tmp_path, monkeypatch):
    result = _invoke(tmp_path, monkeypatch, [])

    assert result.exit_code == 2 and "cannot listen" not in result.stderr
