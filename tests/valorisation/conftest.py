import pytest

from tests.factories import user_with_role
from tpj.accounts.models import Role


@pytest.fixture
def national():
    return user_with_role(Role.NATIONAL_TEAM)


@pytest.fixture
def bretagne_manager():
    return user_with_role(Role.CALL_MANAGER, region="53")
