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
        The hub also decides each chain's validator committee (`set_committee`):
        the committee travels on the same ordered lane, a domain link keeps only
        its hash (cheap enough for the recipient gas cap), and anyone then applies
        it (`apply_committee`), which makes the domain's Consortium record the keys
        as validators of their organisations and set its bus's validator set.
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
    def follow_committee(
        origin: uint256,
        origin_bus: address,
        keys: DynArray[address, _MAX_KEYS],
        orgs: DynArray[uint256, _MAX_KEYS],
        threshold: uint8,
    ): nonpayable


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


# @dev Most keys in a committee the hub decides.
_MAX_KEYS: constant(uint256) = 16


# @dev Most origins the hub keeps a committee for.
_MAX_COMMITTEES: constant(uint256) = 16


# @dev Words of a message: seq, proposal id, reason, first organisation id, then one per
#      organisation; a committee (first 0): origin, origin bus, threshold, keys, organisations.
_MESSAGE_WORDS: constant(uint256) = 7 + 2 * _MAX_KEYS


# @dev Largest message body: (uint256[], string[]) abi-encoded (words of a committee, or names of at most 64 bytes).
_MAX_MESSAGE: constant(uint256) = 2_400


struct _Organisation:
    name: String[64]
    kind: uint8
    status: uint8
    did: address


struct Committee:
    origin_bus: address
    keys: DynArray[address, _MAX_KEYS]
    orgs: DynArray[uint256, _MAX_KEYS]
    threshold: uint8


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


# @dev Hub: the committee decided for each origin chain (bootstrapped to a domain registered later).
committee: public(HashMap[uint256, Committee])


# @dev Hub: origin chains that have a committee, in the order first decided.
_committee_origins: DynArray[uint256, _MAX_COMMITTEES]


# @dev Domain: keccak256(abi_encode(origin_bus, keys, orgs, threshold)) of the hub's latest
#      committee for an origin not yet applied (zero: none pending).
pending_committee: public(HashMap[uint256, bytes32])


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


# @dev Hub: the committee of an origin chain was decided (sent to every other domain chain).
event CommitteeSet:
    origin: indexed(uint256)
    origin_bus: address
    keys: DynArray[address, _MAX_KEYS]
    orgs: DynArray[uint256, _MAX_KEYS]
    threshold: uint8


# @dev Hub: a committee was sent to a domain chain.
event CommitteeSent:
    chain_id: indexed(uint256)
    seq: indexed(uint256)
    origin: indexed(uint256)


# @dev Domain: the hub's committee for `origin` arrived; `apply_committee` with its preimage applies it.
event CommitteePending:
    seq: indexed(uint256)
    origin: indexed(uint256)
    digest: bytes32


# @dev Domain: a pending committee was applied (`caller` paid for it).
event CommitteeApplied:
    origin: indexed(uint256)
    digest: bytes32
    caller: address


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
    for origin: uint256 in self._committee_origins:
        if origin != chain_id:
            self._send_committee(chain_id, origin)


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
@view
def committee_origins() -> DynArray[uint256, _MAX_COMMITTEES]:
    """
    @notice Hub: the origin chains the hub decided a committee for.
    @return Chain ids, in the order first decided.
    """
    return self._committee_origins


@external
def set_committee(
    origin: uint256,
    origin_bus: address,
    keys: DynArray[address, _MAX_KEYS],
    orgs: DynArray[uint256, _MAX_KEYS],
    threshold: uint8,
):
    """
    @notice Hub: decide the validator committee that signs `origin`'s checkpoints, and send
            it to every registered domain chain but `origin` itself.
    @dev Consortium only (a CALL proposal). The committee replaces the previous one of that
         origin; a domain applies it with `apply_committee` once it arrived.
    @param origin The chain whose bus the committee signs for.
    @param origin_bus That chain's MessageBus.
    @param keys Validator keys, strictly increasing.
    @param orgs The hub organisation of each key.
    @param threshold Distinct organisations a checkpoint needs (1 .. distinct organisations).
    """
    assert msg.sender == consortium, "hublink: not consortium"
    assert hub_chain == 0, "hublink: not the hub"
    assert origin != 0 and origin <= 4_294_967_295, "hublink: bad origin"
    assert origin_bus != empty(address), "hublink: zero address"
    assert len(keys) != 0 and len(orgs) == len(keys), "hublink: bad committee"
    total: uint256 = staticcall _Consortium(consortium).org_count()
    last: uint256 = 0
    seen: uint256 = 0
    distinct: uint256 = 0
    for i: uint256 in range(_MAX_KEYS):
        if i >= len(keys):
            break
        key: uint256 = convert(keys[i], uint256)
        assert key > last, "hublink: keys not increasing"
        last = key
        assert orgs[i] != 0 and orgs[i] <= total, "hublink: unknown organisation"
        if seen & (1 << orgs[i]) == 0:
            seen |= 1 << orgs[i]
            distinct += 1
    assert threshold != 0 and convert(threshold, uint256) <= distinct, "hublink: bad threshold"
    if self.committee[origin].threshold == 0:
        assert len(self._committee_origins) < _MAX_COMMITTEES, "hublink: too many committees"
        self._committee_origins.append(origin)
    self.committee[origin] = Committee(origin_bus=origin_bus, keys=keys, orgs=orgs, threshold=threshold)
    log CommitteeSet(origin=origin, origin_bus=origin_bus, keys=keys, orgs=orgs, threshold=threshold)
    for domain: uint256 in self._domains:
        if domain != origin:
            self._send_committee(domain, origin)


