"""Kinds of notifications and a policy rule for these tests only (the apps declare theirs)."""

import factory
import pytest

from tests.factories import UserFactory
from tpj.core import policy
from tpj.notifications import kinds
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification

PING = "tests.ping"  # default: immediate
NEWS = "tests.news"  # default: daily digest
SEEN = "tests.seen"  # a policy action: anyone but the user named "Caché" may see the target


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch):
    """Only these two kinds are declared during a test (the apps' own would fill the pages)."""
    monkeypatch.setattr(
        kinds,
        "_KINDS",
        {
            PING: kinds.Kind(PING, "Un essai est lancé", "Essais"),
            NEWS: kinds.Kind(NEWS, "Une nouvelle est publiée", "Actualités", Delivery.DAILY),
        },
    )
    monkeypatch.setitem(
        policy._RULES,
        SEEN,
        lambda user, obj=None: policy.Decision(user.last_name != "Caché", "Réservé."),
    )


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = PING
    title = factory.Sequence(lambda n: f"Fiche n° {n} soumise à vérification")
    url = "/annuaire/"
    delivery = Delivery.PLATFORM
