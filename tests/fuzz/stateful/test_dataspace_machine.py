"""Stateful fuzzing: the DataService and a customs connector against a model of the issue's
rules. Rules publish offers, request, accept and terminate agreements, fetch through the
connector (by the right organisation or another), and suspend or reinstate consumer
organisations. After every step the chain's transfer count of every agreement equals the
model's, and the connector's journal holds exactly the transfers served: the log equals the
fetches made.
"""

import tempfile
from pathlib import Path

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

from tests.fuzz.strategies.dataspace import max_transfer_counts, purposes
from trustspace.consortium.constants import OrgKind
from trustspace.dataspace.client import State
from trustspace.dataspace.connector import Connector, Dataset
from trustspace.dataspace.journal import Journal
from trustspace.dataspace.policy import Policy

TAX, MARITIME = 2, 3


def test_dataspace__random_negotiations_and_fetches__log_equals_fetches(
    chain, data_client, customs_admin, tax_admin, maritime_admin, tax_clerk, customs_notary,
    data_gov, signed_by,
):  # fmt: skip
    admins = {TAX: tax_admin, MARITIME: maritime_admin}
    fetchers = {TAX: tax_clerk, MARITIME: maritime_admin}
    reached: set[str] = set()

    class DataSpaceMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.snapshot = chain.snapshot()
            self.folder = Path(tempfile.mkdtemp())
            self.connector = Connector(
                data_client, customs_notary, "http://127.0.0.1:8750", {},
                Journal(self.folder / "journal.sqlite"),
                clock=lambda: int(chain.pending_timestamp),
            )  # fmt: skip
            self.offers: dict[int, int] = {}  # offer id -> max transfers
            self.agreements: dict[int, dict] = {}
            self.suspended: set[int] = set()
            self.served = 0

        def teardown(self):
            chain.restore(self.snapshot)

        @initialize(max_transfers=max_transfer_counts)
        def first_offer(self, max_transfers):
            self.offer(max_transfers)

        @rule(max_transfers=max_transfer_counts)
        def offer(self, max_transfers):
            policy = Policy(
                purposes=("VAT assessment",),
                consumer_kinds=(OrgKind.TAX, OrgKind.MARITIME),
                max_transfers=max_transfers,
            )
            offer_id, _ = data_client.publish_offer(
                "declarations", b"\x01" * 32, b"\x02" * 32, policy, sender=customs_admin
            )
            path = self.folder / f"{offer_id}.csv"
            path.write_bytes(b"declarations %d" % offer_id)
            self.connector.datasets[offer_id] = Dataset(offer_id, path, policy)
            self.offers[offer_id] = max_transfers

        @precondition(lambda self: self.offers)
        @rule(
            data=st.data(),
            org=st.sampled_from([TAX, MARITIME]),
            purpose=purposes,
            accept_now=st.booleans(),
        )
        def request(self, data, org, purpose, accept_now):
            if org in self.suspended:
                return
            offer_id = data.draw(st.sampled_from(sorted(self.offers)))
            agreement_id, _ = data_client.request(offer_id, purpose, sender=admins[org])
            self.agreements[agreement_id] = {
                "offer": offer_id, "org": org, "state": State.REQUESTED,
                "max": self.offers[offer_id], "transfers": 0, "purpose": purpose,
            }  # fmt: skip
            if accept_now:
                data_client.accept(agreement_id, sender=customs_admin)
                self.agreements[agreement_id]["state"] = State.FINALIZED

        def _pick(self, data, state):
            ids = [i for i, a in self.agreements.items() if a["state"] == state]
            return data.draw(st.sampled_from(ids)) if ids else None

        @precondition(lambda self: self.agreements)
        @rule(data=st.data())
        def accept(self, data):
            agreement_id = self._pick(data, State.REQUESTED)
            if agreement_id is None or self.agreements[agreement_id]["org"] in self.suspended:
                return
            data_client.accept(agreement_id, sender=customs_admin)
            self.agreements[agreement_id]["state"] = State.FINALIZED

        @precondition(lambda self: self.agreements)
        @rule(data=st.data(), by_provider=st.booleans())
        def terminate(self, data, by_provider):
            live = [i for i, a in self.agreements.items() if a["state"] != State.TERMINATED]
            if not live:
                return
            agreement_id = data.draw(st.sampled_from(live))
            org = self.agreements[agreement_id]["org"]
            if not by_provider and org in self.suspended:
                return
            sender = customs_admin if by_provider else admins[org]
            data_client.terminate(agreement_id, "fuzz", sender=sender)
            self.agreements[agreement_id]["state"] = State.TERMINATED
            reached.add("terminated")

        def _live(self):
            return [
                i for i, a in self.agreements.items() if self._expected(a, a["org"]) == "served"
            ]

        @precondition(lambda self: self._live())
        @rule(data=st.data())
        def fetch_live(self, data):
            """A consumer of a live agreement fetches (drives agreements to exhaustion)."""
            self._fetch(data.draw(st.sampled_from(self._live())), wrong_org=False)

        @precondition(lambda self: self.agreements)
        @rule(data=st.data(), wrong_org=st.booleans())
        def fetch(self, data, wrong_org):
            self._fetch(data.draw(st.sampled_from(sorted(self.agreements))), wrong_org)

        def _fetch(self, agreement_id, wrong_org):
            a = self.agreements[agreement_id]
            signer_org = (MARITIME if a["org"] == TAX else TAX) if wrong_org else a["org"]
            signed = signed_by(fetchers[signer_org], agreement_id, a["offer"])
            reply = self.connector.handle(signed.body())
            expected = self._expected(a, signer_org)
            got = "served" if reply.status == 200 else (reply.error or {})["error"]
            assert got == expected, (a, signer_org, reply.body)
            reached.add(expected)
            if expected == "served":
                a["transfers"] += 1
                self.served += 1
            # The same request again is always a replay, whatever the first answer was.
            assert (self.connector.handle(signed.body()).error or {})["error"] == "replayed"

        def _expected(self, a, signer_org):
            if a["state"] == State.TERMINATED:
                return "terminated"
            if a["state"] != State.FINALIZED:
                return "not_finalized"
            if a["org"] in self.suspended:
                return "consumer_not_live"
            if a["max"] and a["transfers"] >= a["max"]:
                return "exhausted"
            if signer_org != a["org"]:
                return "wrong_organisation"
            if a["purpose"] != "VAT assessment":
                return "purpose"
            return "served"

        @rule(org=st.sampled_from([TAX, MARITIME]))
        def suspend_or_reinstate(self, org):
            other = MARITIME if org == TAX else TAX
            if other in self.suspended:
                return  # keep two live admin organisations to govern
            approvers = [customs_admin, admins[other]]
            if org in self.suspended:
                data_gov.enact("reinstate_org", approvers=approvers, org_id=org)
                self.suspended.discard(org)
            else:
                data_gov.enact("suspend_org", approvers=approvers, org_id=org)
                self.suspended.add(org)
                reached.add("suspended")

        @invariant()
        def log_equals_fetches(self):
            for agreement_id, a in self.agreements.items():
                assert data_client.agreement(agreement_id).transfers == a["transfers"]
            logged = self.connector.journal.entries("logged")
            assert len(logged) == self.served

    profile = settings.default
    assert profile is not None
    run_state_machine_as_test(
        DataSpaceMachine,
        settings=settings(
            deadline=None,
            # Longer runs than the profile's default (an agreement needs offer, request,
            # accept and several fetches to exhaust), half as many: the profile still scales it.
            max_examples=max(10, profile.max_examples // 2),
            stateful_step_count=max(20, profile.stateful_step_count),
        ),
    )
    assert {"served", "terminated", "suspended", "exhausted", "wrong_organisation"} <= reached, (
        reached
    )
