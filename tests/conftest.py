import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tpj.audit.services import discard_held_events
from tpj.nomenclatures.loader import load_nomenclatures
from tpj.territories.loader import load_territories
from tpj.territories.models import Commune, Departement, Region

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def ensure_reference_data():
    """Territories and nomenclatures are facts every test may rely on.

    Transactional tests flush the database, so reload them when they are missing.
    """
    if not Region.objects.exists():
        _load_territories_fast()
        load_nomenclatures(django_apps)


# Rows of the territory tables once loaded from the CSV files: reloading them after a
# flush is then a plain bulk insert (seconds) instead of a CSV parse and sync.
_TERRITORY_ROWS = {}


def _load_territories_fast():
    models = (Region, Departement, Commune)
    if not _TERRITORY_ROWS:
        load_territories()
        for model in models:
            columns = [f.column for f in model._meta.concrete_fields]
            _TERRITORY_ROWS[model] = (columns, list(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields])))
        return
    with connection.cursor() as cursor:
        for model in models:
            columns, rows = _TERRITORY_ROWS[model]
            table = connection.ops.quote_name(model._meta.db_table)
            column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request):
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue(
            "db"
            if "live_server" not in request.fixturenames and "transactional_db" not in request.fixturenames
            else "transactional_db"
        )
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache (login lockout counters, throttles) starts empty in every test."""
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(autouse=True)
def _no_held_audit_events():
    """Refusals held for the audit log (tpj.audit.services.record_refusal) never cross tests."""
    discard_held_events()
    yield
    discard_held_events()
