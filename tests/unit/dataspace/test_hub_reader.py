"""The hub reader: a web3.py contract's view calls spelled as ape spells them."""

from types import SimpleNamespace

from trustspace.dataspace.hub import Web3Reader


def test_web3_reader__view_call__calls_the_function_with_its_arguments():
    seen = []

    def org_by_did(address):
        seen.append(address)
        return SimpleNamespace(call=lambda: 2)

    contract = SimpleNamespace(address="0xabc", functions=SimpleNamespace(org_by_did=org_by_did))
    reader = Web3Reader(contract)

    assert (reader.org_by_did("0x01"), reader.address, seen) == (2, "0xabc", ["0x01"])
