"""The event indexer: every configured chain's logs in SQLite or PostgreSQL (docs/indexer.md).

Readers ask :func:`trustspace.index.source.get_logs` instead of ``w3.eth.get_logs``: it answers
from the index for the blocks the index holds and from the chain for the rest.
"""
