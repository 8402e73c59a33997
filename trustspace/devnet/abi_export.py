"""``make abi``: write ``abi/<Contract>.json`` and the shipped manifest from a fresh build.

``tests/unit/tooling/test_abi.py`` fails when either differs from a fresh build.
Reading them back is :mod:`trustspace.artifacts`' job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustspace.artifacts import DEPLOYABLE, MANIFEST_NAME, MANIFEST_RESOURCE

__all__ = ["build_manifest", "dumps", "main", "stale_abis", "write_abis", "write_manifest"]

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


def main() -> None:
    """``make abi``: compile, then write ``abi/`` and the shipped manifest from the build."""
    from ape import project

    from trustspace.paths import project_root

    root = project_root()
    # Not from ape's compile cache: it has kept a contract's old build after the source
    # changed (seen with a Vyper contract whose only change was a function's arguments).
    project.load_contracts(use_cache=False)
    for path in write_abis(project, root / "abi"):
        print(f"wrote {path.relative_to(root)}")
    manifest = write_manifest(project, root / "trustspace" / MANIFEST_RESOURCE)
    print(f"wrote {manifest.relative_to(root)}")


if __name__ == "__main__":
    main()
