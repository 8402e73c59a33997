"""The data space: dataset offers, usage policies, agreements, signed requests, the connector.

See docs/dataspace.md for the model and for what is enforced on chain and what by the connector.
"""
