"""Bus operations config: which chains, where signatures and relayer state live.

A JSON file, for example::

    {
      "chains": {
        "customs": {"rpc": "http://127.0.0.1:8546", "bus": "0x…"},
        "tax": {"rpc": "http://127.0.0.1:8547", "bus": "0x…"}
      },
      "signatures": "/var/lib/trustspace/signatures",
      "database": "/var/lib/trustspace/relay.sqlite"
    }

Keys never go in this file: daemons read them from an environment variable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustspace.errors import InputError


class ConfigError(InputError):
    """The config file is missing something; the message says what."""


@dataclass(frozen=True)
class ChainConfig:
    """One chain the bus links."""

    name: str
    rpc: str
    bus: str


@dataclass(frozen=True)
class BusConfig:
    """All chains, the signature directory and the relayer database."""

    chains: dict[str, ChainConfig]
    signatures: Path
    database: Path

    def chain(self, name: str) -> ChainConfig:
        if name not in self.chains:
            raise ConfigError(f"unknown chain {name!r}; configured: {', '.join(self.chains)}")
        return self.chains[name]

    def to_json(self) -> dict[str, Any]:
        return {
            "chains": {c.name: {"rpc": c.rpc, "bus": c.bus} for c in self.chains.values()},
            "signatures": str(self.signatures),
            "database": str(self.database),
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")


def load_config(path: Path | str) -> BusConfig:
    """Read and check a config file; relative paths are relative to the file."""
    file = Path(path)
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read bus config {file}: {err}") from err
    base = file.parent
    try:
        chains = {
            name: ChainConfig(name, str(spec["rpc"]), str(spec["bus"]))
            for name, spec in data["chains"].items()
        }
        signatures = base / str(data["signatures"])
        database = base / str(data.get("database", "relay.sqlite"))
    except (KeyError, TypeError, AttributeError) as err:
        raise ConfigError(f"{file}: needs chains (rpc, bus per chain) and signatures") from err
    if len(chains) < 2:
        raise ConfigError(f"{file}: a bus links at least two chains")
    return BusConfig(chains, signatures, database)
