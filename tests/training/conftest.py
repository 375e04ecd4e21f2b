import pytest

from tests.factories import user_with_role
from tests.training.factories import TrainingOrganisationFactory, member_of
from tpj.accounts.models import Role


@pytest.fixture
def organisation(db):
    return TrainingOrganisationFactory(name="Institut de formation de test")


@pytest.fixture
def member(organisation):
    return member_of(organisation)


@pytest.fixture
def national(db):
    return user_with_role(Role.NATIONAL_TEAM, email="national@example.fr")


@pytest.fixture
def commissaire_bretagne(db):
    return user_with_role(Role.COMMISSAIRE, region="53", email="commissaire.bretagne@example.fr")


@pytest.fixture
def commissaire_occitanie(db):
    return user_with_role(Role.COMMISSAIRE, region="76", email="commissaire.occitanie@example.fr")
