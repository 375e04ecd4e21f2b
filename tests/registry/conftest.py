import pytest

from tests.factories import UserFactory, user_with_role
from tpj.accounts.models import Role


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
