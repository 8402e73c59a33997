"""The ape workaround applies to the pinned ape and keeps custom networks resolvable."""

from functools import cached_property

from ape.api.networks import EcosystemAPI

from trustspace.ape_tuning import cache_custom_networks


def test_cache_custom_networks__applied_once_and_networks_still_resolve(networks):
    cache_custom_networks()  # conftest applied it already: a second call is a no-op
    assert cache_custom_networks() is False
    assert isinstance(EcosystemAPI.__dict__["_custom_networks"], cached_property)
    ethereum = networks.ethereum
    assert {"hub", "customs", "tax"} <= set(ethereum.networks)
    assert ethereum.get_network("customs").chain_id == 31338
