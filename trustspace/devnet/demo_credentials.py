"""The credentials demo: customs issues an AEO certificate to a trading company, tax verifies a
selective-disclosure presentation of the name and AEO level only, customs suspends the
certificate, and tax's verification now fails with "suspended".

:func:`build_stand` sets the scene on the connected chain (ape): a Consortium of customs
and tax (or the one given), the DID registry, the CredentialRegistry; customs' DID is its
admin's address and a clerk's fresh key is its ``veriKey`` delegate; the AEO schema is
registered and customs accredited through CALL proposals; customs' clerk creates a
revocation and a suspension list. :func:`run_demo` plays the story and returns its lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_account import Account

from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
from trustspace.credentials import holder, issuer
from trustspace.credentials.model import Purpose, type_hash
from trustspace.credentials.registry import create_list, set_status
from trustspace.credentials.schemas import SchemaStore, schema_hash
from trustspace.credentials.status import status_entries
from trustspace.credentials.verifier import Verifier
from trustspace.did import registry as reg
from trustspace.did.resolver import ApeSource, Resolver, did_for

__all__ = ["AEO_SCHEMA", "AEO_TYPE", "Stand", "aeo_claims", "build_stand", "run_demo"]

AEO_TYPE = "AEOCertificate"
#: JSON Schema of the AEO certificate the demo issues.
AEO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Authorised Economic Operator certificate",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "eori": {"type": "string", "pattern": "^[A-Z]{2}[0-9A-Z]{1,15}$"},
        "aeoLevel": {"enum": ["AEOC", "AEOS", "AEOF"]},
        "address": {"type": "string"},
    },
    "required": ["name", "eori", "aeoLevel"],
}
YEAR = 365 * 86400
VERIFIER = "https://tax.example/verifier"
CUSTOMS = 1


def aeo_claims(**over: str) -> dict[str, str]:
    """Claims of a valid AEO certificate, some overridden."""
    return {
        "name": "Oceanic Trading Ltd",
        "eori": "GB123456789000",
        "aeoLevel": "AEOF",
        "address": "1 Dock Road",
        **over,
    }


@dataclass
class Stand:
    """Everything the story needs, on one chain."""

    consortium: Any
    did_registry: Any
    registry: Any
    source: Any
    verifier: Verifier
    chain_id: int
    customs_admin: Any
    clerk: Any
    clerk_key: str
    company_key: str
    lists: tuple[int, int]
    next_index: int = 0
    issued: list[str] = field(default_factory=list)

    @property
    def customs_did(self) -> str:
        """The customs authority's DID (its admin's address is the identity)."""
        return did_for(self.customs_admin.address, self.chain_id)

    @property
    def company_did(self) -> str:
        """The trading company's DID."""
        return did_for(Account.from_key(self.company_key).address, self.chain_id)

    def now(self) -> int:
        """The chain's time."""
        return int(self.source.block_timestamp(self.source.latest_block()))

    def status(self, index: int) -> list[Any]:
        """The status entries of a credential at ``index`` in customs' two lists."""
        return status_entries(self.chain_id, str(self.registry.address), *self.lists, index)

    def issue_jwt(self, claims: dict[str, Any] | None = None, **times: int) -> tuple[str, int]:
        """A VC JWT of an AEO certificate to the company; returns it and its status index."""
        index, now = self.next_index, self.now()
        self.next_index += 1
        token = issuer.issue_jwt(
            self.clerk_key,
            self.customs_did,
            self.company_did,
            AEO_TYPE,
            claims or aeo_claims(),
            AEO_SCHEMA,
            self.status(index),
            times.get("issued_at", now),
            times.get("valid_from", now),
            times.get("valid_until", now + YEAR),
        )
        return token, index

    def issue_sd_jwt(self, claims: dict[str, Any] | None = None) -> tuple[str, int]:
        """An SD-JWT VC of the certificate, every claim disclosable; with its status index."""
        index, now = self.next_index, self.now()
        self.next_index += 1
        token = issuer.issue_sd_jwt(
            self.clerk_key,
            self.customs_did,
            issuer.jwk_of(self.company_key),
            AEO_TYPE,
            claims or aeo_claims(),
            ["name", "eori", "aeoLevel", "address"],
            AEO_SCHEMA,
            self.status(index),
            now,
            now,
            now + YEAR,
        )
        return token, index

    def presentation(self, audience: str, nonce: str, token: str | None = None) -> str:
        """A VP JWT by the company of ``token`` (a fresh certificate if None)."""
        token = token or self.issue_jwt()[0]
        return holder.present(
            self.company_key, self.company_did, [token], audience, nonce, self.now()
        )

    def suspend(self, index: int, flag: bool = True) -> None:
        """Customs' clerk suspends (or reinstates) the credential at ``index``."""
        set_status(self.registry, self.lists[1], [index], flag, "demo", self.clerk)

    def revoke(self, index: int) -> None:
        """Customs' clerk revokes the credential at ``index``."""
        set_status(self.registry, self.lists[0], [index], True, "demo", self.clerk)


