"""Two Notaries on two "chains" of the in-process EVM, wired over two real MessageBuses.

``build_pair`` deploys customs (origin) and tax (destination) the way the attack test
``tests/security/test_mirror_parity.py`` does: one Consortium, Notary and MessageBus per
chain, peered by governance, the tax bus trusting three of customs' validator keys. The
chain id is switched for each side (boa's ``CHAINID`` patch), so ``mirror`` dispatches
from 31338 and the tax bus checks deliveries as 31339. ``MirrorPair.deliver`` signs a
checkpoint over the Python copy of customs' message tree and proves a message to the tax
bus, as validators and a relayer would. Used by the Notary unit and attack tests.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from tests.utils.bus_harness import DELIVERY_GAS, RECIPIENT_GAS, sign
from tests.utils.chain_switch import chain_id_of
from trustspace.bus.checkpoint import Checkpoint
from trustspace.bus.message import Message
from trustspace.bus.tree import MessageTree
from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
from trustspace.notary.tree import MerkleTree

__all__ = ["CUSTOMS_CHAIN", "TAX_CHAIN", "MirrorPair", "build_pair"]

CUSTOMS_CHAIN = 31338
TAX_CHAIN = 31339


@dataclass
class MirrorPair:
    """customs → tax mirroring on one in-process EVM (see the module docstring)."""

    env: Any
    origin: Any
    mirror: Any
    bus_origin: Any
    bus_dest: Any
    gov_origin: Any
    gov_dest: Any
    voters: list[Any]
    signers: list[Any]
    relayer: Any
    notary: Any
    schema: int
    messages: list[Message] = field(default_factory=list)

    def on(self, chain_id: int) -> AbstractContextManager[None]:
        """Run the block as chain ``chain_id``."""
        return chain_id_of(self.env, chain_id)

    def call(self, gov: Governance, target: Any, method: str, *args: Any) -> None:
        """Make ``gov``'s Consortium call ``target.method(*args)`` (an approved proposal)."""
        data = getattr(target, method).encode_input(*args)
        gov.enact("call", approvers=self.voters, target=target, data=data)

    def anchor(self, documents: list[bytes], expires_at: int = 0) -> tuple[bytes, MerkleTree]:
        """customs anchors ``documents`` as one batch; returns (batch id, tree)."""
        tree = MerkleTree(documents)
        with self.on(CUSTOMS_CHAIN):
            tx = self.origin.anchorBatch(
                tree.root, tree.size, self.schema, expires_at, sender=self.notary
            )
        return bytes(tx.decode_logs(self.origin.BatchAnchored)[0].id), tree

    def send(self, method: str, *args: Any, sender: Any = None) -> Message:
        """Call ``origin.method(*args)`` on customs; returns the bus message it dispatched."""
        with self.on(CUSTOMS_CHAIN):
            tx = getattr(self.origin, method)(*args, sender=sender or self.notary)
        return self.track(tx)

    def track(self, tx: Any) -> Message:
        """The message ``tx`` dispatched on customs, added to the Python copy of its tree."""
        (dispatched,) = tx.decode_logs(self.bus_origin.Dispatched)
        message = Message.decode(bytes(dispatched.message))
        assert message.nonce == len(self.messages), "messages dispatched outside the pair"
        self.messages.append(message)
        return message

    def mirror_batch(self, batch: bytes) -> Message:
        return self.send("mirror", batch, TAX_CHAIN)

    def revoke(self, batch: bytes, document: bytes, reason: int = 1) -> None:
        """customs revokes ``document`` of ``batch``."""
        with self.on(CUSTOMS_CHAIN):
            self.origin.revokeDocument(batch, document, reason, sender=self.notary)

    def mirror_revocation(
        self, batch: bytes, tree: MerkleTree, document: bytes, index: int
    ) -> Message:
        """customs mirrors the revocation of ``document`` (leaf ``index`` of ``tree``)."""
        proof = tree.proof(index)
        return self.send("mirrorDocumentRevocation", batch, document, index, proof, TAX_CHAIN)

    def deliver(self, message: Message) -> Any:
        """Prove ``message`` to the tax bus under a checkpoint of every message so far."""
        tree = MessageTree()
        for m in self.messages:
            tree.append(m.id)
        n = len(self.messages)
        cp = Checkpoint(CUSTOMS_CHAIN, self.bus_origin.address, tree.root(n), n - 1)
        with self.on(TAX_CHAIN):
            return self.bus_dest.process(
                cp.root, cp.index, sign(cp, self.signers), message.encode(),
                tree.proof(message.nonce, n), sender=self.relayer, gas_limit=DELIVERY_GAS,
            )  # fmt: skip

    def foreign(self, origin_id: bytes) -> bytes:
        """The id of customs' record ``origin_id`` on tax."""
        return bytes(self.mirror.foreignId(CUSTOMS_CHAIN, origin_id))


