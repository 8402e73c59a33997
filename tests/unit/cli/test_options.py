"""The CLI-wide conventions of trustspace/cli/options.py: one line or one JSON document for a
failure, the documented exit codes, no traceback."""

import json

from click.testing import CliRunner

from trustspace.cli import main
from trustspace.cli.options import EXIT_UNREACHABLE

DOWN = "http://127.0.0.1:9"  # the discard port: nothing answers JSON-RPC there


def _run(*args: str):
    return CliRunner(mix_stderr=False).invoke(main, list(args), catch_exceptions=False)


def test_chain_down__text__one_line_exit_unreachable_no_traceback(tmp_path):
    document = tmp_path / "d.xml"
    document.write_text("<d/>")
    res = _run("notarize", str(document), "--schema", "1", "--account", "TEST::1",
               "--network", DOWN, "--out", str(tmp_path / "b"))  # fmt: skip
    assert res.exit_code == EXIT_UNREACHABLE
    assert "Traceback" not in res.stderr + res.stdout
    assert res.stderr.strip().startswith("error: cannot reach the chain:")
    assert len(res.stderr.strip().splitlines()) == 1


def test_chain_down__json__one_document_on_stdout(tmp_path):
    document = tmp_path / "d.xml"
    document.write_text("<d/>")
    res = _run("notarize", str(document), "--schema", "1", "--account", "TEST::1",
               "--network", DOWN, "--out", str(tmp_path / "b"), "--json")  # fmt: skip
    assert res.exit_code == EXIT_UNREACHABLE
    doc = json.loads(res.stdout)
    assert doc["ok"] is False and doc["exit_code"] == EXIT_UNREACHABLE
    assert "cannot reach the chain" in doc["error"]


def test_debug__shows_the_traceback(tmp_path):
    document = tmp_path / "d.xml"
    document.write_text("<d/>")
    res = _run("--debug", "notarize", str(document), "--schema", "1", "--account", "TEST::1",
               "--network", DOWN, "--out", str(tmp_path / "b"))  # fmt: skip
    assert res.exit_code == EXIT_UNREACHABLE
    assert "Traceback (most recent call last)" in res.stderr
