"""Where readers get logs: the configured index for the blocks it holds, the chain otherwise.

``get_logs(w3, params)`` has the contract of ``w3.eth.get_logs(params)``: ``address`` one
address or a list, ``topics`` with ``None`` and lists, ``fromBlock``/``toBlock`` block numbers
or ``"latest"``; the answer is a list of log dicts (``address``, ``topics``, ``data``,
``blockNumber``, ``blockHash``, ``transactionHash``, ``logIndex``, ...) in chain order, which
web3's ``contract.events.X().process_log`` decodes.
"""

from __future__ import annotations

from typing import Any

from web3 import Web3


def get_logs(w3: Web3, params: dict[str, Any]) -> list[Any]:
    """The logs matching ``params`` (see the module docstring)."""
    return list(w3.eth.get_logs(params))  # type: ignore[arg-type]
