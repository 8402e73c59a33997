"""``ape run deploy``: the ``trustspace deploy`` command group, for those working in the checkout.

    ape run deploy suite --network customs                 # local: test account 0 pays
    ape run deploy suite --network ethereum:qbft:node --account agency-deployer \\
        --config deployments/consortium.example.json
    ape run deploy contract Notary --network customs
    ape run deploy wire --peer tax --network customs
    ape run deploy status --network customs

One implementation (``trustspace.cli.deploy``): ``trustspace deploy …`` is the same command
and works from any folder; ``ape run`` only finds this file inside the checkout.
"""

from trustspace.ape_tuning import tune_ape
from trustspace.cli.deploy import deploy as cli

tune_ape()

__all__ = ["cli"]
