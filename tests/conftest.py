"""Fixtures shared by every test: hypothesis profiles and the toolchain check."""

import os

import pytest
from hypothesis import HealthCheck, settings

from trustspace.ape_tuning import tune_ape
from trustspace.consortium.constants import OrgKind
from trustspace.consortium.governance import Governance, OrgSeed
from trustspace.consortium.governance import deploy_consortium as _deploy
from trustspace.devnet.toolchain import ToolchainError, check_toolchain

# Fixtures several test folders share (the bus on one chain, the Notary), defined once.
pytest_plugins = [
    "tests.utils.fixtures.bus",
    "tests.utils.fixtures.notary",
    "tests.utils.fixtures.dataspace",
]

# "ci" keeps the whole suite inside its time budget on a 2-core machine;
# "deep" is for long local fuzzing: HYPOTHESIS_PROFILE=deep make test.
settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
    print_blob=True,
)
settings.register_profile(
    "deep",
    max_examples=1000,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Halves the cost of every call and transaction (see trustspace/ape_tuning.py).
tune_ape()


def pytest_configure(config: pytest.Config) -> None:
    try:
        check_toolchain()
    except ToolchainError as err:
        raise pytest.UsageError(str(err)) from err


# ------------------------------------------------------------------ actors
# Role-named accounts; tests never index `accounts` directly.


WEEK = 7 * 86400


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def customs_admin(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def customs_admin_2(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def tax_admin(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def maritime_admin(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def forex_admin(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def ministry_admin(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def customs_notary(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def tax_notary(accounts):
    return accounts[8]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[9]


@pytest.fixture(scope="session")
def newcomer(accounts):
    """An account that tests add to an organisation."""
    return accounts[10]


@pytest.fixture(scope="session")
def founding_admins(accounts):
    """One admin per local agency in ``LOCAL_AGENCIES`` order (accounts 1-5), the layout of
    ``local_config`` and the demo."""
    return [accounts[i] for i in range(1, 6)]


@pytest.fixture(scope="session")
def actor_pool(accounts):
    """Accounts 1-10 as an anonymous pool for state machines that draw their callers."""
    return [accounts[i] for i in range(1, 11)]


@pytest.fixture(scope="session")
def spare_accounts(accounts):
    """Accounts 11-17: members a test enrols itself (clerks, extra notaries), in order."""
    return [accounts[i] for i in range(11, 18)]


@pytest.fixture(scope="session")
def deploy_consortium(project, deployer, customs_admin, tax_admin, maritime_admin):
    """Builder: ``deploy_consortium(orgs=[OrgSeed(...)], threshold=2, lifetime=WEEK)``.

    By default three organisations (1 customs, 2 tax, 3 maritime), one admin
    each, threshold 2.
    """

    def build(orgs=None, threshold=2, lifetime=WEEK):
        if orgs is None:
            orgs = [
                OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
                OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
                OrgSeed("Maritime Authority", OrgKind.MARITIME, [maritime_admin]),
            ]
        return _deploy(project, deployer, orgs, threshold, lifetime)

    return build


@pytest.fixture(scope="session")
def consortium(deploy_consortium):
    """The default three-organisation Consortium, threshold 2 (tests are isolated by ape)."""
    return deploy_consortium()


@pytest.fixture(scope="session")
def governance(consortium):
    return Governance(consortium)


@pytest.fixture(scope="session")
def approvers(customs_admin, tax_admin):
    """Admins of two distinct organisations: enough for the default threshold."""
    return [customs_admin, tax_admin]
