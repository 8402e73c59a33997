"""What a suite deployment is made of: its contracts, and what the Consortium is seeded with.

:data:`CONTRACT_NAMES` are the suite's contracts in deployment order (the
contract types of :data:`trustspace.artifacts.DEPLOYABLE`); :class:`SuiteConfig`
is the founding organisations and threshold, read from JSON
(``deployments/consortium.example.json``) or made by :func:`local_config` for the
local chains.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils.address import to_checksum_address

from trustspace.consortium.constants import OrgKind
from trustspace.consortium.governance import OrgSeed
from trustspace.deploy.records import DeploymentError

__all__ = [
    "CONTRACT_NAMES",
    "LOCAL_AGENCIES",
    "PROPOSAL_LIFETIME",
    "RECIPIENT_GAS",
    "SUITE",
    "ZERO_ADDRESS",
    "OrgSpec",
    "SuiteConfig",
    "address_of",
    "local_config",
]

#: Deployable contracts in deployment order, with the ones each needs first.
SUITE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Consortium", ()),
    ("DIDRegistryFactory", ()),
    ("DIDRegistry", ("DIDRegistryFactory",)),
    ("Notary", ("Consortium",)),
    ("MessageBus", ("Consortium",)),
    ("HubLink", ("Consortium", "MessageBus")),
    ("Computations", ("Consortium",)),
    ("CredentialRegistry", ("Consortium",)),
    ("DataService", ("Consortium",)),
)
#: The suite's contract names, in deployment order.
CONTRACT_NAMES: tuple[str, ...] = tuple(name for name, _ in SUITE)

#: Agencies of the local default consortium, admins from anvil's test accounts 1-5.
LOCAL_AGENCIES: tuple[tuple[str, OrgKind], ...] = (
    ("Customs Authority", OrgKind.CUSTOMS),
    ("Tax Administration", OrgKind.TAX),
    ("Maritime Authority", OrgKind.MARITIME),
    ("Foreign Exchange Office", OrgKind.FOREX),
    ("Ministry of Trade", OrgKind.MINISTRY),
)
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: Gas the bus gives a recipient per delivered message (its constructor argument).
RECIPIENT_GAS = 200_000
#: How long a proposal stays open unless the config says otherwise (seconds).
PROPOSAL_LIFETIME = 7 * 86400


@dataclass(frozen=True)
class OrgSpec:
    """A founding organisation: name, kind, admin accounts, DID identity address."""

    name: str
    kind: OrgKind
    admins: tuple[str, ...]
    did: str = ZERO_ADDRESS

    def seed(self) -> OrgSeed:
        """The governance seed for the Consortium constructor."""
        return OrgSeed(self.name, self.kind, list(self.admins), self.did)


@dataclass(frozen=True)
class SuiteConfig:
    """What the Consortium is seeded with (and later suite-wide settings)."""

    organisations: tuple[OrgSpec, ...]
    threshold: int
    proposal_lifetime: int = PROPOSAL_LIFETIME
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SuiteConfig:
        """Parse the JSON form (see ``deployments/consortium.example.json``)."""
        kinds = ", ".join(k.name.lower() for k in OrgKind)
        organisations = data.get("organisations") if isinstance(data, Mapping) else None
        for org in organisations if isinstance(organisations, list) else []:
            kind = org.get("kind") if isinstance(org, Mapping) else None
            if kind is not None and str(kind).upper() not in OrgKind.__members__:
                raise DeploymentError(
                    f"bad suite config: organisation {org.get('name')!r} has unknown kind "
                    f"{kind!r}; use one of {kinds}"
                )
        try:
            orgs = tuple(
                OrgSpec(
                    name=str(o["name"]),
                    kind=OrgKind[str(o["kind"]).upper()],
                    admins=tuple(to_checksum_address(a) for a in o["admins"]),
                    did=to_checksum_address(o.get("did") or ZERO_ADDRESS),
                )
                for o in data["organisations"]
            )
            config = cls(
                organisations=orgs,
                threshold=int(data["threshold"]),
                proposal_lifetime=int(data.get("proposal_lifetime", PROPOSAL_LIFETIME)),
                extra={
                    k: v
                    for k, v in data.items()
                    if k not in ("organisations", "threshold", "proposal_lifetime")
                },
            )
        except KeyError as err:
            raise DeploymentError(
                f"bad suite config: {err} is missing (see deployments/consortium.example.json)"
            ) from err
        except (TypeError, ValueError) as err:
            raise DeploymentError(
                f"bad suite config: {err} (see deployments/consortium.example.json)"
            ) from err
        config.check()
        return config

    @classmethod
    def load(cls, path: Path | str) -> SuiteConfig:
        """Read a JSON suite config file."""
        try:
            data = json.loads(Path(path).read_text())
        except OSError as err:
            raise DeploymentError(f"cannot read suite config {path}: {err}") from err
        except ValueError as err:
            raise DeploymentError(
                f"suite config {path} is not JSON ({err}); see deployments/consortium.example.json"
            ) from err
        if not isinstance(data, Mapping):
            raise DeploymentError(
                f"suite config {path} must be a JSON object; "
                "see deployments/consortium.example.json"
            )
        return cls.from_json(data)

    @property
    def hub_chain(self) -> int:
        """Chain id of the hub whose organisation decisions this chain follows (``hub_chain``
        in the JSON; 0, the default: this chain is the hub, or governs itself alone)."""
        return int(self.extra.get("hub_chain", 0))

    @property
    def hub_link(self) -> str | None:
        """The hub's HubLink (``hub_link`` in the JSON); when absent, the deployer takes it
        from the hub's deployment record in the same folder."""
        value = self.extra.get("hub_link")
        return to_checksum_address(value) if value else None

    @property
    def hub_network(self) -> str | None:
        """The hub's network name in the deployment records (``hub_network`` in the JSON,
        e.g. ``ethereum:hub``); without it the hub's record is the one record of its chain."""
        value = self.extra.get("hub_network")
        return str(value) if value else None

    @property
    def recipient_gas(self) -> int:
        """Gas the MessageBus gives each recipient (``recipient_gas`` in the JSON)."""
        return int(self.extra.get("recipient_gas", RECIPIENT_GAS))

    def check(self) -> None:
        """Refuse what the Consortium constructor would reject, before paying for it."""
        if not self.organisations:
            raise DeploymentError("the suite config names no organisation")
        with_admins = sum(1 for org in self.organisations if org.admins)
        if not 1 <= self.threshold <= with_admins:
            raise DeploymentError(
                f"threshold {self.threshold} must be between 1 and the {with_admins} "
                "organisations that have admins"
            )

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "organisations": [
                {
                    "name": o.name,
                    "kind": o.kind.name.lower(),
                    "admins": list(o.admins),
                    "did": o.did,
                }
                for o in self.organisations
            ],
            "threshold": self.threshold,
            "proposal_lifetime": self.proposal_lifetime,
            **dict(self.extra),
        }


def local_config(
    admins: Sequence[Any],
    dids: Sequence[Any] | None = None,
    threshold: int = 3,
    agencies: Sequence[tuple[str, OrgKind]] = LOCAL_AGENCIES,
    hub_chain: int = 0,
    hub_network: str | None = None,
) -> SuiteConfig:
    """One organisation per agency (by default :data:`LOCAL_AGENCIES`: customs, tax,
    maritime, forex, ministry), one admin each (accounts or addresses), k of them; with
    ``hub_chain`` the chain follows that hub's organisation decisions."""
    dids = dids if dids is not None else [ZERO_ADDRESS] * len(agencies)
    return SuiteConfig(
        organisations=tuple(
            OrgSpec(name, kind, (address_of(admin),), address_of(did))
            for (name, kind), admin, did in zip(agencies, admins, dids, strict=True)
        ),
        threshold=threshold,
        extra={k: v for k, v in (("hub_chain", hub_chain), ("hub_network", hub_network)) if v},
    )


def address_of(value: Any) -> str:
    """The checksummed address of an account, a contract or an address string."""
    return to_checksum_address(str(getattr(value, "address", value)))
