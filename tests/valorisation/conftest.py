import pytest

from tests.factories import user_with_role
from tpj.accounts.models import Role


@pytest.fixture(autouse=True)
def _fresh_dashboard_figures(settings):
    """Each test sees the registry figures of its own data (the dashboard otherwise reuses them for a minute)."""
    settings.VALORISATION_COVERAGE_CACHE_SECONDS = 0


@pytest.fixture
def national():
    return user_with_role(Role.NATIONAL_TEAM)


@pytest.fixture
def bretagne_manager():
    return user_with_role(Role.CALL_MANAGER, region="53")
