"""The data space demo: customs shares declaration data with tax for "VAT assessment".

:func:`run_dataspace_demo` runs on whatever chain ape is connected to (a local anvil chain in
the full demo and its test) with a deployed DataService (and, for the attestation step, the
Notary):

1. customs publishes an offer (policy: purpose "VAT assessment", consumers of kind TAX, at most
   10 transfers) and notarizes the dataset's digest;
2. tax requests an agreement for "VAT assessment"; customs accepts (agreed → finalized);
3. customs' connector runs on 127.0.0.1 (FastAPI + uvicorn, in a thread here) and customs
   announces it as the ``did/svc/DataConnector`` service of its DID; tax resolves it there;
4. a tax clerk fetches the dataset with a signed request and verifies it against the digest
   logged on chain and customs' attestation in the Notary;
5. the supervisor's log shows the agreement, the transfer and the totals per purpose;
6. customs terminates the agreement; the next fetch is refused ("agreement terminated").
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trustspace.consortium.constants import OrgKind
from trustspace.crypto.hashing import hash_bytes, hash_json, keccak, to_hex
from trustspace.dataspace.audit import audit_log
from trustspace.dataspace.client import DataServiceClient
from trustspace.dataspace.connector import Connector, Dataset, serve_in_background
from trustspace.dataspace.consumer import RefusedError, fetch
from trustspace.dataspace.endpoint import SERVICE_ATTRIBUTE, connector_endpoint
from trustspace.dataspace.journal import Journal
from trustspace.dataspace.policy import Policy
from trustspace.dataspace.request import sign_request
from trustspace.devnet.chains import free_port
from trustspace.did.registry import str_to_bytes32
from trustspace.notary.client import NotaryClient

__all__ = ["DECLARATIONS", "PURPOSE", "run_dataspace_demo"]

PURPOSE = "VAT assessment"
#: The dataset customs offers (a CSV extract of declarations).
DECLARATIONS = (
    "declaration,importer,hs_code,customs_value,currency\n"
    "CD-2026-0001,ACME Trading,8471.30,125000,EUR\n"
    "CD-2026-0002,Blue Harbour Ltd,0901.21,48200,EUR\n"
    "CD-2026-0003,Nordic Parts,8708.99,9900,EUR\n"
)


def _signer(account: Any) -> Callable[[Any], bytes]:
    def sign(message: Any) -> bytes:
        return bytes(account.sign_message(message).encode_rsv())

    return sign


def run_dataspace_demo(
    client: DataServiceClient,
    *,
    customs_admin: Any,
    tax_admin: Any,
    connector_account: Any,
    tax_clerk: Any,
    notary: NotaryClient | None = None,
    registry: Any | None = None,
    folder: Path | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the scenario; returns what happened (ids, digests, the log, the refusal).

    Needs: ``customs_admin`` an ADMIN of customs, ``tax_admin`` an ADMIN of tax,
    ``connector_account`` a NOTARY account of customs, ``tax_clerk`` any account of tax (it
    signs the data request; ape accounts, keystore or test). With ``notary`` the dataset is
    attested by customs and the fetch requires that attestation. With ``registry`` (the
    DIDRegistry) customs' ADMIN, owner of customs' DID identity, announces the connector there
    and tax finds it by resolving that DID.
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="trustspace-dataspace-"))
    folder.mkdir(parents=True, exist_ok=True)
    dataset = folder / "declarations.csv"
    dataset.write_text(DECLARATIONS)
    policy = Policy(purposes=(PURPOSE,), consumer_kinds=(OrgKind.TAX,), max_transfers=10)
    description = {"title": "Customs declarations", "format": "text/csv", "rows": 3}
    offer_id, _ = client.publish_offer(
        "Customs declarations",
        keccak(b"customs-declaration/1.0"),
        hash_json(description),
        policy,
        sender=customs_admin,
    )
    say(f"customs offers dataset {offer_id} (policy {to_hex(policy.digest())[:18]}…)")
    if notary is not None:
        schema = notary.register_schema(
            "customs-declaration-extract", "1.0", sender=connector_account
        )
        notary.attest(hash_bytes(dataset.read_bytes()), schema, sender=connector_account)
        say("customs notarizes the dataset's digest")
    agreement_id, _ = client.request(offer_id, PURPOSE, sender=tax_admin)
    say(f"tax requests agreement {agreement_id} for {PURPOSE!r}")
    client.accept(agreement_id, sender=customs_admin)
    say(f"customs accepts: agreement {agreement_id} is {client.agreement(agreement_id).state.name}")

    port = free_port()
    connector = Connector(
        client,
        connector_account,
        f"http://127.0.0.1:{port}",
        {offer_id: Dataset(offer_id, dataset, policy)},
        Journal(folder / "connector.sqlite"),
    )
    with serve_in_background(connector, port) as url:
        say(f"customs' connector listens on {url}")
        if registry is not None:
            provider = client.agreement(agreement_id).provider_org
            identity = str(client.consortium.organisation(provider).did)
            registry.setAttribute(
                identity,
                str_to_bytes32(SERVICE_ATTRIBUTE),
                url.encode(),
                86400,
                sender=customs_admin,
            )
            resolved = connector_endpoint(registry, identity)
            say(f"tax resolves customs' DID: {SERVICE_ATTRIBUTE} = {resolved}")
            url = resolved

        def request() -> Any:
            return sign_request(
                _signer(tax_clerk),
                tax_clerk.address,
                agreement_id,
                offer_id,
                url,
                client.chain_id,
                client.address,
            )

        result = fetch(
            url, request(), client, notary=notary, require_attestation=notary is not None
        )
        say(
            f"tax fetches {len(result.payload)} bytes; digest {to_hex(result.digest)[:18]}… "
            f"matches the transfer log" + (" and customs' attestation" if result.attested else "")
        )
        log = audit_log(client, provider_org=client.agreement(agreement_id).provider_org)
        for purpose, total in log["totals"].items():
            say(
                f"supervisor: {purpose!r}: {total['transfers']} transfer(s), {total['bytes']} bytes"
            )
        client.terminate(agreement_id, "assessment closed", sender=customs_admin)
        say(f"customs terminates agreement {agreement_id}")
        try:
            fetch(url, request(), client)
            refusal = None
        except RefusedError as err:
            refusal = err.reason
            say(f"tax fetches again: refused ({refusal})")
    return {
        "offer_id": offer_id,
        "endpoint": url,
        "agreement_id": agreement_id,
        "payload": result.payload,
        "digest": result.digest,
        "attested": result.attested,
        "log": log,
        "refusal": refusal,
    }
