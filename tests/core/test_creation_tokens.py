"""A creation sent twice creates once: whatever tells the loser that the token is taken (the
unique index or the model's own check), it gets the first object back, never someone else's."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.factories import UserFactory
from tests.registry.factories import EntryFactory
from tpj.core.creation_tokens import CreationToken
from tpj.registry.models import Entry

pytestmark = pytest.mark.django_db


def token_for(user, value):
    return CreationToken(
        Entry.objects, value, is_owner=lambda entry: entry.members.filter(pk=user.pk).exists(), foreign_message="autre fiche"
    )


@pytest.fixture
def first():
    """An entry its member created with a token."""
    user = UserFactory()
    entry = EntryFactory(client_token=uuid.uuid4())
    entry.members.add(user)
    return user, entry


@pytest.mark.parametrize("lost_by", [IntegrityError("unique"), ValidationError("contrainte client_token")])
def test_a_loser_gets_the_winners_object(first, lost_by):
    user, entry = first

    def build():
        raise lost_by

    assert token_for(user, entry.client_token).create(build) == (entry, False)


def test_a_replay_is_found_before_building(first):
    user, entry = first
    assert token_for(user, entry.client_token).replayed() == entry


def test_another_requesters_token_is_refused(first):
    _, entry = first
    with pytest.raises(ValidationError, match="autre fiche"):
        token_for(UserFactory(), entry.client_token).replayed()


def test_a_real_validation_error_is_not_swallowed(db):
    def build():
        raise ValidationError("Le nom est obligatoire.")

    with pytest.raises(ValidationError, match="Le nom est obligatoire"):
        token_for(UserFactory(), uuid.uuid4()).create(build)


def test_without_a_token_nothing_is_replayed(db):
    assert token_for(UserFactory(), None).replayed() is None
