"""Every MessageBus custom error is asserted by a test, and the rarer ones are asserted here."""

import re
from pathlib import Path

import ape
import pytest
from eth_utils.crypto import keccak

from tests.utils.bus_harness import (
    DELIVERY_GAS,
    ORIGIN,
    ORIGIN_BUS,
    OTHER_ORIGIN,
    RECIPIENT_GAS,
    govern,
    sign,
)
from trustspace.bus.message import VERSION

ROOT = Path(__file__).resolve().parents[3]
INTERFACE = ROOT / "interfaces" / "IMessageBus.sol"


def _asserted(name: str, text: str) -> bool:
    """An exact revert assertion (``ape.reverts(<contract>.Name``) or a check of the error's
    selector in returned data (``keccak(text="Name(…)")``)."""
    return bool(
        re.search(rf"reverts\(\s*[\w.\[\]]+\.{name}\b", text)
        or re.search(rf"""text=["']{name}\(""", text)
    )


def test_every_message_bus_error__asserted_somewhere_under_tests():
    names = re.findall(r"^\s*error (MessageBus\w+)\(", INTERFACE.read_text(), re.MULTILINE)
    assert len(names) > 30
    here = Path(__file__).resolve()
    sources = [p.read_text() for p in (ROOT / "tests").rglob("*.py") if p.resolve() != here]
    # This file asserts errors too; its scanner strings do not match the patterns above.
    sources.append(here.read_text())
    missing = [n for n in names if not any(_asserted(n, s) for s in sources)]
    assert missing == []


def test_set_validators__zero_origin_bus__reverts(
    bus_setup, bus_gov, bus_approvers, validator_keys
):
    keys = sorted((k.address for k in validator_keys.values()), key=lambda a: int(a, 16))
    zero = "0x" + "00" * 20
    with ape.reverts(bus_setup.MessageBusZeroOriginBus, origin=OTHER_ORIGIN):
        govern(bus_gov, bus_approvers, bus_setup, "setValidators", OTHER_ORIGIN, zero, keys, 1)


@pytest.mark.parametrize("size", [0, 65])
def test_set_validators__empty_or_above_maximum__reverts(bus_setup, bus_gov, bus_approvers, size):
    keys = ["0x" + f"{i + 1:040x}" for i in range(size)]
    with ape.reverts(bus_setup.MessageBusBadValidatorCount, count=size, max=64):
        govern(
            bus_gov, bus_approvers, bus_setup, "setValidators", OTHER_ORIGIN, ORIGIN_BUS, keys, 1
        )


def test_set_validators__organisation_id_above_255__reverts(project, deployer, validator_keys):
    # The real Consortium stops at 64 organisations; a stub reports id 256.
    stub = deployer.deploy(project.StubConsortium)
    bus = deployer.deploy(project.MessageBus, stub, RECIPIENT_GAS)
    key = validator_keys["tax"]
    stub.setOrg(key, 256, sender=deployer)
    data = bus.setValidators.encode_input(ORIGIN, ORIGIN_BUS, [key.address], 1)
    with ape.reverts(bus.MessageBusOrgIdTooLarge, validator=key.address, org=256):
        stub.forward(bus, data, sender=deployer)
    stub.setOrg(key, 255, sender=deployer)
    stub.forward(bus, data, sender=deployer)
    assert bus.validators(ORIGIN) == ([key.address], [255])


@pytest.mark.parametrize("raw", [b"\x02" * 76, bytes([1]) + b"\x00" * 100], ids=["short", "v1"])
def test_process__short_or_old_version_message__reverts(bus_setup, relayer, raw):
    assert VERSION == 2
    with ape.reverts(bus_setup.MessageBusMalformedMessage, position=0):
        bus_setup.process(b"\x01" * 32, 0, b"", raw, [], sender=relayer, gas_limit=DELIVERY_GAS)


def test_process__proof_above_tree_depth__reverts(
    bus_setup, origin_sim, recorder, three_signers, relayer
):
    message = origin_sim.add(recorder)
    cp = origin_sim.checkpoint()
    with ape.reverts(bus_setup.MessageBusBadProofShape, height=33, siblings=33):
        bus_setup.process(
            cp.root, cp.index, sign(cp, three_signers), message.encode(), [b"\x00" * 32] * 33,
            sender=relayer, gas_limit=DELIVERY_GAS,
        )  # fmt: skip


def test_drop_validator__key_not_in_the_set__reverts(bus_setup, outsider):
    with ape.reverts(bus_setup.MessageBusUnknownSigner, signer=outsider.address):
        bus_setup.dropValidator(ORIGIN, outsider, sender=outsider)


def test_getters__consortium_gas_cap_and_message_id(bus_setup, five_org_consortium):
    assert bus_setup.consortium() == five_org_consortium.address
    assert bus_setup.recipientGas() == RECIPIENT_GAS
    assert bus_setup.VERSION() == VERSION
    raw = b"\x02" + b"\x11" * 90
    assert bytes(bus_setup.messageId(raw)) == keccak(raw)
