"""``ape console --network …``: the trustspace deployment of that network and its helpers.

Binds ``consortium``, ``did``, ``notary`` and ``bus`` from ``deployments/`` and the
helpers of ``trustspace.console`` (type ``helpers()``). A chain without a
deployment record gives a message, not a traceback.
"""


def ape_init_extras(project, networks):
    from trustspace.ape_tuning import cache_custom_networks
    from trustspace.console import namespace

    cache_custom_networks()
    return namespace(project, networks.provider)
