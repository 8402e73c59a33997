# pragma version 0.4.3
"""
@title DIDRegistry
@license Apache-2.0
@notice ERC-1056 (did:ethr) identity registry: the same functions, events,
        argument types and signed-message hashes as the reference
        EthereumDIDRegistry, so that unmodified did:ethr resolvers, wallets
        and the ethr-did libraries work against it.
@dev Beyond the reference:
     - an identity whose owner is changed to the zero address is
       deactivated for good: `identityOwner` returns the zero address, no key
       (not even the identity's own) can act for it again, and
       `validDelegate` is false for every delegate;
     - signatures must be canonical (s in the lower half order, v 27/28)
       and must recover to a non-zero address;
     - `validity` overflows revert instead of wrapping.
     Signed-message hashes bind the registry address but not the chain id
     (as in the reference); deploy through DIDRegistryFactory, whose
     CREATE2 salt is the chain id, so that no two chains share a registry
     address and a signature made for one chain fails on every other.
@custom:security Attribute values are bounded at 2,048 bytes (_MAX_VALUE) (the
     reference takes unbounded `bytes`); the ABI type is the same.
     `owners` reads 0 for a deactivated identity, like the
     reference after `changeOwner(identity, 0)`; `identityOwner` differs
     (0 here, the identity itself in the reference).
"""

from interfaces import IDIDRegistry

implements: IDIDRegistry  # the compiler checks every ERC-1056 signature against it

# @dev Longest attribute value accepted (keys, PEM blocks, service JSON).
_MAX_VALUE: constant(uint256) = 2_048

# @dev Bits 0..159 of a record: the owner set by changeOwner (0: none set).
_OWNER_MASK: constant(uint256) = (1 << 160) - 1

# @dev Bits 160..223 of a record: block number of the last change.
_CHANGED_SHIFT: constant(uint256) = 160

# @dev Mask of the changed-block field once shifted down.
_CHANGED_MASK: constant(uint256) = (1 << 64) - 1

# @dev Bit 255 of a record: the identity is deactivated (final).
_DEACTIVATED: constant(uint256) = 1 << 255

# @dev Half the secp256k1 group order: larger `s` values are malleable.
_HALF_ORDER: constant(uint256) = (
    57896044618658097711785492504343953926418782139537452191302581570759080747168
)

# @dev Per identity, packed in one slot: owner | changed block | deactivated.
_records: HashMap[address, uint256]

# @dev identity => keccak256(delegateType) => delegate => valid until (unix time).
delegates: public(HashMap[address, HashMap[bytes32, HashMap[address, uint256]]])

# @dev Signed operations made by each owner key so far (replay protection).
nonce: public(HashMap[address, uint256])


# @dev The owner of `identity` changed; owner 0 deactivates it.
event DIDOwnerChanged:
    identity: indexed(address)
    owner: address
    previousChange: uint256


# @dev A delegate was added (validTo in the future) or revoked (validTo = now).
event DIDDelegateChanged:
    identity: indexed(address)
    delegateType: bytes32
    delegate: address
    validTo: uint256
    previousChange: uint256


# @dev An attribute was set (validTo in the future) or revoked (validTo = 0).
event DIDAttributeChanged:
    identity: indexed(address)
    name: bytes32
    value: Bytes[_MAX_VALUE]
    validTo: uint256
    previousChange: uint256


@external
@view
def identityOwner(identity: address) -> address:
    """
    @notice The key that controls `identity`.
    @param identity The identity address.
    @return The owner set by changeOwner, the identity itself if none was set,
            or the zero address if the identity is deactivated.
    """
    return self._owner_of(identity, self._records[identity])


@external
@view
def owners(identity: address) -> address:
    """
    @notice The owner explicitly set for `identity` (reference public mapping).
    @param identity The identity address.
    @return The owner set by changeOwner, or 0 if none (or deactivated).
    """
    return convert(self._records[identity] & _OWNER_MASK, address)


@external
@view
def changed(identity: address) -> uint256:
    """
    @notice Block number of the last change to `identity` (head of its event list).
    @param identity The identity address.
    @return The block number, or 0 if the identity never changed.
    """
    return (self._records[identity] >> _CHANGED_SHIFT) & _CHANGED_MASK


