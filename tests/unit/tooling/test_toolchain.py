"""The offline toolchain: provided where ape's plugins look, and clear errors when broken."""

import subprocess

import pytest

from trustspace.devnet import toolchain


def test_check_toolchain__provided_compilers_pass():
    toolchain.check_toolchain()


def test_solc_wrapper__speaks_version_like_native_solc():
    out = subprocess.run(
        [str(toolchain.solc_wrapper_path()), "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[1].startswith(f"Version: {toolchain.SOLC_VERSION}+commit.")


def test_solc_wrapper__unsupported_option__fails_clearly():
    result = subprocess.run(
        [str(toolchain.solc_wrapper_path()), "--bin", "x.sol"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "unsupported option --bin" in result.stderr


def test_check_toolchain__missing_solc__names_the_repair(tmp_path, monkeypatch):
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path))
    with pytest.raises(
        toolchain.ToolchainError, match=r"solc 0\.8\.37 is not provided.*make setup"
    ):
        toolchain.check_toolchain()


def test_check_toolchain__broken_solc__names_the_repair(tmp_path, monkeypatch):
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path))
    broken = tmp_path / f"solc-v{toolchain.SOLC_VERSION}"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(toolchain.ToolchainError, match=r"failed.*make setup"):
        toolchain.check_toolchain()


def test_install__is_idempotent_and_fills_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "solcx"))
    monkeypatch.setenv("VVM_BINARY_PATH", str(tmp_path / "vvm"))
    first = toolchain.install()
    second = toolchain.install()
    assert first == second
    assert (tmp_path / "solcx" / f"solc-v{toolchain.SOLC_VERSION}").exists()
    assert (tmp_path / "vvm" / f"vyper-{toolchain.VYPER_VERSION}").exists()
    toolchain.check_toolchain()


def test_project_compiles_both_languages(project):
    # Vyper (Consortium) and Solidity (through the npm solc) both reach the manifest.
    names = set(project.contracts)
    assert "Consortium" in names
    assert "GovernedTarget" in names


def test_solc_wrapper__checkout_gone__names_the_repair(tmp_path):
    wrapper = tmp_path / "solc"
    wrapper.write_text(toolchain.solc_wrapper_script(tmp_path / "deleted-checkout", "node"))
    wrapper.chmod(0o755)
    result = subprocess.run([str(wrapper), "--version"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "deleted-checkout/tools/solc.cjs is gone; run `make setup`" in result.stderr
