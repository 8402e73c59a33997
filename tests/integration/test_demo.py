"""The membership demo runs and leaves the state it prints."""

import io

from rich.console import Console

from trustspace.demo import AGENCIES, run_membership_demo
from trustspace.roles import Role


def test_membership_demo(project, accounts):
    out = io.StringIO()
    consortium = run_membership_demo(project, accounts, Console(file=out, width=160))
    text = out.getvalue()
    assert "Consortium deployed" in text
    assert "executable = False" in text
    for name, _ in AGENCIES:
        assert name in text
    assert consortium.org_count() == 5
    assert consortium.threshold() == 3
    assert len(consortium.holders_of(Role.VALIDATOR)) == 5
    assert len(consortium.holders_of(Role.NOTARY)) == 2
