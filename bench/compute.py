"""Privacy computing: key generation, encryption, aggregation, decryption rates and gas.

Run alone: ``python -m bench.compute [--quick]``. Threshold exponential ElGamal on
secp256k1 (about 128-bit security, the demo's level): key generation among three party
processes over HTTP on 127.0.0.1 (what ``trustspace compute keygen`` does) and in one
process; then 10,000 values (1,000 with ``--quick``) encrypted, summed homomorphically,
partially decrypted with Chaum–Pedersen proofs by two parties, the proofs verified and the
totals solved by baby-step giant-step. Range-proof encryption and the discrete logarithm of
totals below 2^32 are timed on fewer values and given per value. Gas comes from receipts
on anvil (never boa), with the real Consortium asked at every step.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.results import Figure
from trustspace.compute import dkg
from trustspace.compute.client import keygen
from trustspace.compute.documents import encrypt_contribution
from trustspace.compute.elgamal import DEFAULT_BOUND, DlogTable, encrypt
from trustspace.compute.group import Point
from trustspace.compute.threshold import combine, partial_decrypt, verify_partial

#: One line for the method table of docs/performance.md.
METHOD = (
    "threshold exp-ElGamal on secp256k1 (coincurve 21 / libsecp256k1), 3 parties, k = 2; "
    "keygen over HTTP between 3 party processes (median of 3); rates over 10,000 values "
    "(1,000 quick); range proofs (24 bits) and discrete logs (totals < 2^32) per value; gas "
    "from anvil receipts"
)
GROUP = "Privacy computing"


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def _keygen_http(repeats: int) -> float:
    """Median seconds of a key generation among 3 party processes over HTTP (the processes'
    start excluded); a party keeps one key for good, so each round starts fresh parties."""
    from trustspace.devnet.demo_compute import parties

    times = []
    for _ in range(repeats):
        with (
            tempfile.TemporaryDirectory(prefix="trustspace-bench-compute-") as tmp,
            parties(Path(tmp), [1, 2, 3], "bench passphrase") as running,
        ):
            urls = [p.url for p in running]
            t0 = time.perf_counter()
            keygen(urls, 2)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _rates(count: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    shares = dkg.run_in_process([1, 2, 3], 2)
    keygen_local = time.perf_counter() - t0
    y = shares[1].public_key
    rng = random.Random(16)
    values = [rng.randrange(0, 2**20) for _ in range(count)]
    t0 = time.perf_counter()
    cts = [encrypt(y, v) for v in values]
    enc = time.perf_counter() - t0
    t0 = time.perf_counter()
    total = cts[0]
    for ct in cts[1:]:
        total = total + ct
    agg = time.perf_counter() - t0
    t0 = time.perf_counter()
    partials = {j: [partial_decrypt(j, shares[j].secret, c) for c in cts] for j in (1, 3)}
    part = time.perf_counter() - t0
    vks = shares[1].verification_keys
    t0 = time.perf_counter()
    ok = all(
        verify_partial(p, vks[j], c) for j in (1, 3) for p, c in zip(partials[j], cts, strict=True)
    )
    ver = time.perf_counter() - t0
    assert ok
    # Discrete logs: the values themselves (< 2^20, a 2^20 table) for the rate over `count`.
    t0 = time.perf_counter()
    small = DlogTable(2**20)
    table_small = time.perf_counter() - t0
    t0 = time.perf_counter()
    solved = [small.solve(combine(c, [partials[1][i], partials[3][i]])) for i, c in enumerate(cts)]
    dlog_small = time.perf_counter() - t0
    assert solved == values
    # Totals below 2^32 (the CLI's bound): a 2^16-entry table, ~2^15 giant steps on average.
    t0 = time.perf_counter()
    big = DlogTable(DEFAULT_BOUND)
    table_big = time.perf_counter() - t0
    samples = [rng.randrange(0, DEFAULT_BOUND) for _ in range(5 if count < 10_000 else 20)]
    t0 = time.perf_counter()
    assert [big.solve(Point.base_times(v)) for v in samples] == samples
    dlog_big = (time.perf_counter() - t0) / len(samples)
    proofs = 20 if count < 10_000 else 100
    t0 = time.perf_counter()
    encrypt_contribution(1, 1, y, values[:proofs])
    ranged = (time.perf_counter() - t0) / proofs
    return {
        "values": count,
        "keygen_in_process_ms": round(keygen_local * 1000, 2),
        "encrypt_per_s": _rate(count, enc),
        "aggregate_additions_per_s": _rate(count - 1, agg),
        "partial_decryptions_per_s": _rate(2 * count, part),
        "share_verifications_per_s": _rate(2 * count, ver),
        "dlog_table_2e20_s": round(table_small, 2),
        "dlog_below_2e20_per_s": _rate(count, dlog_small),
        "dlog_table_2e32_s": round(table_big, 2),
        "dlog_below_2e32_ms": round(dlog_big * 1000, 1),
        "encrypt_with_range_proof_ms": round(ranged * 1000, 1),
        "end_to_end_10k_s": round(enc + agg + part + ver + dlog_small, 1),
    }


def _gas() -> dict[str, int]:
    from ape import accounts, networks, project

    from trustspace.ape_tuning import tune_ape
    from trustspace.consortium.constants import OrgKind
    from trustspace.consortium.governance import OrgSeed, deploy_consortium

    tune_ape()
    test = accounts.test_accounts
    deployer, customs, tax, forex, ministry = (test[i] for i in (0, 1, 2, 3, 4))
    with networks.parse_network_choice("ethereum:local:foundry"):
        consortium = deploy_consortium(
            project, deployer,
            [OrgSeed("Customs", OrgKind.CUSTOMS, [customs]), OrgSeed("Tax", OrgKind.TAX, [tax]),
             OrgSeed("Forex", OrgKind.FOREX, [forex]),
             OrgSeed("Ministry", OrgKind.MINISTRY, [ministry])],
            threshold=2,
        )  # fmt: skip
        c = deployer.deploy(project.Computations, consortium)
        d = [bytes([i]) * 32 for i in range(1, 9)]
        gas = {
            "open": c.open([1, 2, 3], 2, d[0], "imports per sector", 3, sender=ministry).gas_used
        }
        gas["contribute"] = c.contribute(1, d[1], sender=customs).gas_used
        c.contribute(1, d[2], sender=tax)
        c.contribute(1, d[3], sender=forex)
        gas["record_aggregate"] = c.record_aggregate(1, d[4], [1, 2, 3], sender=ministry).gas_used
        gas["record_share"] = c.record_share(1, d[5], sender=customs).gas_used
        c.record_share(1, d[6], sender=tax)
        totals = [2_407_550, 1_365_520, 906_985, 360_350, 297_350]
        gas["publish_result"] = c.publish_result(1, d[7], totals, [1, 2], sender=ministry).gas_used
    return {k: int(v) for k, v in gas.items()}


def run(quick: bool = False) -> list[Figure]:
    count = 1_000 if quick else 10_000
    keygen_s = _keygen_http(3)
    r = _rates(count)
    gas = _gas()
    figures = [
        Figure(
            id="compute.keygen_http_s",
            group=GROUP,
            unit="s",
            measured=round(keygen_s, 3),
            name="Joint key generation, 3 party processes over HTTP (secp256k1, ~128-bit)",
            note=f"in one process: {r['keygen_in_process_ms']} ms; distributed Paillier "
            "(tno.mpc 4.3.0 + gmpy2, 3 parties, 1024-bit, ~80-bit) took 241-456 s here; "
            "2048-bit (112-bit) extrapolates to 0.5-2 h (docs/privacy.md)",
            details={"in_process_ms": r["keygen_in_process_ms"]},
        ),
        Figure(
            id="compute.encrypt_per_s",
            group=GROUP,
            unit="values/s",
            measured=r["encrypt_per_s"],
            name=f"Encryption, {count:,} values",
            note=f"with a 24-bit range proof: {r['encrypt_with_range_proof_ms']} ms per value",
        ),
        Figure(
            id="compute.aggregate_per_s",
            group=GROUP,
            unit="additions/s",
            measured=r["aggregate_additions_per_s"],
            name=f"Homomorphic aggregation, {count:,} ciphertexts",
        ),
        Figure(
            id="compute.partial_decrypt_per_s",
            group=GROUP,
            unit="shares/s",
            measured=r["partial_decryptions_per_s"],
            name="Partial decryptions with Chaum–Pedersen proofs",
            note=f"verification: {r['share_verifications_per_s']} shares/s",
        ),
        Figure(
            id="compute.decrypt_per_s",
            group=GROUP,
            unit="values/s",
            measured=r["dlog_below_2e20_per_s"],
            name=f"Threshold decryption (combine + discrete log), {count:,} values < 2^20",
            note=f"totals < 2^32: {r['dlog_below_2e32_ms']} ms each after a "
            f"{r['dlog_table_2e32_s']} s table; {count:,} values end to end: "
            f"{r['end_to_end_10k_s']} s",
        ),
    ]
    for step, value in gas.items():
        figures.append(
            Figure(
                id=f"compute.gas.{step}",
                group=GROUP,
                unit="gas",
                measured=value,
                name=f"Computations.{step} (anvil receipt)",
            )
        )
    for f in figures:
        f.details.update(r if f.id == "compute.encrypt_per_s" else {})
    return figures


if __name__ == "__main__":
    for figure in run(quick="--quick" in sys.argv):
        print(f"{figure.name}: {figure.measured} {figure.unit}  {figure.note}")
