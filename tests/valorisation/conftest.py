import pytest


@pytest.fixture(autouse=True)
def _fresh_dashboard_figures(settings):
    """Each test sees the registry figures of its own data (the dashboard otherwise reuses them for a minute)."""
    settings.VALORISATION_COVERAGE_CACHE_SECONDS = 0
