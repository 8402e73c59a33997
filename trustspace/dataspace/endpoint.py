"""Where a provider's connector listens: a service of the provider organisation's DID.

The provider publishes ``did/svc/DataConnector`` = its connector URL on its DID identity (the
``did`` of its Consortium organisation) with ``trustspace did set-attribute``; a consumer
resolves the DID document (:mod:`trustspace.did.resolver`, the did:ethr rules) and takes the
first live ``DataConnector`` service. Nothing else (an offer, a request) says where to connect,
so a consumer only talks to the endpoint the provider's own identity announces.
"""

from __future__ import annotations

from typing import Any

from trustspace.did.resolver import ApeSource, build_document, did_for, history
from trustspace.errors import InputError

__all__ = ["SERVICE_ATTRIBUTE", "SERVICE_TYPE", "connector_endpoint"]

SERVICE_TYPE = "DataConnector"
#: The ERC-1056 attribute name that announces the connector.
SERVICE_ATTRIBUTE = f"did/svc/{SERVICE_TYPE}"
_ZERO = "0x" + "00" * 20


def connector_endpoint(registry: Any, identity: str) -> str:
    """The connector URL the DID ``identity`` announces on ``registry`` (an ape contract)."""
    if identity.lower() == _ZERO:
        raise InputError("the provider organisation has no DID: give the connector URL")
    source = ApeSource(registry)
    events = history(source, identity)
    now = source.block_timestamp(source.latest_block())
    document, deactivated = build_document(
        did_for(identity, source.chain_id), identity, source.chain_id, events, now
    )
    if deactivated:
        raise InputError(f"the provider's DID {did_for(identity, source.chain_id)} is deactivated")
    for service in document.get("service", []):
        endpoint = service.get("serviceEndpoint")
        if (
            service.get("type") == SERVICE_TYPE
            and isinstance(endpoint, str)
            and endpoint.startswith(("http://", "https://"))
        ):
            return endpoint
    raise InputError(
        f"the provider's DID announces no {SERVICE_TYPE} service ({SERVICE_ATTRIBUTE}): "
        "give the connector URL"
    )
