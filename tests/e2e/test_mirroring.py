"""End to end on three local anvil chains: a customs attestation mirrored to tax and revoked.

Five validator organisations sign customs' checkpoints (threshold 3) as separate
processes; one relayer process delivers; the tax Notary answers the validity query
for the foreign record, first VALID and then REVOKED.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_utils.crypto import keccak
from web3.logs import DISCARD

from tests.utils.bus_local import (
    RELAYER_INDEX,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from trustspace.bus.web3tx import TxSender
from trustspace.cli.bus import bus as bus_group
from trustspace.consortium.constants import Action, Role
from trustspace.devnet.chains import local_chains

pytestmark = pytest.mark.anvil

VALID, REVOKED = 1, 2


def wait_for(predicate, timeout=90.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_attestation_on_customs__mirrored_to_tax__then_revoked(tmp_path, customs_notary):
    with local_chains() as chains:
        env = LocalBus(chains)
        deps = env.deploy()
        customs, tax = deps["customs"], deps["tax"]
        for dep in (customs, tax):
            dep.extra["notary"] = env.sender(dep.name).deploy("Notary", dep.consortium.address)
        for dep, peer in ((customs, tax), (tax, customs)):
            notary = dep.extra["notary"]
            env.govern(dep.name, Action.CALL, target=notary.address,
                       data=notary.functions.setBus(dep.bus.address)._encode_transaction_data())  # fmt: skip
            env.govern(dep.name, Action.CALL, target=notary.address,
                       data=notary.functions.setPeer(peer.chain_id, peer.extra["notary"].address)._encode_transaction_data())  # fmt: skip
            env.allow_sender(dep.name, notary.address)
        # The web3.py stack signs with the same test key (anvil and ape share the mnemonic).
        clerk = Account.from_key(customs_notary.private_key)
        env.govern("customs", Action.ADD_ACCOUNT, org_id=1, account=clerk.address)
        env.govern("customs", Action.GRANT_ROLE, account=clerk.address, roles=Role.NOTARY)
        config = write_config(deps, tmp_path)
        daemons = [spawn_validator(config, "customs", key) for key in env.validators]
        daemons.append(
            spawn_relayer(
                config, mnemonic_key(RELAYER_INDEX), "--db", str(tmp_path / "relay.sqlite")
            )
        )
        try:
            origin = customs.extra["notary"]
            clerk_tx = TxSender(customs.w3, clerk)
            clerk_tx.transact(
                origin.functions.registerSchema("customs-declaration", "1.0", b"\x00" * 32, "")
            )
            digest = keccak(b"customs declaration 2026-000042")
            clerk_tx.transact(origin.functions.attest(digest, 1, b"\x00" * 32, 0))
            record_id = origin.functions.recordId(digest, 1).call()
            assert origin.functions.isValid(record_id).call()

            receipt = clerk_tx.transact(origin.functions.mirror(record_id, tax.chain_id))
            (mirrored,) = origin.events.Mirrored().process_receipt(receipt, errors=DISCARD)
            message_id = bytes(mirrored["args"]["messageId"])

            there = tax.extra["notary"]
            foreign = there.functions.foreignId(customs.chain_id, record_id).call()
            assert wait_for(lambda: there.functions.status(foreign).call() == VALID), "not mirrored"
            assert there.functions.isValid(foreign).call()
            assert tuple(there.functions.foreignOrigin(foreign).call()) == (
                customs.chain_id,
                record_id,
            )
            assert there.functions.record(foreign).call()[0] == 1  # attesting organisation: customs

            status = CliRunner().invoke(
                bus_group, ["status", "--config", str(config), "0x" + message_id.hex(), "--json"]
            )
            assert status.exit_code == 0, status.output
            report = json.loads(status.output)
            assert report["state"] == "delivered"
            assert len({org for org in report["signers"].values() if org}) >= 3

            # The revocation follows the same way.
            clerk_tx.transact(origin.functions.revoke(record_id, 2))
            clerk_tx.transact(origin.functions.mirror(record_id, tax.chain_id))
            assert wait_for(lambda: there.functions.status(foreign).call() == REVOKED), (
                "revocation not mirrored"
            )
            assert not there.functions.isValid(foreign).call()
        finally:
            for process in daemons:
                stop(process)
