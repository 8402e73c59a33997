"""Counts what every stateful machine ran: examples (machine instances, shrinking included)
and steps (rules executed), printed at the end of the session and written to
``.trustspace/fuzz-stats.json`` so that the figures in docs/security-evidence.md can be
re-measured with one command. It also gives the machines the bus fixtures they share with the
bus unit tests and the attack tests.

The machines call ``hypothesis.stateful.run_state_machine_as_test``; this conftest wraps it
before their modules are imported, so no machine needs to count anything itself.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from typing import Any

import hypothesis.stateful
import pytest
from hypothesis import settings

from trustspace.paths import project_root

_original = hypothesis.stateful.run_state_machine_as_test
STATS: dict[str, dict[str, float]] = defaultdict(
    lambda: {"examples": 0, "steps": 0, "seconds": 0.0}
)


_init = hypothesis.stateful.RuleBasedStateMachine.__init__
_check = hypothesis.stateful.RuleBasedStateMachine.check_invariants


def _counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _init(self, *args, **kwargs)
    STATS[type(self).__name__]["examples"] += 1
    self._trustspace_checks = 0


def _counting_check(self: Any, *args: Any, **kwargs: Any) -> Any:
    # Called once after set-up and once after every step.
    if getattr(self, "_trustspace_checks", 0):
        STATS[type(self).__name__]["steps"] += 1
    self._trustspace_checks = getattr(self, "_trustspace_checks", 0) + 1
    return _check(self, *args, **kwargs)


def run_state_machine_as_test(state_machine_factory: Any, **kwargs: Any) -> None:
    # The factory is passed on unchanged: hypothesis derives the derandomised seed (ci
    # profile) from it, so the machines run exactly the examples they would run without
    # this counting.
    start = time.monotonic()
    try:
        _original(state_machine_factory, **kwargs)
    finally:
        STATS[state_machine_factory.__name__]["seconds"] += time.monotonic() - start


# Counting patches the base class, never the machines themselves.
hypothesis.stateful.RuleBasedStateMachine.__init__ = _counting_init  # type: ignore[method-assign]
hypothesis.stateful.RuleBasedStateMachine.check_invariants = _counting_check  # type: ignore[method-assign]
hypothesis.stateful.run_state_machine_as_test = run_state_machine_as_test


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS:
        return
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    terminalreporter.section(f"stateful fuzzing (hypothesis profile {profile!r})")
    for name, row in sorted(STATS.items()):
        terminalreporter.write_line(
            f"{name:<28} {int(row['examples']):>6} examples {int(row['steps']):>7} steps "
            f"{row['seconds']:>7.1f} s"
        )
    total = {k: sum(r[k] for r in STATS.values()) for k in ("examples", "steps")}
    terminalreporter.write_line(
        f"{'total':<28} {int(total['examples']):>6} examples {int(total['steps']):>7} steps"
    )
    out = project_root() / ".trustspace" / "fuzz-stats.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "profile": profile,
                "max_examples": settings().max_examples,
                "stateful_step_count": settings().stateful_step_count,
                "machines": STATS,
            },
            indent=2,
        )
    )
