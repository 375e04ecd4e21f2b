import pytest

from tests.factories import UserFactory, user_with_role
from tests.registry.factories import EntryFactory, verified_entry
from tpj.accounts.models import Role
from tpj.registry.models import State
from tpj.territories.models import Commune


@pytest.fixture
def member(db):
    return UserFactory(email="membre@example.fr")


@pytest.fixture
def moderator_35(db):
    return user_with_role(Role.MODERATOR, departements=["35"], email="moderateur35@example.fr")


@pytest.fixture
def moderator_69(db):
    return user_with_role(Role.MODERATOR, departements=["69"], email="moderateur69@example.fr")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def entries(db):
    """Three published entries (two in Rennes, one in Lyon) and one under review: the map's and directory's data."""
    lyon = Commune.objects.get(insee_code="69123")
    verified_entry()
    verified_entry(setup__priorities=(2, 6))
    verified_entry(commune=lyon, postal_code="69001", setup__priorities=(2,))
    EntryFactory(state=State.SUBMITTED)  # never counted
