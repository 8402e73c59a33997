"""What ``ape console --network …`` starts with (loaded by ``ape_console_extras.py``).

The contracts of the network's deployment record (``consortium``, ``did``,
``notary``, ``bus``) and helpers for governance, notarization and DIDs, each
with a docstring (``helpers()`` lists them). Without a deployment on the
connected chain the contract names hold a :class:`NotDeployed` placeholder
that explains what to do, and the console still starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustspace.consortium.constants import Action, OrgKind, Role
from trustspace.deploy.deployer import Suite, load_suite
from trustspace.deploy.records import DeploymentError

if TYPE_CHECKING:
    from ape.api import ProviderAPI
    from ape.contracts import ContractInstance
    from ape.managers.project import ProjectManager

__all__ = ["CONSOLE_BINDINGS", "NotDeployed", "namespace"]

#: Console name → the suite contract bound to it (one of ``deploy.config.CONTRACT_NAMES``).
CONSOLE_BINDINGS: dict[str, str] = {
    "consortium": "Consortium",
    "did": "DIDRegistry",
    "notary": "Notary",
    "bus": "MessageBus",
    "credentials": "CredentialRegistry",
    "computations": "Computations",
    "data": "DataService",
}


class NotDeployed:
    """Stands in for a contract that has no deployment record on this chain."""

    def __init__(self, name: str, reason: str) -> None:
        self._name = name
        self._reason = reason

    def __repr__(self) -> str:
        return f"<{self._name}: not deployed here — {self._reason}>"

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise RuntimeError(f"{self._name} is not deployed on this chain: {self._reason}")


def namespace(
    project: ProjectManager | None,
    provider: ProviderAPI,
    folder: Path | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The console names for the connected chain; ``say`` prints the greeting or the problem."""
    suite: Suite[ContractInstance] | None
    try:
        suite = load_suite(project, provider, folder)
    except DeploymentError as err:
        suite = None
        reason = str(err)
        say(f"trustspace: {reason}")
    names: dict[str, Any] = {}
    for short, contract in CONSOLE_BINDINGS.items():
        if suite is not None and contract in suite.contracts:
            names[short] = suite.contracts[contract]
        elif suite is not None:
            names[short] = NotDeployed(contract, f"{suite.path.name} has no {contract}")
        else:
            names[short] = NotDeployed(contract, reason)
    names["suite"] = suite
    names.update(_helpers(names))
    names.update({"Role": Role, "OrgKind": OrgKind, "Action": Action})
    if suite is not None:
        bound = ", ".join(
            f"{k}={getattr(v, 'address', '-')}"
            for k, v in names.items()
            if k in CONSOLE_BINDINGS and v
        )
        say(f"trustspace: chain {suite.record.chain_id} from {suite.path.name}: {bound}")
        say("trustspace: helpers() lists the governance, notarization and DID helpers")
    return names


