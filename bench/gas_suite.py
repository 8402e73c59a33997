"""Gas of every state-changing function, from receipts on anvil, with its EVM-schedule floor.

Run alone: ``python -m bench.gas_suite`` (prints a table); ``python -m bench.run``
folds the figures into bench/results.json. Never measured on boa: its
``gas_used`` omits the intrinsic cost. The Consortium is the real one, reached
through its own governance, so the membership check is in every Notary figure.

``FLOORS`` is the floor model: per measured call, the slots it must make
non-zero, the slots it must change and the events it must emit, with the
reason. ``TARGETS`` are the issue's targets and the public contract each was
set against (measured side by side on one anvil).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.floor import FloorModel, floor_of, ratio, shapes, view_floor
from bench.results import AT_MOST, Figure

ROOT = Path(__file__).resolve().parents[1]

M = FloorModel
STATUS = "proposal status"
#: What each measured call must write and emit (bench/floor.py explains the prices).
FLOORS: dict[str, FloorModel] = {
    # --- Consortium
    "consortium.propose": M(2, 1, ("Proposed", "Approved"),
        "header (status, action, proposing organisation, policy snapshot, times and the "
        "approving-organisation bitmap) and a commitment to args and reason are new; the "
        "proposal counter changes"),
    "consortium.approve": M(0, 1, ("Approved",),
        "the header's approving-organisation bitmap changes"),
    "consortium.reject": M(0, 1, ("Rejected",),
        "the header's rejecting-organisation bitmap changes"),
    "consortium.execute.set_policy": M(2, 1, ("PolicyChanged", "Executed"),
        f"the action's policy word and the own-policy map are new; {STATUS} changes"),
    "consortium.execute.set_weight": M(1, 2, ("WeightChanged", "Executed"),
        f"the organisation's weight is new; {STATUS} and the live admin weight change"),
    "consortium.execute.add_account_weighted": M(2, 2, ("AccountAdded", "Executed"),
        "as add_account, judged by a weighted policy (weights read per vote)"),
    "consortium.execute.add_account": M(2, 2, ("AccountAdded", "Executed"),
        f"membership word and enumeration entry are new; {STATUS} and list length change"),
    "consortium.execute.grant_role": M(1, 3, ("RoleGranted", "Executed"),
        f"role-holder entry is new; {STATUS}, membership word and holder count change"),
    "consortium.execute.revoke_role": M(0, 3, ("RoleRevoked", "Executed"),
        f"{STATUS}, membership word and holder count change (the cleared entry is refunded)"),
    "consortium.execute.set_threshold": M(0, 2, ("ThresholdChanged", "Executed"),
        f"{STATUS} and threshold change"),
    "consortium.execute.suspend_org": M(0, 3, ("OrganisationStatusChanged", "Executed"),
        f"{STATUS}, organisation status and live-admin-organisation count change"),
    "consortium.execute.reinstate_org": M(0, 3, ("OrganisationStatusChanged", "Executed"),
        f"{STATUS}, organisation status and live-admin-organisation count change"),
    "consortium.execute.add_org": M(2, 2, ("OrganisationAdded", "Executed"),
        f"organisation word (kind, status, DID) and its short name are new; {STATUS} and "
        "organisation count change"),
    "consortium.execute.add_node": M(1, 2, ("NodeChanged", "Executed"),
        f"allowlist entry is new; {STATUS} and node count change"),
    "consortium.execute.call": M(0, 2, ("SchemaDeprecated", "CallExecuted", "Executed"),
        f"{STATUS} and the target's state (Notary schema deprecatedAt) change"),
    "consortium.cancel": M(0, 1, ("Cancelled",), f"{STATUS} changes"),
    # --- DIDRegistry (identity record = owner | changed block, one word)
    "did.setAttribute_first": M(1, 0, ("DIDAttributeChanged",), "the identity's record is new"),
    "did.setAttribute_later": M(0, 1, ("DIDAttributeChanged",), "the identity's record changes"),
    "did.addDelegate": M(1, 1, ("DIDDelegateChanged",),
        "the delegate's validity is new; the identity's record changes"),
    "did.revokeDelegate": M(0, 2, ("DIDDelegateChanged",),
        "the delegate's validity and the identity's record change"),
    "did.revokeAttribute": M(0, 1, ("DIDAttributeChanged",), "the identity's record changes"),
    "did.changeOwner": M(0, 1, ("DIDOwnerChanged",), "the identity's record changes"),
    "did.changeOwner_fresh_identity": M(1, 0, ("DIDOwnerChanged",), "the identity's record is new"),
    "did.changeOwnerSigned": M(1, 1, ("DIDOwnerChanged",),
        "the owner's first nonce is new; the identity's record changes"),
    "did.setAttributeSigned": M(1, 1, ("DIDAttributeChanged",),
        "the owner's first nonce is new; the identity's record changes"),
    "did.addDelegateSigned": M(1, 2, ("DIDDelegateChanged",),
        "the delegate's validity is new; record and nonce change"),
    "did.revokeDelegateSigned": M(0, 3, ("DIDDelegateChanged",),
        "delegate validity, record and nonce change"),
    "did.revokeAttributeSigned": M(0, 2, ("DIDAttributeChanged",), "record and nonce change"),
    # --- Notary
    "notary.registerSchema": M(4, 1, ("SchemaRegistered",),
        "schema header, short name, short version and the (org, name, version) index are new; "
        "the schema counter changes"),
    "notary.attest": M(1, 0, ("Attested",), "the packed record is new"),
    "notary.attest_with_parent_and_expiry": M(2, 0, ("Attested", "Derived"),
        "the packed record and its parent link are new"),
    "notary.anchorBatch_size_1": M(1, 0, ("BatchAnchored",), "the packed batch record is new"),
    "notary.anchorBatch_size_3": M(1, 0, ("BatchAnchored",), "the packed batch record is new"),
    "notary.anchorBatch_size_2^20": M(1, 0, ("BatchAnchored",), "the packed batch record is new"),
    "notary.anchorBatch_size_2^48-1": M(1, 0, ("BatchAnchored",),
        "the packed batch record is new"),
    "notary.attestBySig": M(1, 1, ("Attested",),
        "the record is new; the signer's nonce word changes"),
    "notary.attestBySig_first_in_word": M(2, 0, ("Attested",),
        "the record and the signer's nonce word are new"),
    "notary.attestBySig_erc1271": M(1, 1, ("Attested",),
        "the record is new; the signer's nonce word changes"),
    "notary.attestBySig_erc1271_first_in_word": M(2, 0, ("Attested",),
        "the record and the signer's nonce word are new"),
    "notary.revoke": M(0, 1, ("Revoked",), "the packed record changes"),
    "notary.revoke_whole_batch": M(0, 1, ("Revoked",), "the packed batch record changes"),
    "notary.revokeDocument": M(1, 0, ("DocumentRevoked",), "the document's revocation is new"),
    "notary.revokeBySig": M(0, 2, ("Revoked",), "the record and the signer's nonce word change"),
    "notary.deprecateSchema": M(0, 1, ("SchemaDeprecated",), "the schema header changes"),
    "notary.invalidateNonces": M(1, 0, ("NoncesInvalidated",), "a fresh nonce word is new"),
}  # fmt: skip

#: Row id → (target gas, what it was set against).
TARGETS: dict[str, tuple[int, str]] = {
    "consortium.propose": (120_000, "issue 14; before packing: 340,753"),
    "consortium.approve": (40_000, "issue 14; before packing: 95,076"),
    "notary.attest": (60_000, "EAS 1.9.0 attest: 180,132"),
    "notary.anchorBatch_size_1": (60_000, "EAS multiAttest: 145,784 per item"),
    "notary.anchorBatch_size_3": (60_000, "EAS multiAttest: 145,784 per item"),
    "notary.anchorBatch_size_2^20": (60_000, "EAS multiAttest: 145,784 per item, ~115 max"),
    "notary.anchorBatch_size_2^48-1": (60_000, "EAS multiAttest: 145,784 per item, ~115 max"),
    "notary.attestBySig": (75_000, "EAS attestByDelegation: 213,348"),
    "notary.attestBySig_first_in_word": (75_000, "EAS attestByDelegation: 213,348"),
    "notary.revoke": (50_000, "EAS revoke: 59,890"),
    "notary.verifyInclusion_2^20_estimate": (40_000, "no public equivalent measured"),
    "did.setAttribute_first": (51_528, "ERC-1056 1.3.0 setAttribute (first): 51,528"),
    "did.setAttribute_later": (34_428, "ERC-1056 setAttribute (later): 34,428"),
    "did.addDelegate": (55_104, "ERC-1056 addDelegate: 55,104"),
    "did.changeOwner": (51_716, "ERC-1056 changeOwner: 51,716"),
    "did.changeOwner_fresh_identity": (51_716, "ERC-1056 changeOwner: 51,716"),
    "did.changeOwnerSigned": (96_898, "ERC-1056 changeOwnerSigned: 96,898"),
    "did.setAttributeSigned": (79_948, "ERC-1056 setAttributeSigned: 79,948"),
}

NOTES: dict[str, str] = {
    "notary.attestBySig_first_in_word": (
        "The first nonce of each 256-nonce bitmap word makes a storage slot non-zero "
        "(22,100 instead of 5,000). It happens once per 256 requests of a signer when the SDK "
        "hands out sequential nonces (NotaryClient.next_nonce), so the amortised cost is "
        "attestBySig + 17,100/256 ≈ +67 gas. Meeting it every time would take a nonce word "
        "written ahead of use (a signer pre-pays 22,100 once per 256 requests, e.g. "
        "invalidateNonces of a reserved bit)."
    ),
    "consortium.propose": (
        "Issue 14: one packed header word (status, action, proposing organisation, policy "
        "snapshot, times, approving and rejecting organisation bitmaps) and one commitment "
        "keccak256(reason ++ args); the arguments travel in the Proposed event and come back "
        "as calldata of execute."
    ),
    "consortium.approve": (
        "Issue 14: the approval is one bit of the header (one 5,000-gas write); the event "
        "carries the number of approving organisations (a popcount, no storage read)."
    ),
    "consortium.execute.add_account_weighted": (
        "A weighted policy reads the weight of each voting organisation at execution."
    ),
    "did.changeOwner": "Second and later owner change of an identity (its record exists).",
    "did.changeOwner_fresh_identity": "An identity's very first change is an owner change.",
    "notary.verifyInclusion_2^20_estimate": (
        "eth_estimateGas of the view as a transaction: 20 proof nodes in calldata."
    ),
    "notary.documentStatus_2^20_estimate": (
        "Inclusion plus document and batch revocation, expiry and organisation liveness."
    ),
}

#: Readable names for rows whose id is terse.
LABELS: dict[str, str] = {
    "notary.attest": "attest (membership check included)",
    "notary.attest_with_parent_and_expiry": "attest with parent (lineage) and expiry",
    "notary.attestBySig": "attestBySig (EIP-712, EOA), nonce word in use",
    "notary.attestBySig_first_in_word": "attestBySig (EIP-712, EOA), first nonce of a word",
    "notary.attestBySig_erc1271": "attestBySig, ERC-1271 wallet, nonce word in use",
    "notary.attestBySig_erc1271_first_in_word": "attestBySig, ERC-1271 wallet, first of a word",
    "notary.revoke": "revoke (attestation)",
    "notary.revoke_whole_batch": "revoke (whole batch)",
    "notary.revokeDocument": "revokeDocument (one document of a batch)",
    "notary.revokeBySig": "revokeBySig (EIP-712, EOA)",
    "notary.invalidateNonces": "invalidateNonces (fresh word)",
    "notary.verifyInclusion_2^20_estimate": "verifyInclusion, batch of 2^20 (eth_estimateGas)",
    "notary.documentStatus_2^20_estimate": "documentStatus, batch of 2^20 (eth_estimateGas)",
    "did.setAttribute_first": "setAttribute, identity's first change",
    "did.setAttribute_later": "setAttribute, later change",
    "did.changeOwner": "changeOwner, later change",
    "did.changeOwner_fresh_identity": "changeOwner, identity's first change",
    "did.changeOwnerSigned": "changeOwnerSigned (owner's first signed change)",
    "did.setAttributeSigned": "setAttributeSigned (owner's first signed change)",
}

GROUPS = {
    "consortium": "Gas: Consortium",
    "did": "Gas: DIDRegistry",
    "notary": "Gas: Notary",
    "bus": "Gas: MessageBus",
}


class GasRecorder:
    """Turns receipts into Figures with their floor (and target, if the issue sets one)."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def tx(self, row: str, receipt: Any, name: str | None = None) -> int:
        gas = int(receipt.gas_used)
        model = FLOORS[row]
        data = bytes(receipt.transaction.data)
        try:
            fl = floor_of(model, data, shapes(receipt.logs))
        except ValueError as err:  # the contract changed under the model: report, do not stop
            self._add(row, gas, None, None, name, {"floor_error": str(err), **_model(model)})
            return gas
        self._add(row, gas, fl.total, ratio(gas, fl), name, {"floor": asdict(fl), **_model(model)})
        return gas

    def estimate(self, row: str, gas: int, calldata: bytes, name: str | None = None) -> int:
        fl = view_floor(calldata)
        self._add(row, gas, fl.total, ratio(gas, fl), name, {"floor": asdict(fl)})
        return gas

    def _add(
        self,
        row: str,
        gas: int,
        floor: int | None,
        r: float | None,
        name: str | None,
        details: dict[str, Any],
    ) -> None:
        target, reference = TARGETS.get(row, (None, None))
        contract = row.split(".", 1)[0]
        self.figures.append(
            Figure(
                id=f"gas.{row}",
                group=GROUPS[contract],
                name=name or LABELS.get(row, row.split(".", 1)[1]),
                measured=gas,
                unit="gas",
                target=target,
                comparison=AT_MOST,
                reference=reference,
                floor=floor,
                ratio=r,
                note=(
                    NOTES.get(row, "")
                    + (
                        f" Floor model out of date: {details['floor_error']}"
                        if floor is None
                        else ""
                    )
                ).strip(),
                details=details,
            )
        )