@external
@view
def validDelegate(identity: address, delegateType: bytes32, delegate: address) -> bool:
    """
    @notice Whether `delegate` is a live delegate of `identity` for `delegateType`.
    @param identity The identity address.
    @param delegateType The delegate type, e.g. "veriKey" or "sigAuth" (bytes32).
    @param delegate The delegate address.
    @return True if the delegation has not expired and the identity is active.
    """
    if self._records[identity] & _DEACTIVATED != 0:
        return False
    return self.delegates[identity][keccak256(delegateType)][delegate] > block.timestamp


@external
def changeOwner(identity: address, newOwner: address):
    """
    @notice Hand control of `identity` to `newOwner`; 0 deactivates it for good.
    @param identity The identity address.
    @param newOwner The new owner key, or 0 to deactivate.
    """
    self._change_owner(identity, msg.sender, newOwner)


@external
def changeOwnerSigned(
    identity: address, sigV: uint8, sigR: bytes32, sigS: bytes32, newOwner: address
):
    """
    @notice changeOwner authorised by the owner's signature; anyone may submit it.
    @param identity The identity address.
    @param sigV Signature v (27 or 28).
    @param sigR Signature r.
    @param sigS Signature s (lower half order).
    @param newOwner The new owner key, or 0 to deactivate.
    """
    record: uint256 = self._records[identity]
    owner: address = self._owner_of(identity, record)
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x00",
            convert(self, bytes20),
            convert(self.nonce[owner], bytes32),
            convert(identity, bytes20),
            b"changeOwner",
            convert(newOwner, bytes20),
        )
    )
    self._check_signature(owner, digest, sigV, sigR, sigS)
    self._set_owner(identity, record, newOwner)


@external
def addDelegate(identity: address, delegateType: bytes32, delegate: address, validity: uint256):
    """
    @notice Make `delegate` a delegate of `identity` for `validity` seconds.
    @param identity The identity address.
    @param delegateType The delegate type, e.g. "veriKey" or "sigAuth" (bytes32).
    @param delegate The delegate address.
    @param validity Seconds from now until the delegation expires.
    """
    record: uint256 = self._records[identity]
    self._only_owner(identity, record, msg.sender)
    self._add_delegate(identity, record, delegateType, delegate, validity)


@external
def addDelegateSigned(
    identity: address,
    sigV: uint8,
    sigR: bytes32,
    sigS: bytes32,
    delegateType: bytes32,
    delegate: address,
    validity: uint256,
):
    """
    @notice addDelegate authorised by the owner's signature; anyone may submit it.
    @param identity The identity address.
    @param sigV Signature v (27 or 28).
    @param sigR Signature r.
    @param sigS Signature s (lower half order).
    @param delegateType The delegate type (bytes32).
    @param delegate The delegate address.
    @param validity Seconds from now until the delegation expires.
    """
    record: uint256 = self._records[identity]
    owner: address = self._owner_of(identity, record)
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x00",
            convert(self, bytes20),
            convert(self.nonce[owner], bytes32),
            convert(identity, bytes20),
            b"addDelegate",
            delegateType,
            convert(delegate, bytes20),
            convert(validity, bytes32),
        )
    )
    self._check_signature(owner, digest, sigV, sigR, sigS)
    self._add_delegate(identity, record, delegateType, delegate, validity)


@external
def revokeDelegate(identity: address, delegateType: bytes32, delegate: address):
    """
    @notice End a delegation now (its validity becomes the current time).
    @param identity The identity address.
    @param delegateType The delegate type (bytes32).
    @param delegate The delegate address.
    """
    record: uint256 = self._records[identity]
    self._only_owner(identity, record, msg.sender)
    self._revoke_delegate(identity, record, delegateType, delegate)


