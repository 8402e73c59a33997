"""The consortium facts about a DID, shown beside (never inside) its DID document.

An identity belongs to an organisation if it is the organisation's DID
address (``org_by_did``) or one of its accounts (``org_of``); for an account
the live roles are listed too. Names come from ``trustspace.consortium.constants``.
"""

from __future__ import annotations

from typing import Any

from eth_utils.address import to_checksum_address

from trustspace.consortium.constants import OrgKind, OrgStatus, Role


class Web3Consortium:
    """The Consortium views over web3.py, with the same call shape as an ape contract."""

    def __init__(self, w3: Any, address: str) -> None:
        from trustspace.artifacts import abi

        self.contract = w3.eth.contract(address=to_checksum_address(address), abi=abi("Consortium"))

    def org_by_did(self, identity: str) -> int:
        return int(self.contract.functions.org_by_did(identity).call())

    def org_of(self, account: str) -> int:
        return int(self.contract.functions.org_of(account).call())

    def roles_of(self, account: str) -> int:
        return int(self.contract.functions.roles_of(account).call())

    def organisation(self, org_id: int) -> Any:
        return self.contract.functions.organisation(org_id).call()


def _field(org: Any, name: str, index: int) -> Any:
    return getattr(org, name) if hasattr(org, name) else org[index]


def _enum_name(enum: Any, value: int) -> str:
    try:
        return str(enum(value).name)
    except ValueError:
        return f"UNKNOWN({value})"


def consortium_view(consortium: Any, identity: str) -> dict[str, Any] | None:
    """Organisation, kind, status and roles of ``identity``; None if it belongs to none.

    ``consortium`` is an ape Consortium contract or a :class:`Web3Consortium`.
    """
    identity = to_checksum_address(identity)
    org_id = int(consortium.org_by_did(identity))
    relation = "did"
    if org_id == 0:
        org_id = int(consortium.org_of(identity))
        relation = "account"
    if org_id == 0:
        return None
    org = consortium.organisation(org_id)
    view: dict[str, Any] = {
        "organisation": {
            "id": org_id,
            "name": str(_field(org, "name", 0)),
            "kind": _enum_name(OrgKind, int(_field(org, "kind", 1))),
            "status": _enum_name(OrgStatus, int(_field(org, "status", 2))),
            "did": to_checksum_address(_field(org, "did", 3)),
        },
        "relation": relation,
        "roles": [],
    }
    if relation == "account" or int(consortium.org_of(identity)) == org_id:
        flags = Role(int(consortium.roles_of(identity)))
        view["roles"] = [r.name for r in Role if r in flags]
    return view