#: One line for the method table of docs/performance.md.
METHOD = (
    "receipts on anvil; every external non-view function of Consortium (propose, approve, "
    "execute of eight actions, cancel), DIDRegistry (every write, direct and signed) and "
    "Notary (every write); views by eth_estimateGas; floor per call from FLOORS"
)


def _model(model: FloorModel) -> dict[str, Any]:
    return {
        "new_slots": model.new_slots,
        "updated_slots": model.updated_slots,
        "logs": list(model.logs),
        "why": model.why,
    }


def measure_consortium_and_notary(rec: GasRecorder, *, big_batch: int = 2**20) -> None:
    """Governance (propose, approve, execute of several actions, cancel), then the Notary."""
    from ape import accounts, project

    from trustspace.consortium.constants import Action, OrgKind, Role
    from trustspace.consortium.governance import Governance, OrgSeed, Policy, deploy_consortium
    from trustspace.crypto import eip712
    from trustspace.crypto.hashing import hash_bytes
    from trustspace.notary.client import NotaryClient
    from trustspace.notary.tree import MerkleTree, record_id

    test = accounts.test_accounts
    deployer, customs_admin, tax_admin, maritime_admin = test[0], test[1], test[3], test[4]
    notary_key, clerk, relayer, owner = test[7], test[8], test[9], test[11]
    consortium = deploy_consortium(
        project,
        deployer,
        [
            OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
            OrgSeed("Maritime Authority", OrgKind.MARITIME, [maritime_admin]),
        ],
        threshold=2,
    )
    gov = Governance(consortium)
    approvers = [customs_admin, tax_admin]
    wallet = deployer.deploy(project.ContractWallet, owner)
    for account in (notary_key, wallet):
        gov.enact("add_account", approvers=approvers, org_id=1, account=account)
        gov.enact("grant_role", approvers=approvers, account=account, roles=int(Role.NOTARY))
    notary = deployer.deploy(project.Notary, consortium)
    client = NotaryClient(notary)

    # ---------------------------------------------------------------- Consortium
    reason = b"\x11" * 32  # a raw reason hash, so every figure's calldata stays the same

    def enact(row: str, action: Action, **values: Any) -> None:
        proposed, approval, executed = gov.decide(
            action, approvers=approvers, reason=reason, **values
        ).receipts
        if row == "add_account":
            rec.tx("consortium.propose", proposed, "propose (add_account)")
            rec.tx("consortium.approve", approval)
        rec.tx(f"consortium.execute.{row}", executed, f"execute {row}")

    enact("add_account", Action.ADD_ACCOUNT, org_id=2, account=clerk)
    enact("grant_role", Action.GRANT_ROLE, account=clerk, roles=int(Role.NOTARY))
    enact("revoke_role", Action.REVOKE_ROLE, account=clerk, roles=int(Role.NOTARY))
    enact("add_org", Action.ADD_ORG, name="Forex Authority", kind=int(OrgKind.FOREX))
    enact("suspend_org", Action.SUSPEND_ORG, org_id=3)
    enact("reinstate_org", Action.REINSTATE_ORG, org_id=3)
    enact("add_node", Action.ADD_NODE, enode_high=b"\x01" * 32, enode_low=b"\x02" * 32,
          ip=b"\x00" * 10 + b"\xff\xff\x0a\x00\x00\x01", port=30303)  # fmt: skip
    pid = gov.propose(Action.SET_THRESHOLD, sender=customs_admin, reason=reason, threshold=3)
    rec.tx("consortium.reject", gov.reject(pid, sender=tax_admin))
    rec.tx("consortium.cancel", gov.cancel(pid, sender=customs_admin))
    enact("set_weight", Action.SET_WEIGHT, org_id=1, weight=3)
    weighted = Policy.weighted(50, 60).encode()
    enact("set_policy", Action.SET_POLICY, policy_action=int(Action.ADD_ACCOUNT), policy=weighted)
    enact("add_account_weighted", Action.ADD_ACCOUNT, org_id=2, account=test[12])

    # ---------------------------------------------------------------- Notary
    tx = notary.registerSchema("customs-declaration", "1.0", bytes(32), "", sender=notary_key)
    rec.tx("notary.registerSchema", tx)
    schema = int(tx.decode_logs(notary.SchemaRegistered)[0].schemaId)
    doomed = client.register_schema("customs-declaration", "0.9", sender=notary_key)
    rec.tx("notary.deprecateSchema", notary.deprecateSchema(doomed, sender=notary_key))
    governed = client.register_schema("customs-declaration", "0.8", sender=notary_key)
    data = bytes(notary.deprecateSchema.encode_input(governed))
    enact("call", Action.CALL, target=notary.address, data=data)

    rid, tx = client.attest(hash_bytes(b"doc-1"), schema, sender=notary_key)
    rec.tx("notary.attest", tx)
    _, tx = client.attest(hash_bytes(b"doc-2"), schema, sender=notary_key, parent=rid,
                          expires_at=2**39)  # fmt: skip
    rec.tx("notary.attest_with_parent_and_expiry", tx)

    documents = [hash_bytes(i.to_bytes(4, "big")) for i in range(big_batch)]
    tree = MerkleTree(documents)
    exponent = big_batch.bit_length() - 1
    big_row = f"notary.anchorBatch_size_2^{exponent}"
    if big_row not in FLOORS:
        FLOORS[big_row] = FLOORS["notary.anchorBatch_size_2^20"]
    batch, tx = client.anchor_batch(tree, schema, sender=notary_key)
    rec.tx(big_row, tx, f"anchorBatch, {big_batch:,} documents")
    small, tx = client.anchor_batch(MerkleTree(documents[:3]), schema, sender=notary_key)
    rec.tx("notary.anchorBatch_size_3", tx, "anchorBatch, 3 documents")
    _, tx = client.anchor_batch(MerkleTree(documents[5:6]), schema, sender=notary_key)
    rec.tx("notary.anchorBatch_size_1", tx, "anchorBatch, 1 document")
    # The largest batch the packed record holds: the size field is 48 bits.
    tx = notary.anchorBatch(hash_bytes(b"max"), 2**48 - 1, schema, 0, sender=notary_key)
    rec.tx("notary.anchorBatch_size_2^48-1", tx, "anchorBatch, 2^48 - 1 documents")

    chain_id = int(notary.provider.chain_id)
    for row, signer, key, nonce in (
        ("notary.attestBySig_first_in_word", notary_key, notary_key.private_key, 0),
        ("notary.attestBySig", notary_key, notary_key.private_key, 1),
        ("notary.attestBySig_erc1271_first_in_word", wallet, owner.private_key, 0),
        ("notary.attestBySig_erc1271", wallet, owner.private_key, 1),
    ):
        request = client.attest_request(str(signer.address), hash_bytes(row.encode()), schema,
                                        nonce=nonce)  # fmt: skip
        signature = eip712.sign(request, key, chain_id, notary.address)
        _, tx = client.attest_by_sig(request, signature, sender=relayer)
        rec.tx(row, tx)

    rec.tx("notary.revoke", client.revoke(rid, 1, sender=notary_key))
    rec.tx("notary.revokeDocument", client.revoke_document(batch, documents[5], 1,
                                                           sender=notary_key))  # fmt: skip
    rec.tx("notary.revoke_whole_batch", client.revoke(small, 1, sender=notary_key))
    revocable, _ = client.attest(hash_bytes(b"doc-3"), schema, sender=notary_key)
    revoke = client.revoke_request(str(notary_key.address), revocable, 1, nonce=2)
    signature = eip712.sign(revoke, notary_key.private_key, chain_id, notary.address)
    rec.tx("notary.revokeBySig", client.revoke_by_sig(revoke, signature, sender=relayer))
    rec.tx("notary.invalidateNonces", notary.invalidateNonces(7, 1, sender=notary_key))

    index = big_batch - 1
    proof = tree.proof(index)
    assert notary.verifyInclusion(batch, documents[index], index, proof)
    assert record_id(tree.root, 1) == batch
    for row, method in (
        (f"notary.verifyInclusion_2^{exponent}_estimate", notary.verifyInclusion),
        (f"notary.documentStatus_2^{exponent}_estimate", notary.documentStatus),
    ):
        args = (batch, documents[index], index, proof)
        gas = int(method.estimate_gas_cost(*args, sender=relayer))
        rec.estimate(row, gas, bytes(method.encode_input(*args)))

    # Last: a threshold of 3 would slow every proposal above.
    enact("set_threshold", Action.SET_THRESHOLD, threshold=3)


