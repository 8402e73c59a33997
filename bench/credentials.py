"""Credentials: gas of the issue-side writes and status flips (anvil), and the time to verify
a presentation (Python verifier over anvil).

Run alone: ``python -m bench.credentials``; ``python -m bench.run --only credentials``
folds the figures into bench/results.json. Gas comes from receipts on anvil, never boa.
A single flip is measured on a list created earlier (its word already written, as every
word of a list is at creation), with the ISSUER's org read through the Consortium, cold.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bench.results import AT_MOST, Figure

ROOT = Path(__file__).resolve().parents[1]
GROUP = "Credentials"
#: The issue's target for a single status flip.
FLIP_TARGET = 50_000

#: One line for the method table of docs/performance.md.
METHOD = (
    "receipts on anvil through the real Consortium (schema and accreditation as executed "
    "CALL proposals); presentation verification timed in Python against anvil (median of runs)"
)


def _gas(name: str, fid: str, gas: int, note: str = "", target: int | None = None) -> Figure:
    return Figure(
        id=f"credentials.{fid}",
        group=GROUP,
        name=name,
        measured=gas,
        unit="gas",
        target=target,
        comparison=AT_MOST,
        reference="issue 15: ≤ 50,000 per single flip" if target else None,
        note=note,
    )


def measure(quick: bool) -> list[Figure]:
    """Deploy a Consortium and the registry on the connected anvil and measure each write."""
    from ape import accounts, chain, project

    from trustspace.consortium.constants import OrgKind, Role
    from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
    from trustspace.credentials.model import Purpose, type_hash

    test = accounts.test_accounts
    deployer, customs_admin, tax_admin, clerk = test[0], test[1], test[3], test[8]
    consortium = deploy_consortium(
        project,
        deployer,
        [
            OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
        ],
        threshold=2,
    )
    gov = Governance(consortium)
    approvers = [customs_admin, tax_admin]
    gov.enact("add_account", approvers=approvers, org_id=1, account=clerk)
    gov.enact("grant_role", approvers=approvers, account=clerk, roles=int(Role.ISSUER), expiry=0)
    registry = deployer.deploy(project.CredentialRegistry, consortium)
    figures: list[Figure] = []
    thash, shash = type_hash("AEOCertificate"), b"\x42" * 32
    d = gov.decide_call(registry, "register_schema", shash, thash, approvers=approvers)
    figures.append(
        _gas(
            "register schema (executing the CALL proposal)",
            "register_schema",
            int(d.receipts[-1].gas_used),
        )
    )
    now = chain.pending_timestamp
    d = gov.decide_call(
        registry, "accredit", 1, thash, shash, now, now + 86400 * 365, approvers=approvers
    )
    figures.append(
        _gas("accredit (executing the CALL proposal)", "accredit", int(d.receipts[-1].gas_used))
    )
    d = gov.decide_call(registry, "withdraw", 1, thash, shash, approvers=approvers)
    figures.append(
        _gas(
            "withdraw accreditation (executing the CALL proposal)",
            "withdraw",
            int(d.receipts[-1].gas_used),
        )
    )
    r = registry.create_list(int(Purpose.REVOCATION), 1, sender=clerk)
    figures.append(_gas("create status list, 255 entries", "create_list_1_word", int(r.gas_used)))
    rev = int(next(iter(r.decode_logs(registry.StatusListCreated))).list_id)
    r = registry.create_list(int(Purpose.SUSPENSION), 64, sender=clerk)
    figures.append(
        _gas("create status list, 16,320 entries", "create_list_64_words", int(r.gas_used))
    )
    sus = int(next(iter(r.decode_logs(registry.StatusListCreated))).list_id)
    zero = b"\x00" * 32
    r = registry.set_status(rev, 17, True, b"\x01" * 32, sender=clerk)
    note = "word written at list creation: non-zero to non-zero"
    figures.append(
        _gas(
            "revoke one credential (single flip)",
            "revoke_single",
            int(r.gas_used),
            note,
            FLIP_TARGET,
        )
    )
    r = registry.set_status(sus, 5000, True, zero, sender=clerk)
    figures.append(
        _gas(
            "suspend one credential (single flip)",
            "suspend_single",
            int(r.gas_used),
            "",
            FLIP_TARGET,
        )
    )
    r = registry.set_status(sus, 5000, False, zero, sender=clerk)
    figures.append(
        _gas(
            "reinstate one credential (single flip)",
            "reinstate_single",
            int(r.gas_used),
            "",
            FLIP_TARGET,
        )
    )
    for size in (10, 256):
        indices = [(i * 61) % 16_320 for i in range(1, size + 1)]
        r = registry.set_statuses(sus, indices, True, zero, sender=clerk)
        figures.append(
            _gas(
                f"suspend {size} credentials in one transaction, per flip",
                f"suspend_batch_{size}_per_flip",
                int(r.gas_used) // size,
                f"whole transaction {int(r.gas_used):,} gas",
            )
        )
    return figures


def verification_time(quick: bool) -> Figure:
    """Median time to verify a one-credential presentation against the connected chain."""
    from ape import accounts

    from trustspace.devnet.demo_credentials import build_stand

    test = accounts.test_accounts
    stand = build_stand(test[0], test[1], test[3], test[9])
    audience, nonce = "https://tax.example/verifier", "n-1"
    token = stand.presentation(audience, nonce)
    runs = 3 if quick else 15
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        verdict = stand.verifier.verify_presentation(token, audience, nonce)
        times.append(time.perf_counter() - t0)
        if not verdict.valid:
            raise RuntimeError(f"the presentation should verify: {verdict.as_dict()}")
    times.sort()
    return Figure(
        id="credentials.verify_presentation_ms",
        group=GROUP,
        name="verify a presentation of one credential (Python, over JSON-RPC)",
        measured=round(times[len(times) // 2] * 1000, 1),
        unit="ms",
        note=(f"median of {runs}: DID resolution, issuer, schema, accreditation and status reads"),
    )


def run(quick: bool = False, network: str = "ethereum:local:foundry") -> list[Figure]:
    """Every credentials figure."""
    from ape import networks

    from trustspace.ape_tuning import tune_ape

    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    tune_ape()
    with networks.parse_network_choice(network):
        figures = measure(quick)
        figures.append(verification_time(quick))
    return figures


def main() -> None:
    from ape.logging import logger

    logger.set_level("ERROR")
    for f in run(quick="--quick" in sys.argv):
        target = f"≤ {f.target:,}" if f.target else ""
        print(f"{f.id:50} {f.measured:>10,} {f.unit:3} {target}")


if __name__ == "__main__":
    main()