@external
def apply_committee(
    origin: uint256,
    origin_bus: address,
    keys: DynArray[address, _MAX_KEYS],
    orgs: DynArray[uint256, _MAX_KEYS],
    threshold: uint8,
):
    """
    @notice Domain: apply the hub's pending committee for `origin` (anyone may call).
    @dev The arguments must be the committee the hub sent (its hash is pending). The
         Consortium records the keys and sets the bus's validator set; if that reverts
         (say the origin's bus differs from the one already set here) this reverts with
         it and the committee stays pending.
    @param origin The chain whose bus the committee signs for.
    @param origin_bus That chain's MessageBus.
    @param keys Validator keys, strictly increasing.
    @param orgs The organisation of each key.
    @param threshold Distinct organisations a checkpoint needs.
    """
    digest: bytes32 = keccak256(abi_encode(origin_bus, keys, orgs, threshold))
    assert self.pending_committee[origin] != empty(bytes32), "hublink: no pending committee"
    assert self.pending_committee[origin] == digest, "hublink: not the pending committee"
    self.pending_committee[origin] = empty(bytes32)
    extcall _Consortium(consortium).follow_committee(origin, origin_bus, keys, orgs, threshold)
    log CommitteeApplied(origin=origin, digest=digest, caller=msg.sender)


@external
def handle(origin: uint32, sender: address, body: Bytes[_MAX_MESSAGE]):
    """
    @notice Domain: apply a message from the hub's link (IMessageRecipient).
    @dev The bus delivers the ordered lane in order and once; the sequence check makes
         anything else revert, so the delivery waits instead of applying out of order.
    @param origin Chain the message comes from (must be the hub).
    @param sender Its sender there (must be the hub's link).
    @param body abi-encoded (uint256[] words, string[] names): words are seq, hub
                proposal id, reason, first organisation id, then per organisation its
                state (status | kind << 8 | did << 16, or status | 1 << 200 when only the
                status changed). With first organisation id 0 and no names, a committee:
                origin, origin bus, threshold, then n keys and n organisations.
    """
    assert msg.sender == bus, "hublink: not our bus"
    assert hub_chain != 0 and convert(origin, uint256) == hub_chain and sender == hub_peer, "hublink: not the hub"
    words: DynArray[uint256, _MESSAGE_WORDS] = []
    names: DynArray[String[64], _CHUNK] = []
    words, names = abi_decode(body, (DynArray[uint256, _MESSAGE_WORDS], DynArray[String[64], _CHUNK]))
    assert len(words) >= 4, "hublink: malformed message"
    seq: uint256 = words[0]
    assert seq == self.applied_seq + 1, "hublink: message out of order"
    self.applied_seq = seq
    first: uint256 = words[3]
    if first == 0:
        self._hold_committee(seq, words, len(names))
        return
    assert len(words) == 4 + len(names), "hublink: malformed message"
    for i: uint256 in range(_CHUNK):
        if i >= len(names):
            break
        extcall _Consortium(consortium).follow(first + i, names[i], words[4 + i], words[1], convert(words[2], bytes32))
    log StateApplied(seq=seq, first=first, count=len(names), proposal_id=words[1])


@internal
def _hold_committee(seq: uint256, words: DynArray[uint256, _MESSAGE_WORDS], names: uint256):
    """
    @dev Domain: keep only the hash of a committee message, so that receiving it fits the
         recipient gas cap; `apply_committee` does the work.
    """
    count: uint256 = (len(words) - 7) // 2
    assert (
        names == 0
        and len(words) >= 9
        and len(words) % 2 == 1
        and words[4] != 0
        and words[5] >> 160 == 0
        and words[6] >> 8 == 0
    ), "hublink: malformed message"
    keys: DynArray[address, _MAX_KEYS] = []
    orgs: DynArray[uint256, _MAX_KEYS] = []
    for i: uint256 in range(_MAX_KEYS):
        if i >= count:
            break
        assert words[7 + i] >> 160 == 0, "hublink: malformed message"
        keys.append(convert(convert(words[7 + i], uint160), address))
        orgs.append(words[7 + count + i])
    origin_bus: address = convert(convert(words[5], uint160), address)
    digest: bytes32 = keccak256(abi_encode(origin_bus, keys, orgs, convert(words[6], uint8)))
    self.pending_committee[words[4]] = digest
    log CommitteePending(seq=seq, origin=words[4], digest=digest)


@internal
def _send_committee(domain: uint256, origin: uint256):
    """
    @dev Hub: dispatch the stored committee of `origin` to `domain`'s link on the ordered
         lane, with that domain's next sequence number (organisation id 0 marks it).
    """
    seq: uint256 = self.sent_seq[domain] + 1
    self.sent_seq[domain] = seq
    c: Committee = self.committee[origin]
    words: DynArray[uint256, _MESSAGE_WORDS] = [
        seq, 0, 0, 0, origin, convert(c.origin_bus, uint256), convert(c.threshold, uint256)
    ]
    for key: address in c.keys:
        words.append(convert(key, uint256))
    for org: uint256 in c.orgs:
        words.append(org)
    names: DynArray[String[64], _CHUNK] = []
    body: Bytes[_MAX_MESSAGE] = abi_encode(words, names)
    extcall _Bus(bus).dispatchOrdered(convert(domain, uint32), self.domain_link[domain], body)
    log CommitteeSent(chain_id=domain, seq=seq, origin=origin)


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