@external
def revokeDelegateSigned(
    identity: address,
    sigV: uint8,
    sigR: bytes32,
    sigS: bytes32,
    delegateType: bytes32,
    delegate: address,
):
    """
    @notice revokeDelegate authorised by the owner's signature; anyone may submit it.
    @param identity The identity address.
    @param sigV Signature v (27 or 28).
    @param sigR Signature r.
    @param sigS Signature s (lower half order).
    @param delegateType The delegate type (bytes32).
    @param delegate The delegate address.
    """
    record: uint256 = self._records[identity]
    owner: address = self._owner_of(identity, record)
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x00",
            convert(self, bytes20),
            convert(self.nonce[owner], bytes32),
            convert(identity, bytes20),
            b"revokeDelegate",
            delegateType,
            convert(delegate, bytes20),
        )
    )
    self._check_signature(owner, digest, sigV, sigR, sigS)
    self._revoke_delegate(identity, record, delegateType, delegate)


@external
def setAttribute(identity: address, name: bytes32, attrValue: Bytes[_MAX_VALUE], validity: uint256):
    """
    @notice Publish an attribute (key or service) of `identity` for `validity` seconds.
    @param identity The identity address.
    @param name Attribute name, e.g. "did/svc/HubService" (bytes32).
    @param attrValue Attribute value (at most 2,048 bytes).
    @param validity Seconds from now until the attribute expires.
    """
    record: uint256 = self._records[identity]
    self._only_owner(identity, record, msg.sender)
    self._set_attribute(identity, record, name, attrValue, self._valid_to(validity))


@external
def setAttributeSigned(
    identity: address,
    sigV: uint8,
    sigR: bytes32,
    sigS: bytes32,
    name: bytes32,
    attrValue: Bytes[_MAX_VALUE],
    validity: uint256,
):
    """
    @notice setAttribute authorised by the owner's signature; anyone may submit it.
    @param identity The identity address.
    @param sigV Signature v (27 or 28).
    @param sigR Signature r.
    @param sigS Signature s (lower half order).
    @param name Attribute name (bytes32).
    @param attrValue Attribute value (at most 2,048 bytes).
    @param validity Seconds from now until the attribute expires.
    """
    record: uint256 = self._records[identity]
    owner: address = self._owner_of(identity, record)
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x00",
            convert(self, bytes20),
            convert(self.nonce[owner], bytes32),
            convert(identity, bytes20),
            b"setAttribute",
            name,
            attrValue,
            convert(validity, bytes32),
        )
    )
    self._check_signature(owner, digest, sigV, sigR, sigS)
    self._set_attribute(identity, record, name, attrValue, self._valid_to(validity))


@external
def revokeAttribute(identity: address, name: bytes32, attrValue: Bytes[_MAX_VALUE]):
    """
    @notice Withdraw an attribute (emitted with validTo = 0).
    @param identity The identity address.
    @param name Attribute name (bytes32).
    @param attrValue The value being withdrawn.
    """
    record: uint256 = self._records[identity]
    self._only_owner(identity, record, msg.sender)
    self._set_attribute(identity, record, name, attrValue, 0)


@external
def revokeAttributeSigned(
    identity: address,
    sigV: uint8,
    sigR: bytes32,
    sigS: bytes32,
    name: bytes32,
    attrValue: Bytes[_MAX_VALUE],
):
    """
    @notice revokeAttribute authorised by the owner's signature; anyone may submit it.
    @param identity The identity address.
    @param sigV Signature v (27 or 28).
    @param sigR Signature r.
    @param sigS Signature s (lower half order).
    @param name Attribute name (bytes32).
    @param attrValue The value being withdrawn.
    """
    record: uint256 = self._records[identity]
    owner: address = self._owner_of(identity, record)
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x00",
            convert(self, bytes20),
            convert(self.nonce[owner], bytes32),
            convert(identity, bytes20),
            b"revokeAttribute",
            name,
            attrValue,
        )
    )
    self._check_signature(owner, digest, sigV, sigR, sigS)
    self._set_attribute(identity, record, name, attrValue, 0)


@internal
@pure
def _owner_of(identity: address, record: uint256) -> address:
    """
    @dev The key that controls `identity` given its record (0 if deactivated).
    """
    if record & _DEACTIVATED != 0:
        return empty(address)
    owner: address = convert(record & _OWNER_MASK, address)
    if owner == empty(address):
        return identity
    return owner


