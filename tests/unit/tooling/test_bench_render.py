"""bench/render.py turns bench/results.json into docs/performance.md, numbers untouched."""

from bench.render import fmt, render
from bench.results import AT_LEAST, Figure

MACHINE = {
    "cpu": "Test CPU",
    "cpus": 2,
    "memory_gb": 8.0,
    "os": "Linux",
    "python": "3.11.7",
    "load_avg_at_start": [0.5, 0.4, 0.3],
}
PRICES = {
    "transaction": 21_000,
    "calldata_zero_byte": 4,
    "calldata_nonzero_byte": 16,
    "new_slot_cold_zero_to_nonzero": 22_100,
    "changed_slot_cold_nonzero_to_nonzero": 5_000,
    "log": 375,
    "log_topic": 375,
    "log_data_byte": 8,
}


def report(figures, **extra):
    rows = [f.to_json() for f in figures]
    targeted = [r for r in rows if r["pass"] is not None]
    return {
        "generated_at": "2026-11-27T18:00:00Z",
        "git_commit": "abc1234",
        "command": "python -m bench.run",
        "quick": False,
        "machine": MACHINE,
        "sections": {"gas": {"status": "ok", "seconds": 1.5, "error": None}},
        "summary": {
            "figures": len(rows),
            "with_target": len(targeted),
            "passed": sum(1 for r in targeted if r["pass"]),
            "missed": [r["id"] for r in targeted if not r["pass"]],
        },
        "floor_prices": PRICES,
        "figures": rows,
        **extra,
    }


def gas(name, measured, target=None, note=""):
    return Figure(
        id=f"gas.notary.{name}",
        group="Gas: Notary",
        name=name,
        measured=measured,
        unit="gas",
        target=target,
        reference="EAS attest: 180,132" if target else None,
        floor=46_715,
        ratio=round(measured / 46_715, 2),
        note=note,
        details={
            "new_slots": 1,
            "updated_slots": 0,
            "logs": ["Attested"],
            "why": "the packed record is new",
            "floor": {"base": 21_000, "calldata": 972, "storage": 22_100, "logs": 2_643},
        },
    )


def test_figure_passed__at_most_at_least_and_no_target():
    assert gas("attest", 58_956, 60_000).passed is True
    assert gas("attest", 60_001, 60_000).passed is False
    assert gas("attest", 1).passed is None
    rate = Figure("r", "g", "rate", 10, "tx/s", target=20, comparison=AT_LEAST)
    assert rate.passed is False


def test_render__gas_row__measured_floor_ratio_target_and_verdict():
    text = render(report([gas("attest", 58_956, 60_000)]))
    assert "| attest | 58,956 | 46,715 | 1.26 | <= 60,000 | ✅ met | EAS attest: 180,132 |" in text
    assert "**1 of 1 targets met**" in text
    assert "| Gas: Notary: attest | 58,956 gas | <= 60,000 | ✅ met |" in text
    assert "| attest | 1 | 0 | Attested | 972 | the packed record is new |" in text
    assert "## Missed targets" not in text


def test_render__missed_target__listed_with_its_reason():
    text = render(report([gas("attestBySig", 89_646, 75_000, note="Missed: fresh nonce slot.")]))
    assert "## Missed targets" in text
    assert "- **attestBySig**: 89,646 gas against <= 75,000. Missed: fresh nonce slot." in text
    assert "**0 of 1 targets met**" in text


def test_render__tooling_figure_and_skipped_figure():
    merkle = Figure("python.merkle", "Python tooling", "Merkle", 4.25, "s", target=10.0)
    skipped = Figure("python.tests", "Python tooling", "Test suite", None, "s", note="skipped")
    text = render(report([merkle, skipped]))
    assert "| Merkle | 4.25 s | <= 10 | ✅ met |" in text
    assert "| Test suite | — | — | — | skipped |" in text


def test_render__quick_run_and_failed_section__flagged():
    failed = {"bus": {"status": "error", "seconds": 0.2, "error": "ImportError: no bus"}}
    text = render(report([], quick=True, sections=failed))
    assert "**Quick run**" in text
    assert "- `bus`: ImportError: no bus" in text


def test_fmt__people_numbers():
    assert fmt(None) == "—"
    assert fmt(1234567) == "1,234,567"
    assert fmt(3.14159) == "3.14"
    assert fmt(1474.43) == "1,474.4"
    assert fmt(10.0) == "10"


def test_render__sections_table__module_method_status_and_quick():
    sections = {
        "gas": {
            "module": "bench/gas_suite.py",
            "method": "receipts on anvil",
            "status": "ok",
            "seconds": 9.5,
            "quick": True,
        }
    }
    text = render(report([], sections=sections))
    assert "| gas | `bench/gas_suite.py` | receipts on anvil | ok (quick) | 9.50 | — → — |" in text


def test_summary__counts_targets_met_and_lists_missed():
    from bench.run import summary

    rows = [
        gas("attest", 58_956, 60_000).to_json(),
        gas("attestBySig", 89_646, 75_000).to_json(),
        gas("registerSchema", 155_026).to_json(),
    ]
    assert summary(rows) == {
        "figures": 3,
        "with_target": 2,
        "passed": 1,
        "missed": ["gas.notary.attestBySig"],
    }