def _helpers(names: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """Helper functions over the bound contracts (closures, so they follow the namespace)."""
    from trustspace.consortium.governance import Governance
    from trustspace.notary.client import NotaryClient

    def gov() -> Governance[Any, Any]:
        """The governance helper over ``consortium`` (propose/approve/execute/enact by name)."""
        return Governance(names["consortium"])

    def organisations() -> None:
        """Print the organisations, their accounts and live roles, and the governance settings."""
        from rich.console import Console

        from trustspace.consortium.tables import consortium_tables

        for table in consortium_tables(names["consortium"]):
            Console().print(table)

    def propose(action: str, *, sender: Any, reason: str = "", **values: Any) -> int:
        """Propose a governance action by name, e.g. ``propose("grant_role", account=a,
        roles=Role.NOTARY, sender=admin, reason="…")``; returns the proposal id."""
        return gov().propose(action, sender=sender, reason=reason, **values)

    def approve(proposal_id: int, *, sender: Any) -> Any:
        """Approve a proposal for the sender's organisation."""
        return gov().approve(proposal_id, sender=sender)

    def execute(proposal_id: int, *, sender: Any) -> Any:
        """Execute a proposal that has approvals from enough distinct organisations."""
        return gov().execute(proposal_id, sender=sender)

    def enact(action: str, *, approvers: Sequence[Any], reason: str = "", **values: Any) -> int:
        """Propose by ``approvers[0]``, approve by the others, execute; returns the id."""
        return gov().enact(action, approvers=approvers, reason=reason, **values)

    def call_proposal(target: Any, function: str, *args: Any, sender: Any, reason: str = "") -> int:
        """Propose that the Consortium calls ``target.function(*args)`` (how every privileged
        change to another contract is made), e.g. ``call_proposal(notary, "deprecateSchema", 3,
        sender=admin)``; returns the proposal id."""
        return gov().propose_call(target, function, *args, sender=sender, reason=reason)

    def notary_client() -> NotaryClient:
        """A ``trustspace.notary.NotaryClient`` over ``notary``."""
        return NotaryClient(names["notary"])

    def attest_file(
        path: str | Path, schema_id: int, *, sender: Any, parent: bytes | None = None
    ) -> bytes:
        """Hash a file (SHA-256, streamed) and attest it; returns the record id."""
        from trustspace.crypto.hashing import hash_file

        record_id, _ = notary_client().attest(
            hash_file(Path(path)), schema_id, sender=sender, parent=parent
        )
        return bytes(record_id)

    def anchor_files(
        paths: Sequence[str | Path], schema_id: int, *, sender: Any
    ) -> tuple[bytes, Any]:
        """Hash files and anchor them as one Merkle batch; returns (batch id, tree)."""
        from trustspace.crypto.hashing import hash_file
        from trustspace.notary.tree import MerkleTree

        tree = MerkleTree([hash_file(Path(p)) for p in paths])
        batch_id, _ = notary_client().anchor_batch(tree, schema_id, sender=sender)
        return batch_id, tree

    def status(record_id: bytes) -> str:
        """The one-call validity of a record: VALID, REVOKED, EXPIRED, ORG_NOT_LIVE or UNKNOWN."""
        return str(notary_client().status(record_id).name)

    def verify_file(path: str | Path, org_id: int) -> str:
        """The status of a file attested alone by organisation ``org_id``."""
        from trustspace.crypto.hashing import hash_file
        from trustspace.notary.tree import record_id

        return status(record_id(hash_file(Path(path)), org_id))

    def trace(record_id: bytes) -> dict[str, Any]:
        """The lineage tree of a record (ancestors on chain, descendants from events)."""
        return dict(notary_client().lineage(record_id).to_json())

    def did_of(address: Any) -> str:
        """The did:ethr of an address on this chain."""
        from trustspace.did.resolver import did_for

        return did_for(
            str(getattr(address, "address", address)), int(names["did"].provider.chain_id)
        )

    def resolve(did_or_address: Any) -> dict[str, Any]:
        """Resolve a did:ethr (or an address) on this chain's registry to its DID document."""
        from trustspace.did.resolver import ApeSource, Resolver

        text = str(getattr(did_or_address, "address", did_or_address))
        did = text if text.startswith("did:") else did_of(text)
        return dict(Resolver([ApeSource(names["did"])]).resolve(did).as_dict())

    def set_service(
        identity: Any, service_type: str, endpoint: str, *, validity: int = 365 * 86400
    ) -> Any:
        """Publish a service endpoint on a DID (sent by the identity's owner)."""
        from trustspace.did.registry import str_to_bytes32

        return names["did"].setAttribute(
            identity, str_to_bytes32(f"did/svc/{service_type}"), endpoint.encode(), validity,
            sender=identity,
        )  # fmt: skip

    def helpers() -> None:
        """List the console helpers with the first line of their docstrings."""
        for name, function in sorted(found.items()):
            doc = (function.__doc__ or "").strip().splitlines()[0]
            print(f"{name:<16} {doc}")

    found: dict[str, Callable[..., Any]] = {
        "gov": gov,
        "organisations": organisations,
        "propose": propose,
        "approve": approve,
        "execute": execute,
        "enact": enact,
        "call_proposal": call_proposal,
        "notary_client": notary_client,
        "attest_file": attest_file,
        "anchor_files": anchor_files,
        "status": status,
        "verify_file": verify_file,
        "trace": trace,
        "did_of": did_of,
        "resolve": resolve,
        "set_service": set_service,
        "helpers": helpers,
    }
    return found