def measure_did(rec: GasRecorder) -> None:
    """Every ERC-1056 write, direct and signed, each in its own block."""
    from ape import accounts

    from trustspace.deploy.did import deploy_registry
    from trustspace.did import registry as reg

    test = accounts.test_accounts
    # Senders need funds (0-9); `other` and `delegate` only sign.
    deployer, fresh, payer, identity, other, delegate = (test[i] for i in (0, 2, 5, 6, 13, 15))
    registry = deploy_registry(deployer)
    name = reg.str_to_bytes32("did/svc/HubService")
    value = b"https://hub.example.org/did"
    vkey = reg.str_to_bytes32("veriKey")

    rec.tx("did.setAttribute_first",
           registry.setAttribute(identity, name, value, 86400, sender=identity))  # fmt: skip
    rec.tx("did.setAttribute_later",
           registry.setAttribute(identity, name, value, 86400, sender=identity))  # fmt: skip
    rec.tx("did.addDelegate",
           registry.addDelegate(identity, vkey, delegate, 86400, sender=identity))  # fmt: skip
    rec.tx("did.revokeDelegate",
           registry.revokeDelegate(identity, vkey, delegate, sender=identity))  # fmt: skip
    rec.tx("did.revokeAttribute",
           registry.revokeAttribute(identity, name, value, sender=identity))  # fmt: skip
    rec.tx("did.changeOwner", registry.changeOwner(identity, other, sender=identity))
    rec.tx("did.changeOwner_fresh_identity", registry.changeOwner(fresh, other, sender=fresh))

    def signed(row: str, signer: Any, make_digest: Callable[[int], bytes], send: Any) -> None:
        nonce = int(registry.call_view_method("nonce", signer))
        sig = reg.sign_digest(make_digest(nonce), signer.private_key)
        rec.tx(row, send(sig))

    addr = registry.address
    signed(
        "did.changeOwnerSigned",
        other,
        lambda n: reg.change_owner_digest(addr, n, identity, delegate.address),
        lambda s: registry.changeOwnerSigned(identity, *s.args(), delegate, sender=payer),
    )
    # `delegate` owns `identity` from here on.
    signed(
        "did.setAttributeSigned",
        delegate,
        lambda n: reg.set_attribute_digest(addr, n, identity, name, value, 86400),
        lambda s: registry.setAttributeSigned(
            identity, *s.args(), name, value, 86400, sender=payer
        ),
    )
    signed(
        "did.addDelegateSigned",
        delegate,
        lambda n: reg.add_delegate_digest(addr, n, identity, vkey, other.address, 86400),
        lambda s: registry.addDelegateSigned(identity, *s.args(), vkey, other, 86400, sender=payer),
    )
    signed(
        "did.revokeDelegateSigned",
        delegate,
        lambda n: reg.revoke_delegate_digest(addr, n, identity, vkey, other.address),
        lambda s: registry.revokeDelegateSigned(identity, *s.args(), vkey, other, sender=payer),
    )
    signed("did.revokeAttributeSigned", delegate,
           lambda n: reg.revoke_attribute_digest(addr, n, identity, name, value),
           lambda s: registry.revokeAttributeSigned(identity, *s.args(), name, value,
                                                    sender=payer))  # fmt: skip


def run(quick: bool = False, network: str = "ethereum:local:foundry") -> list[Figure]:
    """All gas figures (the 2^20 batch is built in full even with ``quick``: it is a target)."""
    from ape import networks

    from trustspace.ape_tuning import tune_ape

    os.chdir(ROOT)  # ape finds the project (ape-config.yaml) from the working directory
    tune_ape()
    rec = GasRecorder()
    with networks.parse_network_choice(network):
        measure_consortium_and_notary(rec)
        measure_did(rec)
    return rec.figures


def main() -> None:
    from ape.logging import logger

    logger.set_level("ERROR")
    for f in run(quick="--quick" in sys.argv):
        target = f"{f.target:>8,}" if f.target else "        "
        verdict = {True: "ok", False: "MISSED", None: ""}[f.passed]
        floor = f"floor {f.floor or 0:>8,} x{f.ratio or 0:<5}"
        print(f"{f.id:55} {f.measured:>9,} {floor} {target} {verdict}")


if __name__ == "__main__":
    main()
