"""ABIs and the compiled package manifest for agency software, generated from the build.

* ``abi/<Contract>.json``: one JSON ABI per deployable contract (``make abi``);
  ``tests/unit/tooling/test_abi.py`` fails when they differ from a fresh build.
* ``trustspace/data/manifest.json``: an EthPM v3 package manifest
  (``ethpm_types.PackageManifest``) with the ABI, creation and runtime code,
  NatSpec and compiler of each deployable contract. It ships inside the Python
  package, so an installed ``trustspace`` needs no project folder and no
  compiler: :func:`contract_type` / :func:`ape_contracts` / :func:`web3_contracts`
  bind it to the addresses of a deployment record.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

#: The contracts agencies deploy and call (test contracts and interfaces are left out).
DEPLOYABLE: tuple[str, ...] = (
    "Consortium",
    "DIDRegistry",
    "DIDRegistryFactory",
    "MessageBus",
    "Notary",
)
MANIFEST_NAME = "trustspace"
MANIFEST_RESOURCE = "data/manifest.json"
# Compiler settings that describe the machine or the last build, not the
# contracts: outputSelection lists whichever sources an (incremental) build
# compiled together, and Vyper's search_paths are absolute paths of the
# virtualenv. Left out so the file is the same from every checkout.
_MACHINE_SETTINGS = frozenset({"outputSelection", "search_paths"})
# What a contract type keeps in the shipped manifest: enough to deploy, call and document.
_KEPT_FIELDS = (
    "contractName",
    "sourceId",
    "abi",
    "deploymentBytecode",
    "runtimeBytecode",
    "userdoc",
    "devdoc",
)


def dumps(data: Any) -> str:
    """The one JSON form of every generated file: 2-space indent, sorted keys, newline."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def abi_of(project: Any, name: str) -> list[dict[str, Any]]:
    """The JSON ABI of contract ``name`` from ape's build (``project.<Name>``)."""
    contract_type = getattr(project, name).contract_type
    return [entry.model_dump(by_alias=True, mode="json") for entry in contract_type.abi]


def write_abis(project: Any, folder: Path) -> list[Path]:
    """Write ``<folder>/<Name>.json`` for every deployable contract; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DEPLOYABLE:
        path = folder / f"{name}.json"
        path.write_text(dumps(abi_of(project, name)))
        written.append(path)
    return written


def stale_abis(project: Any, folder: Path) -> list[str]:
    """Names of deployable contracts whose ``abi/`` file is missing or differs from the build."""
    stale = []
    for name in DEPLOYABLE:
        path = folder / f"{name}.json"
        if not path.exists() or path.read_text() != dumps(abi_of(project, name)):
            stale.append(name)
    extra = {p.stem for p in folder.glob("*.json")} - set(DEPLOYABLE)
    return stale + sorted(f"{name} (not deployable, remove it)" for name in extra)


def build_manifest(project: Any, version: str) -> dict[str, Any]:
    """The package manifest of the deployable contracts as a JSON-ready dict."""
    built = project.manifest
    contract_types = {}
    for name in DEPLOYABLE:
        full = getattr(project, name).contract_type.model_dump(by_alias=True, mode="json")
        contract_types[name] = {k: full[k] for k in _KEPT_FIELDS if full.get(k) is not None}
    compilers = []
    for compiler in built.compilers or []:
        kept = sorted(set(compiler.contractTypes or []) & set(DEPLOYABLE))
        if kept:
            compilers.append(
                {
                    "name": compiler.name,
                    "version": compiler.version,
                    "settings": {
                        k: v
                        for k, v in (compiler.settings or {}).items()
                        if k not in _MACHINE_SETTINGS
                    },
                    "contractTypes": kept,
                }
            )
    return {
        "manifest": "ethpm/3",
        "name": MANIFEST_NAME,
        "version": version,
        "contractTypes": contract_types,
        "compilers": sorted(compilers, key=lambda c: str(c["name"])),
    }


def package_version() -> str:
    """The installed ``trustspace`` version (the manifest carries it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("trustspace")
    except PackageNotFoundError:
        return "0.0.0"


def write_manifest(project: Any, path: Path, version: str | None = None) -> Path:
    """Write the package manifest to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(build_manifest(project, version or package_version())))
    return path


def shipped_manifest_path() -> Path:
    """Where the shipped manifest lives inside the installed package."""
    return Path(str(resources.files("trustspace").joinpath(MANIFEST_RESOURCE)))


@cache
def shipped_manifest() -> dict[str, Any]:
    """The manifest shipped in the package, as a dict."""
    data: dict[str, Any] = json.loads(shipped_manifest_path().read_text())
    return data


def abi(name: str) -> list[dict[str, Any]]:
    """The ABI of a deployable contract from the shipped manifest."""
    try:
        entry = shipped_manifest()["contractTypes"][name]
    except KeyError as err:
        raise KeyError(f"{name} is not in the shipped manifest; known: {DEPLOYABLE}") from err
    result: list[dict[str, Any]] = entry["abi"]
    return result


def contract_type(name: str) -> Any:
    """An ``ethpm_types.ContractType`` of a deployable contract, from the shipped manifest."""
    from ethpm_types import ContractType

    return ContractType.model_validate(shipped_manifest()["contractTypes"][name])


def ape_contracts(record: Any) -> dict[str, Any]:
    """ape contract objects for every contract of a deployment record, from the shipped
    manifest (on ape's current provider; no project folder or compiler needed)."""
    from ape.contracts import ContractInstance

    return {
        name: ContractInstance(entry.address, contract_type(entry.contract_type))
        for name, entry in record.deployed()
    }


def web3_contracts(w3: Any, record: Any) -> dict[str, Any]:
    """web3.py contract objects for every contract of a deployment record."""
    return {
        name: w3.eth.contract(address=entry.address, abi=abi(entry.contract_type))
        for name, entry in record.deployed()
    }


def main() -> None:
    """``make abi``: compile, then write ``abi/`` and the shipped manifest from the build."""
    from ape import project

    from trustspace.toolchain import project_root

    root = project_root()
    for path in write_abis(project, root / "abi"):
        print(f"wrote {path.relative_to(root)}")
    manifest = write_manifest(project, root / "trustspace" / MANIFEST_RESOURCE)
    print(f"wrote {manifest.relative_to(root)}")


if __name__ == "__main__":
    main()