def build_pair(
    project: Any,
    chain: Any,
    deployer: Any,
    admins: tuple[Any, Any, Any],
    notary: Any,
    signers: list[Any],
    relayer: Any,
) -> MirrorPair:
    """Deploy and wire both chains; ``admins`` are customs', tax's and maritime's admins,
    ``notary`` becomes a customs NOTARY on customs, ``signers`` (three keys of organisations
    1..3) validate customs' checkpoints on tax."""
    env = chain.provider.env
    seeds = [
        OrgSeed("Customs Authority", OrgKind.CUSTOMS, [admins[0]]),
        OrgSeed("Tax Administration", OrgKind.TAX, [admins[1]]),
        OrgSeed("Maritime Authority", OrgKind.MARITIME, [admins[2]]),
    ]
    pair = MirrorPair(
        env, origin=None, mirror=None, bus_origin=None, bus_dest=None, gov_origin=None,
        gov_dest=None, voters=list(admins[:2]), signers=signers, relayer=relayer, notary=notary,
        schema=0,
    )  # fmt: skip
    with pair.on(CUSTOMS_CHAIN):
        c_origin = deploy_consortium(project, deployer, seeds, threshold=2)
        pair.origin = deployer.deploy(project.Notary, c_origin)
        pair.bus_origin = deployer.deploy(project.MessageBus, c_origin, RECIPIENT_GAS)
        pair.gov_origin = Governance(c_origin)
    with pair.on(TAX_CHAIN):
        c_dest = deploy_consortium(project, deployer, seeds, threshold=2)
        pair.mirror = deployer.deploy(project.Notary, c_dest)
        pair.bus_dest = deployer.deploy(project.MessageBus, c_dest, RECIPIENT_GAS)
        pair.gov_dest = Governance(c_dest)
    with pair.on(CUSTOMS_CHAIN):
        gov = pair.gov_origin
        gov.enact("add_account", approvers=pair.voters, org_id=1, account=notary)
        gov.enact("grant_role", approvers=pair.voters, account=notary, roles=Role.NOTARY)
        pair.call(gov, pair.bus_origin, "setSender", pair.origin, True)
        pair.call(gov, pair.bus_origin, "setDestinationBus", TAX_CHAIN, pair.bus_dest)
        pair.call(gov, pair.origin, "setBus", pair.bus_origin)
        pair.call(gov, pair.origin, "setPeer", TAX_CHAIN, pair.mirror)
        pair.schema = int(
            pair.origin.registerSchema("customs-declaration", "1.0", bytes(32), "", sender=notary)
            .return_value
        )  # fmt: skip
    with pair.on(TAX_CHAIN):
        gov = pair.gov_dest
        for org, key in enumerate(signers, start=1):
            gov.enact("add_account", approvers=pair.voters, org_id=org, account=key)
            gov.enact("grant_role", approvers=pair.voters, account=key, roles=Role.VALIDATOR)
        addresses = sorted((k.address for k in signers), key=lambda a: int(a, 16))
        pair.call(gov, pair.bus_dest, "setValidators", CUSTOMS_CHAIN, pair.bus_origin.address,
                  addresses, 2)  # fmt: skip
        pair.call(gov, pair.mirror, "setBus", pair.bus_dest)
        pair.call(gov, pair.mirror, "setPeer", CUSTOMS_CHAIN, pair.origin)
    return pair
