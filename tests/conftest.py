import pytest
from django.apps import apps as django_apps
from rest_framework.test import APIClient

from tpj.nomenclatures.loader import load_nomenclatures
from tpj.territories.loader import load_territories
from tpj.territories.models import Region

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def ensure_reference_data():
    """Territories and nomenclatures are facts every test may rely on.

    Transactional tests flush the database, so reload them when they are missing.
    """
    if not Region.objects.exists():
        load_territories()
        load_nomenclatures(django_apps)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request):
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("db" if "live_server" not in request.fixturenames and "transactional_db" not in request.fixturenames else "transactional_db")
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache (login lockout counters, throttles) starts empty in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def mailoutbox_fr(mailoutbox):
    return mailoutbox
