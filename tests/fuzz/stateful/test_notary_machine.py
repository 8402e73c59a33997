"""Stateful fuzzing: the Notary against a small Python model of what validity must be.

Rules attest (directly and by EIP-712 signature, reusing nonces on purpose, and signed
for an organisation the key is not in), anchor
batches, revoke records and single documents, travel in
time past expiries, and suspend, reinstate or remove organisations through
real Consortium governance. After every step, ``status`` of every record and
``documentStatus`` of every batch document equal the model's answer.
"""

from dataclasses import dataclass, field

import ape
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed
from trustspace.notary.client import NotaryClient, Status
from trustspace.notary.tree import MerkleTree

ORGS = (1, 2, 3, 4)
# Expiries sit half-way between time-travel steps, so the few seconds each transaction adds
# never decide on which side of an expiry a check falls.
STEP = 1000


@dataclass
class ModelRecord:
    org: int
    expires_at: int
    revoked: bool = False
    documents: list[bytes] = field(default_factory=list)
    revoked_documents: set[bytes] = field(default_factory=set)


def test_notary__random_operations__validity_matches_model(
    project, spare_accounts, chain, deployer, customs_admin, tax_admin, maritime_admin, forex_admin
):
    admins = {1: customs_admin, 2: tax_admin, 3: maritime_admin, 4: forex_admin}
    notaries = {org: spare_accounts[1 + org] for org in ORGS}

    class NotaryMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.snapshot = chain.snapshot()
            seeds = [
                OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin]),
                OrgSeed("Tax", OrgKind.TAX, [tax_admin]),
                OrgSeed("Maritime", OrgKind.MARITIME, [maritime_admin]),
                OrgSeed("Forex", OrgKind.FOREX, [forex_admin]),
            ]
            from trustspace.consortium.governance import deploy_consortium

            self.consortium = deploy_consortium(project, deployer, seeds, threshold=2)
            self.gov = Governance(self.consortium)
            for org, key in notaries.items():
                self.enact("add_account", org_id=org, account=key)
                self.enact("grant_role", account=key, roles=int(Role.NOTARY))
            self.client = NotaryClient(deployer.deploy(project.Notary, self.consortium))
            self.schema = self.client.register_schema("m", "1", sender=notaries[1])
            self.live = set(ORGS)
            self.removed: set[int] = set()
            self.records: dict[bytes, ModelRecord] = {}
            self.used_nonces: dict[int, set[int]] = {org: set() for org in ORGS}
            self.trees: dict[bytes, MerkleTree] = {}
            self.counter = 0

        def teardown(self):
            chain.restore(self.snapshot)

        def enact(self, action, **values):
            voters = [admins[o] for o in sorted(getattr(self, "live", set(ORGS)))][:2]
            self.gov.enact(action, approvers=voters, **values)

        def now(self):
            return chain.pending_timestamp

        def expiry(self, choice):
            # None: never; k: the middle of the k-th future time step.
            return 0 if choice is None else self.now() + choice * STEP + STEP // 2

        def fresh(self):
            self.counter += 1
            return self.counter.to_bytes(32, "big")

        # ------------------------------------------------------------ rules

        @initialize()
        def start(self):
            pass

        @rule(org=st.sampled_from(ORGS), expiry=st.sampled_from([None, 0, 1, 3]))
        def attest(self, org, expiry):
            if org not in self.live:
                return
            rid, _ = self.client.attest(
                self.fresh(), self.schema, sender=notaries[org], expires_at=self.expiry(expiry)
            )
            self.records[rid] = ModelRecord(org=org, expires_at=self.expiry(expiry))

        @rule(org=st.sampled_from(ORGS), nonce=st.integers(0, 3))
        def attest_by_sig(self, org, nonce):
            # A relayer submits; small nonces make reuse (and its rejection) frequent.
            if org not in self.live:
                return
            key = notaries[org]
            request = self.client.attest_request(
                key.address, self.fresh(), self.schema, nonce=nonce
            )
            signature = self.client.sign(request, key.private_key)
            if nonce in self.used_nonces[org]:
                with ape.reverts(self.client.contract.NotaryNonceUsed, nonce=nonce):
                    self.client.attest_by_sig(request, signature, sender=deployer)
                return
            rid, _ = self.client.attest_by_sig(request, signature, sender=deployer)
            self.used_nonces[org].add(nonce)
            self.records[rid] = ModelRecord(org=org, expires_at=0)

        @rule(org=st.sampled_from(ORGS), claimed=st.sampled_from(ORGS), nonce=st.integers(0, 3))
        def attest_by_sig_for_another_org(self, org, claimed, nonce):
            # A request naming an organisation the signer is not in never records anything
            # and spends no nonce (the whole call reverts).
            if org not in self.live or claimed == org:
                return
            key = notaries[org]
            request = self.client.attest_request(
                key.address, self.fresh(), self.schema, org_id=claimed, nonce=nonce
            )
            signature = self.client.sign(request, key.private_key)
            if nonce in self.used_nonces[org]:
                expected = self.client.contract.NotaryNonceUsed
                with ape.reverts(expected, signer=key.address, nonce=nonce):
                    self.client.attest_by_sig(request, signature, sender=deployer)
                return
            mismatch = self.client.contract.NotaryOrgMismatch
            with ape.reverts(mismatch, signer=key.address, signedOrgId=claimed, currentOrgId=org):
                self.client.attest_by_sig(request, signature, sender=deployer)

        @rule(org=st.sampled_from(ORGS), size=st.integers(1, 9), expiry=st.sampled_from([None, 2]))
        def anchor(self, org, size, expiry):
            if org not in self.live:
                return
            docs = [self.fresh() for _ in range(size)]
            tree = MerkleTree(docs)
            rid, _ = self.client.anchor_batch(
                tree, self.schema, sender=notaries[org], expires_at=self.expiry(expiry)
            )
            self.records[rid] = ModelRecord(org=org, expires_at=self.expiry(expiry), documents=docs)
            self.trees[rid] = tree

        @precondition(lambda self: self.records)
        @rule(data=st.data())
        def revoke(self, data):
            rid = data.draw(st.sampled_from(sorted(self.records)))
            rec = self.records[rid]
            if rec.revoked or rec.org not in self.live:
                return
            self.client.revoke(rid, 1, sender=notaries[rec.org])
            rec.revoked = True

        @precondition(lambda self: self.trees)
        @rule(data=st.data())
        def revoke_document(self, data):
            rid = data.draw(st.sampled_from(sorted(self.trees)))
            rec = self.records[rid]
            doc = data.draw(st.sampled_from(rec.documents))
            if doc in rec.revoked_documents or rec.org not in self.live:
                return
            self.client.revoke_document(rid, doc, 2, sender=notaries[rec.org])
            rec.revoked_documents.add(doc)

        @rule(steps=st.integers(1, 2))
        def travel(self, steps):
            chain.pending_timestamp = self.now() + steps * STEP
            chain.mine()

        # Keep two live organisations so that governance (threshold 2) can always act.
        @precondition(lambda self: len(self.live) > 2)
        @rule(org=st.sampled_from(ORGS))
        def suspend(self, org):
            if org not in self.live:
                return
            self.enact("suspend_org", org_id=org)
            self.live.discard(org)

        @rule(org=st.sampled_from(ORGS))
        def reinstate(self, org):
            if org in self.live or org in self.removed:
                return
            self.enact("reinstate_org", org_id=org)
            self.live.add(org)

        @precondition(lambda self: len(self.live) > 2)
        @rule(org=st.sampled_from(ORGS))
        def remove(self, org):
            if org not in self.live:
                return
            self.enact("remove_org", org_id=org)
            self.live.discard(org)
            self.removed.add(org)

        # ------------------------------------------------------------ model

        def expected(self, rec, document=None):
            now = chain.blocks.head.timestamp
            if rec.revoked:
                return Status.REVOKED
            if document is not None and document in rec.revoked_documents:
                return Status.DOCUMENT_REVOKED
            if rec.expires_at and now >= rec.expires_at:
                return Status.EXPIRED
            if rec.org not in self.live:
                return Status.ORG_NOT_LIVE
            return Status.VALID

        @invariant()
        def validity_matches_model(self):
            for rid, rec in self.records.items():
                assert self.client.status(rid) == self.expected(rec), rid.hex()
                tree = self.trees.get(rid)
                if tree is not None:
                    for i, doc in enumerate(rec.documents):
                        got = self.client.document_status(rid, doc, i, tree.proof(i))
                        assert got == self.expected(rec, doc), (rid.hex(), i)

    run_state_machine_as_test(
        NotaryMachine,
        settings=settings(
            max_examples=settings().max_examples,
            stateful_step_count=settings().stateful_step_count,
            deadline=None,
        ),
    )
