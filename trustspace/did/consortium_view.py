"""The consortium facts about a DID, shown beside (never inside) its DID document.

An identity belongs to an organisation if it is the organisation's DID
address (``org_by_did``) or one of its accounts (``org_of``); for an account
the live roles are listed too. Names come from ``trustspace.consortium.constants``.

The view can be read at any block (``block=``), so that a historical DID
document is shown beside the consortium as it was at that block, not as it is
today; reading an old block needs a node that keeps historical state (an
archive node).
"""

from __future__ import annotations

from typing import Any

from eth_utils.address import to_checksum_address

from trustspace.consortium.constants import OrgKind, OrgStatus, Role
from trustspace.did.resolver import (
    ResolutionError,
    checked_address,
    require_code,
    unreachable,
    view_call,
)

__all__ = ["Web3Consortium", "consortium_view"]


class Web3Consortium:
    """The Consortium views over web3.py, with the same call shape as an ape contract
    (``block_id=`` reads at a block)."""

    def __init__(self, w3: Any, address: str, chain_id: int) -> None:
        from trustspace.artifacts import abi

        self.w3 = w3
        self.address = checked_address(address, "consortium")
        self.chain_id = chain_id
        require_code(w3, self.address, "consortium", chain_id)
        self.contract = w3.eth.contract(address=self.address, abi=abi("Consortium"))

    def deployed_at(self, block: int) -> bool:
        """Whether the consortium's code was on chain at ``block``."""
        try:
            return len(self.w3.eth.get_code(self.address, block_identifier=block)) > 0
        except (OSError, TimeoutError) as err:
            raise unreachable(self.w3, err) from err
        except Exception as err:
            raise ResolutionError(
                f"the node keeps no state for block {block}: consortium {self.address} "
                "can be read there only through an archive node"
            ) from err

    def _call(self, name: str, arg: Any, block_id: int | None) -> Any:
        call = getattr(self.contract.functions, name)(arg)
        what = f"consortium {self.address} on chain {self.chain_id}"
        return view_call(self.w3, call, block_id, what, "a trustspace Consortium")

    def org_by_did(self, identity: str, block_id: int | None = None) -> int:
        return int(self._call("org_by_did", identity, block_id))

    def org_of(self, account: str, block_id: int | None = None) -> int:
        return int(self._call("org_of", account, block_id))

    def roles_of(self, account: str, block_id: int | None = None) -> int:
        return int(self._call("roles_of", account, block_id))

    def organisation(self, org_id: int, block_id: int | None = None) -> Any:
        return self._call("organisation", org_id, block_id)


def _field(org: Any, name: str, index: int) -> Any:
    return getattr(org, name) if hasattr(org, name) else org[index]


def _enum_name(enum: Any, value: int) -> str:
    try:
        return str(enum(value).name)
    except ValueError:
        return f"UNKNOWN({value})"


def consortium_view(
    consortium: Any, identity: str, block: int | None = None
) -> dict[str, Any] | None:
    """Organisation, kind, status and roles of ``identity``; None if it belongs to none.

    ``consortium`` is an ape Consortium contract or a :class:`Web3Consortium`;
    ``block`` reads every fact as of that block (default: the latest).
    """
    at: dict[str, Any] = {} if block is None else {"block_id": block}
    identity = to_checksum_address(identity)
    org_id = int(consortium.org_by_did(identity, **at))
    relation = "did"
    if org_id == 0:
        org_id = int(consortium.org_of(identity, **at))
        relation = "account"
    if org_id == 0:
        return None
    org = consortium.organisation(org_id, **at)
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
    if relation == "account" or int(consortium.org_of(identity, **at)) == org_id:
        flags = Role(int(consortium.roles_of(identity, **at)))
        view["roles"] = [r.name for r in Role if r in flags]
    return view
