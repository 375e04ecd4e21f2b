"""« Préférences de notification »: one choice per kind, grouped by module, the default
shown; saving records them all or nothing; an unknown kind is refused in French."""

import pytest

from tests.factories import UserFactory
from tpj.notifications import services
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import NotificationPreference

from .conftest import NEWS, PING

pytestmark = pytest.mark.django_db

PAGE = "/mon-espace/notifications/preferences/"


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _saved(user):
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))


def test_the_page_groups_the_kinds_and_checks_the_defaults(client, user):
    html = client.get(PAGE).content.decode()
    assert html.index(">Actualités</h2>") < html.index(">Essais</h2>")
    assert "Une nouvelle est publiée" in html and "Un essai est lancé" in html
    assert "Par défaut : par courriel, dans un récapitulatif quotidien." in html
    for label in ("Par courriel, tout de suite", "Par courriel, dans un récapitulatif quotidien", "Seulement dans la plateforme"):
        assert label in html
    form = client.get(PAGE).context["form"]
    assert form[PING].value() == Delivery.IMMEDIATE and form[NEWS].value() == Delivery.DAILY


def test_saving_records_the_choices_and_shows_them_again(client, user):
    response = client.post(PAGE, {PING: Delivery.PLATFORM, NEWS: Delivery.IMMEDIATE}, follow=True)
    assert "Vos préférences de notification sont enregistrées." in response.content.decode()
    assert _saved(user) == {PING: Delivery.PLATFORM, NEWS: Delivery.IMMEDIATE}
    assert response.context["form"][PING].value() == Delivery.PLATFORM
    assert services.deliveries([user], PING) == {user.pk: Delivery.PLATFORM}

    client.post(PAGE, {PING: Delivery.DAILY, NEWS: Delivery.IMMEDIATE})  # saved again: updated, not duplicated
    assert _saved(user) == {PING: Delivery.DAILY, NEWS: Delivery.IMMEDIATE}


def test_choosing_the_default_again_follows_the_default(client, user):
    client.post(PAGE, {PING: Delivery.PLATFORM, NEWS: Delivery.PLATFORM})
    client.post(PAGE, {PING: Delivery.IMMEDIATE, NEWS: Delivery.PLATFORM})
    assert _saved(user) == {NEWS: Delivery.PLATFORM}
    assert services.preferences(user)[PING] == Delivery.IMMEDIATE


def test_an_unknown_kind_is_refused_and_nothing_is_saved(client, user):
    response = client.post(PAGE, {PING: Delivery.PLATFORM, NEWS: Delivery.PLATFORM, "registry.inconnu": Delivery.DAILY})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Type de notification inconnu : « registry.inconnu »." in html
    assert _saved(user) == {}


@pytest.mark.parametrize(
    "data, message",
    [
        ({PING: "tous-les-jours", NEWS: Delivery.PLATFORM}, "Ce choix n&#x27;existe pas."),
        ({NEWS: Delivery.PLATFORM}, "Choisissez comment être prévenu."),
    ],
)
def test_a_missing_or_impossible_choice_is_refused(client, user, data, message):
    response = client.post(PAGE, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "pas été enregistré" in html and message in html
    assert _saved(user) == {}


def test_each_person_saves_only_their_own(client, user):
    other = UserFactory()
    services.save_preferences(other, {PING: Delivery.DAILY})
    client.post(PAGE, {PING: Delivery.PLATFORM, NEWS: Delivery.DAILY})
    assert _saved(other) == {PING: Delivery.DAILY} and _saved(user) == {PING: Delivery.PLATFORM}
