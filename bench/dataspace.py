"""Data space figures: fetches per second and latency through the connector with logging on,
gas per logged transfer (one by one and batched), gas of offer, request and accept.

Run with ``PYTHONPATH=. .venv/bin/python -m bench.dataspace`` (``make bench`` runs it as its
``dataspace`` section). One anvil chain through ape (``ethereum:local:foundry``): the Consortium
(customs, tax), the DataService, customs' connector (FastAPI + uvicorn on 127.0.0.1, in a
thread of this process, the same code as ``trustspace connector run``) and consumers that sign
each request (EIP-712) and POST it over HTTP with ``requests``, then verify the payload against
the digest logged on chain. Gas from anvil receipts (never boa's, which leaves out intrinsic
gas). Latency is wall-clock per request, client side, including the log transaction the
connector waits for (anvil automines).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.results import Figure

GROUP = "Data space"
FETCHES = 100
CONCURRENCY = 4
BATCH_SIZES = (16, 128)

#: One line for the method table of docs/performance.md.
METHOD = (
    "one anvil chain through ape; customs' connector (FastAPI + uvicorn, 127.0.0.1) logging "
    "every transfer on chain (logTransfer, or batches); consumers sign EIP-712 requests and "
    "POST them with requests, then check the logged digest; gas from anvil receipts"
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(fetches: int) -> dict[str, Any]:
    """Deploy, negotiate, fetch through the connector; return the figures."""
    import requests
    from ape import accounts, networks, project

    from trustspace.ape_tuning import tune_ape
    from trustspace.consortium.constants import OrgKind, Role
    from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
    from trustspace.crypto.hashing import hash_bytes
    from trustspace.dataspace.client import DataServiceClient
    from trustspace.dataspace.connector import Connector, Dataset, serve_in_background
    from trustspace.dataspace.journal import Journal
    from trustspace.dataspace.policy import Policy
    from trustspace.dataspace.records import TransferRecord
    from trustspace.dataspace.request import key_signer, sign_request
    from trustspace.devnet.chains import free_port

    tune_ape()
    test = accounts.test_accounts
    deployer, customs, tax, connector_key = test[0], test[1], test[3], test[7]
    clerks = [test[i] for i in (11, 12, 13, 14)]
    out: dict[str, Any] = {}
    with networks.parse_network_choice("ethereum:local:foundry"):
        consortium = deploy_consortium(
            project,
            deployer,
            [
                OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs]),
                OrgSeed("Tax Administration", OrgKind.TAX, [tax]),
            ],
            threshold=2,
        )
        gov = Governance(consortium)
        gov.enact("add_account", approvers=[customs, tax], org_id=1, account=connector_key)
        gov.enact("grant_role", approvers=[customs, tax], account=connector_key, roles=Role.NOTARY)
        for clerk in clerks:
            gov.enact("add_account", approvers=[customs, tax], org_id=2, account=clerk)
        client = DataServiceClient(deployer.deploy(project.DataService, consortium))
        policy = Policy(purposes=("VAT assessment",), consumer_kinds=(OrgKind.TAX,))
        offer_id, tx = client.publish_offer(
            "Customs declarations", b"\x01" * 32, b"\x02" * 32, policy, sender=customs
        )
        out["gas_offer"] = int(tx.gas_used)
        agreement_id, tx = client.request(offer_id, "VAT assessment", sender=tax)
        out["gas_request"] = int(tx.gas_used)
        out["gas_accept"] = int(client.accept(agreement_id, sender=customs).gas_used)

        # Gas per logged transfer: one by one (the second and later: warm agreement slot).
        gas_single = []
        for n in range(5):
            record = TransferRecord(
                agreement_id, clerks[0].address, hash_bytes(b"p%d" % n), 1000,
                hash_bytes(b"r%d" % n), 0,
            )  # fmt: skip
            gas_single.append(int(client.log_transfer(record, sender=connector_key)[1].gas_used))
        out["gas_log_transfer"] = int(statistics.median(gas_single[1:]))
        for size in BATCH_SIZES:
            records = [
                TransferRecord(
                    agreement_id,
                    clerks[0].address,
                    hash_bytes(b"b%d-%d" % (size, n)),
                    1000,
                    hash_bytes(b"q%d-%d" % (size, n)),
                    0,
                )
                for n in range(size)
            ]
            _, tx = client.log_batch(agreement_id, records, sender=connector_key)
            out[f"gas_batch_{size}"] = int(tx.gas_used)

        folder = Path(tempfile.mkdtemp(prefix="trustspace-bench-dataspace-"))
        dataset = folder / "declarations.csv"
        dataset.write_bytes(b"declaration,value\n" + b"CD,100\n" * 500)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        connector = Connector(
            client,
            connector_key,
            url,
            {offer_id: Dataset(offer_id, dataset, policy)},
            Journal(folder / "journal.sqlite"),
        )
        chain_id, address = client.chain_id, client.address
        signers = {c.address: key_signer(c.private_key) for c in clerks}

        def one(clerk: Any, session: Any) -> float:
            signed = sign_request(
                signers[clerk.address], clerk.address, agreement_id, offer_id, url, chain_id,
                address, now=int(time.time()),
            )  # fmt: skip
            start = time.perf_counter()
            response = session.post(url + "/transfer", data=signed.body(), timeout=60)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.text
            assert response.headers["x-payload-digest"] == "0x" + hash_bytes(response.content).hex()
            return elapsed

        with serve_in_background(connector, port):
            with requests.Session() as session:
                one(clerks[0], session)  # warm-up
                start = time.perf_counter()
                latencies = [one(clerks[0], session) for _ in range(fetches)]
                out["sequential_fetches_per_s"] = round(fetches / (time.perf_counter() - start), 1)
            out["latency_p50_ms"] = round(1000 * statistics.median(latencies), 1)
            out["latency_p95_ms"] = round(1000 * _percentile(latencies, 0.95), 1)

            results: list[float] = []
            lock = threading.Lock()

            def worker(clerk: Any, n: int) -> None:
                with requests.Session() as session:
                    for _ in range(n):
                        elapsed = one(clerk, session)
                        with lock:
                            results.append(elapsed)

            per = max(1, fetches // CONCURRENCY)
            workers = [threading.Thread(target=worker, args=(c, per)) for c in clerks]
            start = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            out["concurrent_fetches_per_s"] = round(len(results) / (time.perf_counter() - start), 1)
            out["concurrent_latency_p50_ms"] = round(1000 * statistics.median(results), 1)
        out["transfers_logged"] = client.agreement(agreement_id).transfers
        out["payload_bytes"] = dataset.stat().st_size
    return out


def run(quick: bool = False) -> list[Figure]:
    """The section's figures."""
    fetches = 20 if quick else FETCHES
    r = measure(fetches)
    gas = []
    for key, name in (
        ("gas_offer", "`publishOffer` (3 terms fields, title, digests)"),
        ("gas_request", "`requestAgreement`"),
        ("gas_accept", "`acceptAgreement` (agreed and finalized in one call)"),
        ("gas_log_transfer", "`logTransfer`, one transfer logged"),
    ):
        gas.append(
            Figure(id=f"dataspace.{key}", group=GROUP, name=name, measured=r[key], unit="gas")
        )
    for size in BATCH_SIZES:
        total = r[f"gas_batch_{size}"]
        gas.append(
            Figure(
                id=f"dataspace.gas_per_transfer_batch_{size}",
                group=GROUP,
                name=f"`logTransferBatch`, gas per transfer in a batch of {size}",
                measured=round(total / size),
                unit="gas",
                note=f"{total:,} gas for the batch",
            )
        )
    return [
        *gas,
        Figure(
            id="dataspace.fetches_per_s",
            group=GROUP,
            name=f"fetches/s through the connector, logging on ({fetches} sequential)",
            measured=r["sequential_fetches_per_s"],
            unit="fetches/s",
            note=f"p50 {r['latency_p50_ms']} ms, p95 {r['latency_p95_ms']} ms per fetch of "
            f"{r['payload_bytes']:,} bytes, each logged by its own transaction",
            details=r,
        ),
        Figure(
            id="dataspace.concurrent_fetches_per_s",
            group=GROUP,
            name=f"fetches/s through the connector, {CONCURRENCY} consumers at once",
            measured=r["concurrent_fetches_per_s"],
            unit="fetches/s",
            note=f"p50 {r['concurrent_latency_p50_ms']} ms; the connector sends one log "
            "transaction at a time (one account nonce)",
        ),
    ]


if __name__ == "__main__":
    import json

    print(json.dumps([f.to_json() for f in run(quick=True)], indent=2, default=str))