@internal
@pure
def _only_owner(identity: address, record: uint256, actor: address):
    """
    @dev Revert unless `actor` controls the (active) identity.
    """
    assert record & _DEACTIVATED == 0, "did: deactivated"
    assert actor == self._owner_of(identity, record), "did: not owner"


@internal
def _check_signature(owner: address, digest: bytes32, v: uint8, r: bytes32, s: bytes32):
    """
    @dev Revert unless (v, r, s) is a canonical signature of `digest` by `owner`; spend its nonce.
    """
    # The owner (not the recovered key) indexes the nonce, as in the reference:
    # both are equal once the check passes.
    assert owner != empty(address), "did: deactivated"
    assert convert(s, uint256) <= _HALF_ORDER and (v == 27 or v == 28), "did: bad signature"
    signer: address = ecrecover(digest, v, r, s)
    assert signer != empty(address), "did: bad signature"
    assert signer == owner, "did: signer not owner"
    self.nonce[owner] += 1


@internal
@view
def _valid_to(validity: uint256) -> uint256:
    """
    @dev now + `validity`, reverting instead of wrapping.
    """
    assert validity <= max_value(uint256) - block.timestamp, "did: validity overflow"
    return block.timestamp + validity


@internal
def _touch(identity: address, record: uint256, owner_bits: uint256) -> uint256:
    """
    @dev Store the new record with `changed` = this block; return the previous change.
    """
    previous: uint256 = (record >> _CHANGED_SHIFT) & _CHANGED_MASK
    self._records[identity] = (
        (record & _DEACTIVATED) | (block.number << _CHANGED_SHIFT) | owner_bits
    )
    return previous


@internal
def _change_owner(identity: address, actor: address, newOwner: address):
    """
    @dev changeOwner on behalf of `actor`.
    """
    record: uint256 = self._records[identity]
    self._only_owner(identity, record, actor)
    self._set_owner(identity, record, newOwner)


@internal
def _set_owner(identity: address, record: uint256, newOwner: address):
    """
    @dev Store the new owner (0 deactivates) and log DIDOwnerChanged.
    """
    stored: uint256 = record
    if newOwner == empty(address):
        stored = stored | _DEACTIVATED
    previous: uint256 = self._touch(identity, stored, convert(newOwner, uint256))
    log DIDOwnerChanged(identity=identity, owner=newOwner, previousChange=previous)


@internal
def _add_delegate(
    identity: address, record: uint256, delegateType: bytes32, delegate: address, validity: uint256
):
    """
    @dev Store a delegation until now + `validity` and log DIDDelegateChanged.
    """
    valid_to: uint256 = self._valid_to(validity)
    self.delegates[identity][keccak256(delegateType)][delegate] = valid_to
    previous: uint256 = self._touch(identity, record, record & _OWNER_MASK)
    log DIDDelegateChanged(
        identity=identity,
        delegateType=delegateType,
        delegate=delegate,
        validTo=valid_to,
        previousChange=previous,
    )


@internal
def _revoke_delegate(identity: address, record: uint256, delegateType: bytes32, delegate: address):
    """
    @dev End a delegation now and log DIDDelegateChanged.
    """
    self.delegates[identity][keccak256(delegateType)][delegate] = block.timestamp
    previous: uint256 = self._touch(identity, record, record & _OWNER_MASK)
    log DIDDelegateChanged(
        identity=identity,
        delegateType=delegateType,
        delegate=delegate,
        validTo=block.timestamp,
        previousChange=previous,
    )


@internal
def _set_attribute(
    identity: address, record: uint256, name: bytes32, attrValue: Bytes[_MAX_VALUE], valid_to: uint256
):
    """
    @dev Touch the identity and log DIDAttributeChanged (validTo 0 revokes).
    """
    previous: uint256 = self._touch(identity, record, record & _OWNER_MASK)
    log DIDAttributeChanged(
        identity=identity, name=name, value=attrValue, validTo=valid_to, previousChange=previous
    )
