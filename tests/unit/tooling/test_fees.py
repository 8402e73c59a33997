"""The fee policy (trustspace.fees) against scripted nodes: which type, which prices, who
cannot pay, and the per-network settings."""

import pytest

from trustspace.errors import InputError, UnreachableError
from trustspace.fees import (
    ENV,
    MAX_ENV,
    FeeError,
    FeeQuote,
    FeeSettings,
    NetworkFees,
    max_gas_price,
    settings_from_env,
)

GWEI = 10**9
SENDER = "0x00000000000000000000000000000000000000A1"


class Node:
    """A JSON-RPC node answering from a table; a missing method is refused as unknown."""

    def __init__(self, base_fee=None, gas_price=GWEI, tip=GWEI, rewards=None):
        block = {"number": "0x5"}
        if base_fee is not None:
            block["baseFeePerGas"] = hex(base_fee)
        self.answers = {"eth_getBlockByNumber": block, "eth_gasPrice": hex(gas_price)}
        if tip is not None:
            self.answers["eth_maxPriorityFeePerGas"] = hex(tip)
        if rewards is not None:
            self.answers["eth_feeHistory"] = {"reward": [[hex(r)] for r in rewards]}
        self.asked = []

    def __call__(self, method, params):
        self.asked.append(method)
        if method not in self.answers:
            raise ValueError(f"the method {method} does not exist/is not available")
        return self.answers[method]


def test_quote__node_with_base_fee__dynamic_with_node_tip_and_room_for_the_base_fee():
    quote = NetworkFees(Node(base_fee=7 * GWEI, tip=2 * GWEI), 2026).quote()
    assert quote == FeeQuote(False, 16 * GWEI, 2 * GWEI, 7 * GWEI)
    assert quote.params() == {
        "type": 2,
        "maxFeePerGas": 16 * GWEI,
        "maxPriorityFeePerGas": 2 * GWEI,
    }


def test_quote__node_without_base_fee__legacy_at_the_node_gas_price():
    quote = NetworkFees(Node(base_fee=None, gas_price=3 * GWEI), 2026).quote()
    assert quote == FeeQuote(True, 3 * GWEI, 3 * GWEI, None)
    assert quote.params() == {"gasPrice": 3 * GWEI}  # no "type": eth-account signs it as legacy


def test_quote__no_priority_fee_method__median_reward_of_the_fee_history():
    node = Node(base_fee=GWEI, tip=None, rewards=[5, 1, 3])
    assert NetworkFees(node, 2026).quote().tip == 3
    assert "eth_feeHistory" in node.asked


def test_quote__neither_tip_method__gas_price_above_the_base_fee():
    node = Node(base_fee=GWEI, gas_price=4 * GWEI, tip=None)
    assert NetworkFees(node, 2026).quote().tip == 3 * GWEI


def test_quote__legacy_setting_on_a_london_chain__legacy_at_the_node_gas_price():
    fees = NetworkFees(Node(base_fee=0, gas_price=GWEI), 2026, FeeSettings("legacy"))
    assert fees.quote() == FeeQuote(True, GWEI, GWEI, 0)


def test_quote__fixed_gas_price__used_for_either_type_without_asking_for_a_price():
    node = Node(base_fee=0)
    assert NetworkFees(node, 2026, FeeSettings("legacy", 0)).quote().price == 0
    assert NetworkFees(node, 2026, FeeSettings("auto", 0)).quote() == FeeQuote(False, 0, 0, 0)
    assert "eth_gasPrice" not in node.asked and "eth_maxPriorityFeePerGas" not in node.asked


def test_quote__dynamic_setting_on_a_chain_without_base_fee__says_to_set_legacy():
    with pytest.raises(InputError, match=r"chain 2026 has no base fee.*legacy"):
        NetworkFees(Node(base_fee=None), 2026, FeeSettings("dynamic")).quote()


def test_payable__zero_base_fee_and_no_balance__offered_at_price_zero():
    fees = NetworkFees(Node(base_fee=0, tip=GWEI), 2026)
    quote = fees.quote()
    assert quote.price == GWEI
    assert fees.payable(quote, SENDER, balance=0, gas=100_000) == FeeQuote(False, 0, 0, 0)


def test_payable__funded_account__keeps_the_node_price():
    fees = NetworkFees(Node(base_fee=0, tip=GWEI), 2026)
    quote = fees.quote()
    assert fees.payable(quote, SENDER, balance=10**18, gas=100_000) == quote