def _record(source: Any, receipt: Any) -> None:
    if hasattr(source, "record"):  # boa keeps no log index: the test source reads receipts
        source.record(receipt)


def build_stand(
    deployer: Any,
    customs_admin: Any,
    tax_admin: Any,
    clerk: Any,
    consortium: Any = None,
    did_registry: Any = None,
    registry: Any = None,
    approvers: list[Any] | None = None,
    source_factory: Any = ApeSource,
    clerk_key: str | None = None,
    company_key: str | None = None,
) -> Stand:
    """Deploy (or reuse) the contracts on the connected chain and set the scene.

    ``consortium``, ``did_registry`` and ``registry`` (a CredentialRegistry) may be a deployed
    suite's, on the hub: customs must be organisation 1 with ``customs_admin`` as an admin,
    and ``approvers`` (default: customs' and tax's admins) admins of enough organisations to
    pass its threshold. ``clerk`` is the customs account that gets the ISSUER role.
    """
    from ape import chain, project

    from trustspace.deploy.did import deploy_registry

    if consortium is None:
        consortium = deploy_consortium(
            project,
            deployer,
            [
                OrgSeed(
                    "Customs Authority", OrgKind.CUSTOMS, [customs_admin], customs_admin.address
                ),
                OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
            ],
            2,
        )
    gov = Governance(consortium)
    approvers = approvers or [customs_admin, tax_admin]
    if int(consortium.org_by_did(customs_admin.address)) == 0:
        gov.enact("set_did", approvers=approvers, org_id=CUSTOMS, did=customs_admin.address)
    if int(consortium.org_of(clerk)) == 0:
        gov.enact("add_account", approvers=approvers, org_id=CUSTOMS, account=clerk)
    if not consortium.has_role(clerk, int(Role.ISSUER)):
        gov.enact(
            "grant_role", approvers=approvers, account=clerk, roles=int(Role.ISSUER), expiry=0
        )
    did_registry = did_registry or deploy_registry(deployer)
    registry = registry or deployer.deploy(project.CredentialRegistry, consortium)
    source = source_factory(did_registry)
    clerk_key = clerk_key or Account.create().key.hex()
    company_key = company_key or Account.create().key.hex()
    delegate = Account.from_key(clerk_key).address
    _record(
        source,
        did_registry.addDelegate(
            customs_admin, reg.str_to_bytes32("veriKey"), delegate, 10 * YEAR, sender=customs_admin
        ),
    )
    thash, shash = type_hash(AEO_TYPE), schema_hash(AEO_SCHEMA)
    if bytes(registry.schema_type(shash)) != thash:
        gov.decide_call(registry, "register_schema", shash, thash, approvers=approvers)
    now = int(chain.pending_timestamp)
    if not registry.accredited_at(CUSTOMS, thash, shash, now):
        gov.decide_call(
            registry, "accredit", CUSTOMS, thash, shash, now - 60, now + YEAR, approvers=approvers
        )
    lists = (
        create_list(registry, Purpose.REVOCATION, 1, clerk),
        create_list(registry, Purpose.SUSPENSION, 1, clerk),
    )
    verifier = Verifier(
        Resolver([source]),
        consortium,
        registry,
        SchemaStore([AEO_SCHEMA]),
        status_registry=registry,
    )
    return Stand(
        consortium, did_registry, registry, source, verifier, int(chain.chain_id),
        customs_admin, clerk, clerk_key, company_key, lists,
    )  # fmt: skip


def run_demo(stand: Stand) -> list[str]:
    """Play the story on ``stand``; returns one line per step (and raises if a step misbehaves)."""
    lines = []
    sd_jwt, index = stand.issue_sd_jwt()
    lines.append(f"customs issued an AEO certificate (SD-JWT VC) to {stand.company_did}")
    nonce = "tax-request-1"
    shown = holder.present_sd_jwt(
        sd_jwt, ["name", "aeoLevel"], issuer.jwk_of(stand.company_key), VERIFIER, nonce
    )
    verdict = stand.verifier.verify_sd_jwt(shown, VERIFIER, nonce)
    if not verdict.valid or set(verdict.subject) != {"name", "aeoLevel"}:
        raise RuntimeError(f"presentation should verify with two claims: {verdict.as_dict()}")
    shown_claims = ", ".join(f"{k}={verdict.subject[k]}" for k in ("name", "aeoLevel"))
    lines.append(f"tax verified the presentation: {shown_claims} (nothing else disclosed)")
    stand.suspend(index)
    lines.append(f"customs suspended the certificate (list {stand.lists[1]}, entry {index})")
    verdict = stand.verifier.verify_sd_jwt(shown, VERIFIER, nonce)
    if verdict.valid or verdict.reason.value != "suspended":
        raise RuntimeError(f"verification should fail as suspended: {verdict.as_dict()}")
    lines.append(f"tax verified again: {verdict.reason.value}")
    return lines
