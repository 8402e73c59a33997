# pragma version 0.4.3
# pragma nonreentrancy off
"""
@title HubLink
@license Apache-2.0
@notice Carries the hub's organisation decisions to the domain chains. On the hub,
        the Consortium announces every change of an organisation (added,
        suspended, reinstated, removed, new DID) and the link sends the
        organisation's new state to every registered domain chain on the
        MessageBus's ordered lane; a domain registered later first receives the
        hub's whole organisation table. On a domain chain, the link accepts
        messages only from the hub's link on the hub chain, applies them in
        order and once (a sequence number per domain), and hands each state to
        its Consortium (`follow`), which no local proposal can override.
@custom:security The domain link trusts exactly one sender: the hub chain id and
        the hub link address are immutables chosen at deployment, and its own
        Consortium binds to it once (BIND). The bus proves a message's origin
        and sender from a validator-signed checkpoint; the ordered lane and the
        sequence check make a gap wait and a replay revert. A message carries
        states, not operations, so it always applies; it is bounded to _CHUNK
        organisations so that applying one fits the bus's recipient gas cap.
        Registering and removing domains is a Consortium proposal on the hub
        (a CALL), so it needs the hub's k-of-n.
"""


interface _Consortium:
    def organisation(org_id: uint256) -> _Organisation: view
    def org_count() -> uint256: view
    def follow(org_id: uint256, name: String[64], state: uint256, proposal_id: uint256, reason: bytes32): nonpayable


interface _Bus:
    def dispatchOrdered(destination: uint32, recipient: address, body: Bytes[_MAX_MESSAGE]) -> bytes32: nonpayable
    def destinationBus(destination: uint32) -> address: view


# @dev Most domain chains one hub sends decisions to.
_MAX_DOMAINS: constant(uint256) = 16


# @dev Organisations per message: a snapshot goes in chunks this size, so that applying
#      one stays inside the bus's recipient gas cap (200,000 by default).
_CHUNK: constant(uint256) = 8


# @dev Flag in an organisation state: only the status changed (name empty, kind and DID stay).
_STATUS_ONLY: constant(uint256) = 1 << 200


# @dev Most organisations a Consortium holds (its _MAX_ORGS).
_MAX_ORGS: constant(uint256) = 64


# @dev Words of a message: seq, proposal id, reason, first organisation id, then two per organisation.
_MESSAGE_WORDS: constant(uint256) = 4 + 2 * _CHUNK


# @dev Largest message body: (uint256[], string[]) abi-encoded, names of at most 64 bytes.
_MAX_MESSAGE: constant(uint256) = 2_048


struct _Organisation:
    name: String[64]
    kind: uint8
    status: uint8
    did: address


# @dev The Consortium of this chain (the only caller of the hub-side functions).
consortium: public(immutable(address))


# @dev The MessageBus of this chain.
bus: public(immutable(address))


# @dev Chain id of the hub (0: this link is the hub's).
hub_chain: public(immutable(uint256))


# @dev The hub's HubLink (zero on the hub): the only sender a domain link accepts.
hub_peer: public(immutable(address))


# @dev Domain: sequence number of the last message applied.
applied_seq: public(uint256)


# @dev Hub: sequence number of the last message sent to each domain chain.
sent_seq: public(HashMap[uint256, uint256])


# @dev Hub: the HubLink of each registered domain chain (zero: not registered).
domain_link: public(HashMap[uint256, address])


# @dev Hub: registered domain chains, in registration order.
_domains: DynArray[uint256, _MAX_DOMAINS]


# @dev Hub: a domain chain was registered (link set) or removed (link zero).
event DomainChanged:
    chain_id: indexed(uint256)
    link: address


# @dev Hub: organisations first .. first + count - 1 were sent to a domain chain.
event StateSent:
    chain_id: indexed(uint256)
    seq: indexed(uint256)
    first: uint256
    count: uint256
    proposal_id: uint256


# @dev Domain: a hub message was applied (proposal_id is the hub's).
event StateApplied:
    seq: indexed(uint256)
    first: uint256
    count: uint256
    proposal_id: uint256


@deploy
def __init__(consortium_: address, bus_: address, hub_chain_: uint256, hub_peer_: address):
    """
    @notice Link a chain's Consortium and bus to the hub.
    @param consortium_ This chain's Consortium.
    @param bus_ This chain's MessageBus.
    @param hub_chain_ Chain id of the hub (0: this chain is the hub).
    @param hub_peer_ The hub's HubLink (zero on the hub).
    """
    assert consortium_ != empty(address) and bus_ != empty(address), "hublink: zero address"
    assert (hub_chain_ == 0) == (hub_peer_ == empty(address)), "hublink: hub chain and peer go together"
    assert hub_chain_ != chain.id and hub_chain_ <= 4_294_967_295, "hublink: bad hub chain"
    consortium = consortium_
    bus = bus_
    hub_chain = hub_chain_
    hub_peer = hub_peer_


@external
@view
def domains() -> DynArray[uint256, _MAX_DOMAINS]:
    """
    @notice Hub: the domain chains organisation decisions are sent to.
    @return Chain ids, in registration order (a removal moves the last into its place).
    """
    return self._domains


