"""A hub and two domain chains in the in-process EVM, linked by HubLinks over real buses.

All contracts live in one boa EVM; ``on(chain_id)`` runs a block with that chain id (the
``CHAINID`` opcode and the chain id signatures carry), so each chain's bus, Notary and
HubLink behave as on their own chain. Messages the hub's bus dispatches are delivered by
:meth:`HubNetwork.relay`: a Python tree mirrors the hub bus, the validators' test keys
sign its checkpoint, and the destination bus verifies both, exactly as the relayer would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.utils.bus_harness import DELIVERY_GAS, RECIPIENT_GAS, sign
from tests.utils.chain_switch import chain_id_of
from trustspace.bus.checkpoint import Checkpoint
from trustspace.bus.message import Message
from trustspace.bus.tree import MessageTree
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
from trustspace.deploy.hub import Committee, set_committee

HUB = 31337
CUSTOMS = 31338
TAX = 31339
ZERO = "0x" + "00" * 20


@dataclass
class Chain:
    """One chain's suite."""

    chain_id: int
    consortium: Any
    bus: Any
    notary: Any
    link: Any = None

    @property
    def gov(self) -> Governance:
        return Governance(self.consortium)


@dataclass
class HubNetwork:
    """The hub, its domains, and what the hub's bus dispatched so far."""

    env: Any
    hub: Chain
    domains: dict[int, Chain]
    admins: Sequence[Any]
    validators: Sequence[Any]
    relayer: Any
    tree: MessageTree = field(default_factory=MessageTree)
    sent: list[Message] = field(default_factory=list)
    delivered: set[bytes] = field(default_factory=set)

    def on(self, chain_id: int) -> AbstractContextManager[None]:
        """Run the block as chain ``chain_id``."""
        return chain_id_of(self.env, chain_id)

    @contextmanager
    def kept(self) -> Iterator[HubNetwork]:
        """Forget, after the block, the messages the hub sent in it (ape's per-test isolation
        rewinds the chains; this rewinds the Python side with them)."""
        sent, delivered = list(self.sent), set(self.delivered)
        try:
            yield self
        finally:
            self.sent, self.delivered = sent, delivered
            self.tree = MessageTree()
            for message in sent:
                self.tree.append(message.id)

    def record(self, receipt: Any) -> list[Message]:
        """Add the messages a hub transaction dispatched to the mirrored tree."""
        new = [
            Message.decode(bytes(log.message))
            for log in receipt.decode_logs(self.hub.bus.Dispatched)
        ]
        for message in new:
            assert message.nonce == len(self.sent)
            self.sent.append(message)
            self.tree.append(message.id)
        return new

    def enact(self, action: str, approvers: Sequence[Any] | None = None, **values: Any) -> Any:
        """A hub decision (the first two admins approve unless told); its messages recorded."""
        with self.on(HUB):
            decision = self.hub.gov.decide(
                action, approvers=list(approvers or self.admins[:2]), **values
            )
        self.record(decision.executed)
        return decision

    def pending(self, chain_id: int) -> list[Message]:
        return [m for m in self.sent if m.destination == chain_id and m.id not in self.delivered]

    def deliver(self, chain_id: int, message: Message) -> Any:
        """Deliver one hub message on ``chain_id`` under a checkpoint of everything sent."""
        count = len(self.sent)
        cp = Checkpoint(HUB, self.hub.bus.address, self.tree.root(count), count - 1)
        dest = self.domains[chain_id]
        with self.on(chain_id):
            tx = dest.bus.process(
                cp.root, cp.index, sign(cp, list(self.validators)), message.encode(),
                self.tree.proof(message.nonce, count),
                sender=self.relayer, gas_limit=DELIVERY_GAS,
            )  # fmt: skip
        self.delivered.add(message.id)
        return tx

    def relay(self, chain_id: int | None = None) -> list[Any]:
        """Deliver every pending hub message (to one domain, or all), in order."""
        chains = [chain_id] if chain_id is not None else list(self.domains)
        return [self.deliver(c, m) for c in chains for m in self.pending(c)]


def _suite(project: Any, deployer: Any, chain_id: int, seeds: Sequence[OrgSeed]) -> Chain:
    consortium = deploy_consortium(project, deployer, seeds, threshold=2)
    bus = deployer.deploy(project.MessageBus, consortium, RECIPIENT_GAS)
    notary = deployer.deploy(project.Notary, consortium)
    return Chain(chain_id, consortium, bus, notary)


def build_network(
    project: Any,
    deployer: Any,
    env: Any,
    seeds: Sequence[OrgSeed],
    admins: Sequence[Any],
    validators: Sequence[Any],
    relayer: Any,
    domains: Sequence[int] = (CUSTOMS, TAX),
    register: bool = True,
) -> HubNetwork:
    """Deploy and link the hub and ``domains``; ``validators[i]`` is organisation i+1's key.

    With ``register`` the hub registers each domain (its snapshot is recorded, not delivered).
    """
    net = HubNetwork(env, None, {}, admins, validators, relayer)  # type: ignore[arg-type]
    voters = list(admins[:2])
    with net.on(HUB):
        net.hub = _suite(project, deployer, HUB, seeds)
        net.hub.link = deployer.deploy(project.HubLink, net.hub.consortium, net.hub.bus, 0, ZERO)
    for chain_id in domains:
        with net.on(chain_id):
            chain = _suite(project, deployer, chain_id, seeds)
            chain.link = deployer.deploy(
                project.HubLink, chain.consortium, chain.bus, HUB, net.hub.link
            )
            for org_id, key in enumerate(validators, start=1):
                chain.gov.enact("add_account", approvers=voters, org_id=org_id, account=key)
                chain.gov.enact("grant_role", approvers=voters, account=key, roles=Role.VALIDATOR)
            keys = sorted((k.address for k in validators), key=lambda a: int(a, 16))
            chain.gov.decide_call(
                chain.bus, "setValidators", HUB, net.hub.bus.address, keys, 3, approvers=voters
            )
            chain.gov.enact("bind", approvers=voters, target=chain.link)
        net.domains[chain_id] = chain
    with net.on(HUB):
        gov = net.hub.gov
        gov.decide_call(net.hub.bus, "setSender", net.hub.link.address, True, approvers=voters)
        for chain_id, chain in net.domains.items():
            gov.decide_call(
                net.hub.bus, "setDestinationBus", chain_id, chain.bus.address, approvers=voters
            )
        gov.enact("bind", approvers=voters, target=net.hub.link)
    if register:
        for chain_id in domains:
            add_domain(net, chain_id)
    return net


def add_domain(net: HubNetwork, chain_id: int) -> Any:
    """The hub registers a domain (a CALL proposal); its snapshot is recorded."""
    with net.on(HUB):
        decision = net.hub.gov.decide_call(
            net.hub.link, "add_domain", chain_id, net.domains[chain_id].link.address,
            approvers=list(net.admins[:2]),
        )  # fmt: skip
    net.record(decision.executed)
    return decision


def decide_committee(net: HubNetwork, committee: Committee) -> Any:
    """The hub decides a validator committee (a CALL proposal); its messages are recorded."""
    with net.on(HUB):
        decision = set_committee(
            net.hub.gov, net.hub.link, committee, approvers=list(net.admins[:2])
        )
    net.record(decision.executed)
    return decision