def test_payable__fee_charging_chain_and_no_balance__names_account_chain_and_amount():
    fees = NetworkFees(Node(base_fee=GWEI, tip=GWEI), 2026)
    with pytest.raises(FeeError) as caught:
        fees.payable(fees.quote(), SENDER, balance=5, gas=100_000)
    message = str(caught.value)
    assert f"account {SENDER} cannot pay for this transaction on chain 2026" in message
    assert "needs up to 300,000,000,000,000 wei (100,000 gas × 3,000,000,000 wei)" in message
    assert "holds 5" in message
    assert isinstance(caught.value, InputError)


def test_payable__fixed_nonzero_price_and_no_balance__is_refused_not_lowered():
    fees = NetworkFees(Node(base_fee=0), 2026, FeeSettings("legacy", GWEI))
    with pytest.raises(FeeError, match="cannot pay"):
        fees.payable(fees.quote(), SENDER, balance=0, gas=21_000)


def test_payable__value_the_account_lacks__refused_even_at_price_zero():
    fees = NetworkFees(Node(base_fee=0), 2026)
    with pytest.raises(FeeError, match=r"\+ 10 wei sent"):
        fees.payable(fees.quote(), SENDER, balance=0, gas=21_000, value=10)


def test_cannot_pay__node_refused_price_zero__says_the_network_charges_fees():
    error = NetworkFees(Node(), 2026).cannot_pay(SENDER, None, None, 21_000, 0, 0)
    assert "refused it at gas price 0, so this network charges fees" in str(error)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("legacy", FeeSettings("legacy")),
        ("legacy:0", FeeSettings("legacy", 0)),
        (" Dynamic:0x3b9aca00 ", FeeSettings("dynamic", GWEI)),
        ("auto", FeeSettings()),
    ],
)
def test_settings_parse__type_and_optional_price(text, expected):
    assert FeeSettings.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("eip1559", "must be one of"),
        ("legacy:-1", "whole number"),
        ("legacy:cheap", "whole number"),
    ],
)
def test_settings_parse__malformed__input_error_says_what_is_wrong(text, problem):
    with pytest.raises(InputError, match=problem):
        FeeSettings.parse(text)


def test_settings_from_env__chain_entry_wins_over_the_default_entry():
    environ = {ENV: "legacy:0, 2027=dynamic"}
    assert settings_from_env(2027, environ) == FeeSettings("dynamic")
    assert settings_from_env(2026, environ) == FeeSettings("legacy", 0)
    assert settings_from_env(2026, {ENV: "2027=legacy"}) is None
    assert settings_from_env(2026, {}) is None


def test_settings_from_env__entry_without_chain_id__input_error():
    with pytest.raises(InputError, match="does not start with a chain id"):
        settings_from_env(2026, {ENV: "hub=legacy"})


def test_settings_merged__explicit_parts_of_the_other_win():
    network = FeeSettings("legacy", None)
    assert network.merged(FeeSettings("auto", 0)) == FeeSettings("legacy", 0)
    assert network.merged(FeeSettings("dynamic")) == FeeSettings("dynamic")
    assert network.merged(None) == network


# ------------------------------------------------------------ a hostile node's prices


@pytest.mark.parametrize("legacy", [True, False])
def test_quote__node_asks_above_the_ceiling__refused_before_signing(legacy, monkeypatch):
    """A node that answers 10**15 wei per gas would have a 100-ether account pay it all."""
    monkeypatch.delenv(MAX_ENV, raising=False)
    node = Node(base_fee=None if legacy else 10**15, gas_price=10**15, tip=GWEI)
    with pytest.raises(FeeError, match="above the ceiling of 10,000,000,000,000"):
        NetworkFees(node, 2026).quote()


def test_quote__ceiling_raised_by_the_operator__accepted(monkeypatch):
    monkeypatch.setenv(MAX_ENV, str(10**16))
    assert NetworkFees(Node(gas_price=10**15), 2026).quote().price == 10**15


def test_quote__operator_fixed_price_above_the_ceiling__theirs_to_choose(monkeypatch):
    monkeypatch.delenv(MAX_ENV, raising=False)
    fees = NetworkFees(Node(), 2026, FeeSettings("legacy", 10**15))
    assert fees.quote().price == 10**15


@pytest.mark.parametrize("answer", ["-0x5", "0x" + "f" * 65, "twelve", [1], None, True])
def test_quote__node_answers_no_quantity__unreachable_not_a_price(answer):
    node = Node()
    node.answers["eth_gasPrice"] = answer
    with pytest.raises(UnreachableError, match="the node answered"):
        NetworkFees(node, 2026).quote()


def test_max_gas_price__malformed_setting__one_line():
    with pytest.raises(InputError, match="TRUSTSPACE_MAX_GAS_PRICE='lots'"):
        max_gas_price({MAX_ENV: "lots"})
