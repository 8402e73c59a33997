"""``ape console --network …``: the trustspace deployment of that network and its helpers.

Binds ``consortium``, ``did``, ``notary`` and ``bus`` from ``deployments/`` and the
helpers of ``trustspace.console`` (type ``helpers()``). A chain without a
deployment record gives a message, not a traceback.
"""


def ape_init_extras(project, networks):
    from trustspace.ape_tuning import tune_ape
    from trustspace.console import namespace

    tune_ape()
    return namespace(project, networks.provider)
