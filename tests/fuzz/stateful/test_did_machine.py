"""Stateful test: the registry and the resolver against a Python model.

Rules change owners, add/revoke delegates with expiry, set/revoke attributes,
deactivate, and move time. After every step the contract's views equal the
model's, and the resolved document of every identity equals the model's.
"""

from __future__ import annotations

from typing import Any

import ape
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.fuzz.strategies import did as s
from tests.utils.did_model import IdentityModel
from trustspace.deploy.did import deploy_registry
from trustspace.did import registry as reg
from trustspace.did.registry import str_to_bytes32
from trustspace.did.resolver import NULL_ADDRESS, ReceiptSource, Resolver, did_for


def test_registry_matches_model(
    project: Any,
    chain: Any,
    deployer: Any,
    forex_admin: Any,
    ministry_admin: Any,
    customs_notary: Any,
    tax_notary: Any,
    outsider: Any,
) -> None:
    # Four keys that own, delegate and sign for identities (any agency's keys will do),
    # and a payer that sends the meta-transactions.
    keys = [ministry_admin, customs_notary, tax_notary, outsider]
    payer_key = forex_admin

    class RegistryMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snap = chain.snapshot()
            self.registry = deploy_registry(deployer)
            self.source = ReceiptSource(self.registry)
            self.resolver = Resolver([self.source])
            self.ids = {k.address: IdentityModel(k.address) for k in keys[:2]}
            self.nonces: dict[str, int] = {}

        def _actor(self, model: IdentityModel) -> Any:
            owner = model.current_owner()
            return next(k for k in keys if k.address == owner)

        def _now(self, tx: Any) -> int:
            return int(chain.blocks[tx.block_number].timestamp)

        @rule(ident=st.integers(0, 1), to=st.integers(0, 3), deactivate=st.booleans())
        def change_owner(self, ident: int, to: int, deactivate: bool) -> None:
            model = self.ids[keys[ident].address]
            new = NULL_ADDRESS if deactivate and to == 0 else keys[to].address
            if model.deactivated:
                with ape.reverts("did: deactivated"):
                    self.registry.changeOwner(model.address, new, sender=keys[to])
                return
            tx = self.source.record(
                self.registry.changeOwner(model.address, new, sender=self._actor(model))
            )
            model.change_owner(new, tx.block_number)

        @rule(
            ident=st.integers(0, 1),
            kind=s.delegate_types,
            d=st.integers(0, 3),
            validity=s.validities,
        )
        def add_delegate(self, ident: int, kind: str, d: int, validity: int) -> None:
            model = self.ids[keys[ident].address]
            if model.deactivated:
                return
            tx = self.source.record(
                self.registry.addDelegate(
                    model.address,
                    str_to_bytes32(kind),
                    keys[d],
                    validity,
                    sender=self._actor(model),
                )
            )
            model.set_delegate(kind, keys[d].address, self._now(tx) + validity, tx.block_number)

        @rule(ident=st.integers(0, 1), kind=s.delegate_types, d=st.integers(0, 3))
        def revoke_delegate(self, ident: int, kind: str, d: int) -> None:
            model = self.ids[keys[ident].address]
            if model.deactivated:
                return
            tx = self.source.record(
                self.registry.revokeDelegate(
                    model.address, str_to_bytes32(kind), keys[d], sender=self._actor(model)
                )
            )
            model.set_delegate(kind, keys[d].address, self._now(tx), tx.block_number)

        @rule(
            ident=st.integers(0, 1),
            name=s.attribute_names,
            value=s.attribute_values,
            validity=s.validities,
            revoke=st.booleans(),
        )
        def attribute(
            self, ident: int, name: str, value: bytes, validity: int, revoke: bool
        ) -> None:
            model = self.ids[keys[ident].address]
            if model.deactivated:
                return
            actor = self._actor(model)
            if revoke:
                tx = self.registry.revokeAttribute(
                    model.address, str_to_bytes32(name), value, sender=actor
                )
                valid_to = 0
            else:
                tx = self.registry.setAttribute(
                    model.address, str_to_bytes32(name), value, validity, sender=actor
                )
                valid_to = self._now(tx) + validity
            self.source.record(tx)
            model.set_attribute(name, value, valid_to, tx.block_number)

        @rule(ident=st.integers(0, 1), outsider=st.integers(0, 3))
        def outsider_is_rejected(self, ident: int, outsider: int) -> None:
            model = self.ids[keys[ident].address]
            if model.deactivated or keys[outsider].address == model.current_owner():
                return
            with ape.reverts("did: not owner"):
                self.registry.setAttribute(
                    model.address, str_to_bytes32("did/svc/X"), b"x", 60, sender=keys[outsider]
                )

        @rule(
            ident=st.integers(0, 1),
            op=st.sampled_from(
                ["changeOwner", "addDelegate", "revokeDelegate", "setAttribute", "revokeAttribute"]
            ),
            other=st.integers(0, 3),
            wrong_signer=st.booleans(),
            validity=s.validities,
        )
        def signed(
            self, ident: int, op: str, other: int, wrong_signer: bool, validity: int
        ) -> None:
            """A meta-transaction: the owner (or an impostor) signs, a payer sends."""
            model = self.ids[keys[ident].address]
            if model.deactivated:
                return
            owner = self._actor(model)
            signer = keys[(keys.index(owner) + 1) % len(keys)] if wrong_signer else owner
            payer = payer_key
            nonce = self.nonces.get(owner.address, 0)
            addr, target = self.registry.address, keys[other]
            kind, name, value = str_to_bytes32("sigAuth"), "did/svc/Relay", b"https://relay"
            if op == "changeOwner":
                digest = reg.change_owner_digest(addr, nonce, model.address, target)
                args: tuple[Any, ...] = (target,)
            elif op == "addDelegate":
                digest = reg.add_delegate_digest(addr, nonce, model.address, kind, target, validity)
                args = (kind, target, validity)
            elif op == "revokeDelegate":
                digest = reg.revoke_delegate_digest(addr, nonce, model.address, kind, target)
                args = (kind, target)
            elif op == "setAttribute":
                digest = reg.set_attribute_digest(
                    addr, nonce, model.address, str_to_bytes32(name), value, validity
                )
                args = (str_to_bytes32(name), value, validity)
            else:
                digest = reg.revoke_attribute_digest(
                    addr, nonce, model.address, str_to_bytes32(name), value
                )
                args = (str_to_bytes32(name), value)
            sig = reg.sign_digest(digest, signer.private_key)
            method = getattr(self.registry, op + "Signed")
            if wrong_signer:
                with ape.reverts("did: signer not owner"):
                    method(model.address, *sig.args(), *args, sender=payer)
                return
            tx = self.source.record(method(model.address, *sig.args(), *args, sender=payer))
            self.nonces[owner.address] = nonce + 1
            now = self._now(tx)
            if op == "changeOwner":
                model.change_owner(target.address, tx.block_number)
            elif op == "addDelegate":
                model.set_delegate("sigAuth", target.address, now + validity, tx.block_number)
            elif op == "revokeDelegate":
                model.set_delegate("sigAuth", target.address, now, tx.block_number)
            elif op == "setAttribute":
                model.set_attribute(name, value, now + validity, tx.block_number)
            else:
                model.set_attribute(name, value, 0, tx.block_number)

        @rule(ident=st.integers(0, 1), pick=st.integers(0, 1000))
        def past_version_matches_model(self, ident: int, pick: int) -> None:
            """Historical resolution (versionId = block) equals the model as of that block."""
            model = self.ids[keys[ident].address]
            if not model.changes:
                return
            block = model.changes[pick % len(model.changes)].block
            then = int(chain.blocks[block].timestamp)
            result = self.resolver.resolve(did_for(model.address, chain.chain_id), at_block=block)
            expected, _ = model.document(chain.chain_id, then, upto_block=block)
            assert result.document == expected
            assert result.document_metadata["versionId"] == str(block)

        @rule(seconds=s.time_steps)
        def time_passes(self, seconds: int) -> None:
            chain.pending_timestamp += seconds
            chain.mine()

        @invariant()
        def contract_matches_model(self) -> None:
            now = int(chain.blocks.head.timestamp)
            for model in self.ids.values():
                assert self.registry.identityOwner(model.address) == model.current_owner()
                assert self.registry.changed(model.address) == model.changed
            for key in keys:
                expected_nonce = self.nonces.get(key.address, 0)
                assert self.registry.call_view_method("nonce", key) == expected_nonce
                for kind, delegate in model.delegations:
                    assert self.registry.validDelegate(
                        model.address, str_to_bytes32(kind), delegate
                    ) == model.valid_delegate(kind, delegate, now)

        @invariant()
        def document_matches_model(self) -> None:
            now = int(chain.blocks.head.timestamp)
            for model in self.ids.values():
                result = self.resolver.resolve(did_for(model.address, chain.chain_id))
                expected, deactivated = model.document(chain.chain_id, now)
                assert result.document == expected
                assert bool(result.document_metadata.get("deactivated")) == deactivated

        def teardown(self) -> None:
            chain.restore(self.snap)

    profile = settings()
    run_state_machine_as_test(
        RegistryMachine,
        # The quick profile's 25 examples are trimmed to stay inside the suite's
        # time budget; a deep profile (HYPOTHESIS_PROFILE=deep) runs in full.
        settings=settings(
            deadline=None,
            max_examples=min(15, profile.max_examples)
            if profile.max_examples <= 25
            else profile.max_examples,
            stateful_step_count=profile.stateful_step_count,
        ),
    )
