"""Bus operations config: which chains, where signatures and relayer state live.

A JSON file, for example::

    {
      "chains": {
        "hub": {"rpc": "http://127.0.0.1:8545", "bus": "0x…", "chain_id": 31337},
        "customs": {"rpc": "http://127.0.0.1:8546", "bus": "0x…", "chain_id": 31338,
                    "codehash": "0x…"},
        "tax": {"rpc": "http://127.0.0.1:8547", "bus": "0x…", "chain_id": 31339}
      },
      "signatures": "/var/lib/trustspace/signatures",
      "database": "/var/lib/trustspace/relay.sqlite",
      "announcements": {"chain": "hub", "did_registry": "0x…"}
    }

``chain_id`` (recommended) and ``codehash`` (from the bus's deployment record) are
what a validator checks its node against before signing. ``announcements`` names the
hub chain whose DIDRegistry carries each organisation's ``TrustspaceValidator``
service: relayers fetch signatures from every endpoint announced there.

Keys never go in this file: daemons read them from an environment variable or an
ape account.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils.address import is_hex_address, to_checksum_address

from trustspace.errors import InputError

__all__ = [
    "CODEHASH",
    "FAST_WINDOW",
    "RELAYER_FAST_POLL",
    "RELAYER_POLL",
    "VALIDATOR_POLL",
    "Announcements",
    "BusConfig",
    "ChainConfig",
    "ConfigError",
    "load_config",
]

CODEHASH = re.compile(r"^0x[0-9a-fA-F]{64}$")

# Poll intervals of the daemons (docs/bus.md, "Latency"): what a message waits for at most
# at each hop, and what an idle daemon costs its node.
#: Validator: seconds between polls; one eth_blockNumber when no block is new.
VALIDATOR_POLL = 0.1
#: Relayer: seconds between turns while nothing is on its way.
RELAYER_POLL = 0.25
#: Relayer: seconds between turns while a message seen in the last FAST_WINDOW seconds waits
#: for its signatures (due within a validator poll).
RELAYER_FAST_POLL = 0.05
FAST_WINDOW = 10.0


class ConfigError(InputError):
    """The config file is missing something; the message says what."""


@dataclass(frozen=True)
class ChainConfig:
    """One chain the bus links."""

    name: str
    rpc: str
    bus: str
    chain_id: int | None = None
    codehash: str | None = None


@dataclass(frozen=True)
class Announcements:
    """Where validators announce their signature endpoints: a chain's DIDRegistry."""

    chain: str
    did_registry: str


@dataclass(frozen=True)
class BusConfig:
    """All chains, the signature directory and the relayer database."""

    chains: dict[str, ChainConfig]
    signatures: Path
    database: Path
    announcements: Announcements | None = None

    def chain(self, name: str) -> ChainConfig:
        if name not in self.chains:
            raise ConfigError(f"unknown chain {name!r}; configured: {', '.join(self.chains)}")
        return self.chains[name]

    def to_json(self) -> dict[str, Any]:
        chains: dict[str, Any] = {}
        for c in self.chains.values():
            spec: dict[str, Any] = {"rpc": c.rpc, "bus": c.bus}
            if c.chain_id is not None:
                spec["chain_id"] = c.chain_id
            if c.codehash is not None:
                spec["codehash"] = c.codehash
            chains[c.name] = spec
        data: dict[str, Any] = {
            "chains": chains,
            "signatures": str(self.signatures),
            "database": str(self.database),
        }
        if self.announcements is not None:
            data["announcements"] = {
                "chain": self.announcements.chain,
                "did_registry": self.announcements.did_registry,
            }
        return data

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")


def _chain(file: Path, name: str, spec: Any) -> ChainConfig:
    if not isinstance(spec, dict) or "rpc" not in spec or "bus" not in spec:
        raise ConfigError(f"{file}: chain {name!r} needs rpc and bus")
    if not is_hex_address(str(spec["bus"])):
        raise ConfigError(f"{file}: chain {name!r}: bus {spec['bus']!r} is not an address")
    chain_id = spec.get("chain_id")
    if chain_id is not None and (isinstance(chain_id, bool) or not isinstance(chain_id, int)):
        raise ConfigError(f"{file}: chain {name!r}: chain_id must be an integer")
    codehash = spec.get("codehash")
    if codehash is not None and not CODEHASH.match(str(codehash)):
        raise ConfigError(f"{file}: chain {name!r}: codehash must be 0x and 64 hex digits")
    return ChainConfig(
        name, str(spec["rpc"]), str(spec["bus"]), chain_id,
        None if codehash is None else str(codehash),
    )  # fmt: skip


def load_config(path: Path | str) -> BusConfig:
    """Read and check a config file; relative paths are relative to the file."""
    file = Path(path)
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read bus config {file}: {err}") from err
    base = file.parent
    try:
        chains = {name: _chain(file, name, spec) for name, spec in data["chains"].items()}
        signatures = base / str(data["signatures"])
        database = base / str(data.get("database", "relay.sqlite"))
    except (KeyError, TypeError, AttributeError) as err:
        raise ConfigError(f"{file}: needs chains (rpc, bus per chain) and signatures") from err
    if len(chains) < 2:
        raise ConfigError(f"{file}: a bus links at least two chains")
    announcements = None
    if data.get("announcements") is not None:
        spec = data["announcements"]
        if (
            not isinstance(spec, dict)
            or spec.get("chain") not in chains
            or not is_hex_address(str(spec.get("did_registry")))
        ):
            raise ConfigError(
                f"{file}: announcements needs chain (a configured chain) and did_registry"
            )
        announcements = Announcements(
            str(spec["chain"]), to_checksum_address(str(spec["did_registry"]))
        )
    return BusConfig(chains, signatures, database, announcements)