@external
def add_domain(chain_id: uint256, link: address):
    """
    @notice Hub: register a domain chain and send it the hub's whole organisation table.
    @dev Consortium only (a CALL proposal). The bus must already route to that chain.
    @param chain_id The domain chain.
    @param link The HubLink deployed there.
    """
    assert msg.sender == consortium, "hublink: not consortium"
    assert hub_chain == 0, "hublink: not the hub"
    assert chain_id != 0 and chain_id != chain.id and chain_id <= 4_294_967_295, "hublink: bad domain chain"
    assert link != empty(address), "hublink: zero link"
    assert self.domain_link[chain_id] == empty(address), "hublink: domain registered"
    assert staticcall _Bus(bus).destinationBus(convert(chain_id, uint32)) != empty(address), "hublink: no route"
    self.domain_link[chain_id] = link
    self._domains.append(chain_id)
    log DomainChanged(chain_id=chain_id, link=link)
    total: uint256 = staticcall _Consortium(consortium).org_count()
    first: uint256 = 1
    for _: uint256 in range(_MAX_ORGS // _CHUNK):
        if first > total:
            break
        self._send(chain_id, first, min(_CHUNK, total + 1 - first), False, 0, empty(bytes32))
        first += _CHUNK


@external
def remove_domain(chain_id: uint256):
    """
    @notice Hub: stop sending decisions to a domain chain.
    @dev Consortium only (a CALL proposal). Registering it again later sends a fresh
         snapshot on the same ordered lane, so it catches up without a gap.
    @param chain_id The domain chain.
    """
    assert msg.sender == consortium, "hublink: not consortium"
    assert self.domain_link[chain_id] != empty(address), "hublink: domain not registered"
    self.domain_link[chain_id] = empty(address)
    for i: uint256 in range(_MAX_DOMAINS):
        if self._domains[i] == chain_id:
            self._domains[i] = self._domains[len(self._domains) - 1]
            self._domains.pop()
            break
    log DomainChanged(chain_id=chain_id, link=empty(address))


@external
def announce(org_id: uint256, status_only: bool, proposal_id: uint256, reason: bytes32):
    """
    @notice Hub: send an organisation's new state to every registered domain chain.
    @dev Consortium only: it calls this after each organisation change it executes.
    @param org_id The organisation that changed.
    @param status_only Only its status changed (suspended, reinstated, removed): the
                       message then carries the status alone, which is cheaper to apply.
    @param proposal_id The proposal that changed it.
    @param reason That proposal's reason hash.
    """
    assert msg.sender == consortium, "hublink: not consortium"
    for domain: uint256 in self._domains:
        self._send(domain, org_id, 1, status_only, proposal_id, reason)


@external
def handle(origin: uint32, sender: address, body: Bytes[_MAX_MESSAGE]):
    """
    @notice Domain: apply a message from the hub's link (IMessageRecipient).
    @dev The bus delivers the ordered lane in order and once; the sequence check makes
         anything else revert, so the delivery waits instead of applying out of order.
    @param origin Chain the message comes from (must be the hub).
    @param sender Its sender there (must be the hub's link).
    @param body abi-encoded (bytes32[] words, string[] names): words are seq, hub
                proposal id, reason, first organisation id, then per organisation its
                state (status | kind << 8 | did << 16, or status | 1 << 200 when only the
                status changed).
    """
    assert msg.sender == bus, "hublink: not our bus"
    assert hub_chain != 0 and convert(origin, uint256) == hub_chain and sender == hub_peer, "hublink: not the hub"
    words: DynArray[uint256, _MESSAGE_WORDS] = []
    names: DynArray[String[64], _CHUNK] = []
    words, names = abi_decode(body, (DynArray[uint256, _MESSAGE_WORDS], DynArray[String[64], _CHUNK]))
    assert len(words) == 4 + len(names), "hublink: malformed message"
    seq: uint256 = words[0]
    assert seq == self.applied_seq + 1, "hublink: message out of order"
    self.applied_seq = seq
    first: uint256 = words[3]
    for i: uint256 in range(_CHUNK):
        if i >= len(names):
            break
        extcall _Consortium(consortium).follow(first + i, names[i], words[4 + i], words[1], convert(words[2], bytes32))
    log StateApplied(seq=seq, first=first, count=len(names), proposal_id=words[1])


@internal
def _send(
    domain: uint256, first: uint256, count: uint256, status_only: bool, proposal_id: uint256, reason: bytes32
):
    """
    @dev Dispatch the state of organisations first .. first + count - 1 to `domain`'s
         link on the ordered lane, with that domain's next sequence number.
    """
    seq: uint256 = self.sent_seq[domain] + 1
    self.sent_seq[domain] = seq
    words: DynArray[uint256, _MESSAGE_WORDS] = [seq, proposal_id, convert(reason, uint256), first]
    names: DynArray[String[64], _CHUNK] = []
    for i: uint256 in range(_CHUNK):
        if i >= count:
            break
        org: _Organisation = staticcall _Consortium(consortium).organisation(first + i)
        if status_only:
            words.append(convert(org.status, uint256) | _STATUS_ONLY)
            names.append("")
        else:
            words.append(
                convert(org.status, uint256) | (convert(org.kind, uint256) << 8) | (convert(org.did, uint256) << 16)
            )
            names.append(org.name)
    body: Bytes[_MAX_MESSAGE] = abi_encode(words, names)
    extcall _Bus(bus).dispatchOrdered(convert(domain, uint32), self.domain_link[domain], body)
    log StateSent(chain_id=domain, seq=seq, first=first, count=count, proposal_id=proposal_id)
