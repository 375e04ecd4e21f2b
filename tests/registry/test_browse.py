"""Browse and find partners: text index follows moderation, partners ranked by distance."""

import pytest
from django.urls import reverse

from tpj.registry.models import State
from tpj.registry.services.moderation import moderate
from tpj.territories.models import Commune

from .factories import EntryFactory, verified_entry

pytestmark = pytest.mark.django_db
LIST = reverse("api-registry-entry-list")


def test_text_search_follows_verification_and_suspension(api_client, moderator_35):
    entry = EntryFactory(name="Ludothèque Les Zébulons", state=State.SUBMITTED)
    assert api_client.get(LIST, {"q": "zebulons"}).json()["count"] == 0
    moderate(entry, "verify", moderator_35)
    assert [r["name"] for r in api_client.get(LIST, {"q": "ZÉBULON"}).json()["results"]] == ["Ludothèque Les Zébulons"]
    moderate(entry, "suspend", moderator_35, "Contrôle en cours")
    assert api_client.get(LIST, {"q": "zebulons"}).json()["count"] == 0


def test_partners_same_priority_ranked_by_distance_excluding_mine(client, member):
    rennes = Commune.objects.get(insee_code="35238")
    mine = verified_entry(name="Ma crèche", setup__members=[member])
    verified_entry(name="Mon autre fiche", setup__members=[member])
    near = verified_entry(name="Crèche de Cesson", commune=Commune.objects.get(insee_code="35051"), postal_code="35510")
    far = verified_entry(name="Crèche de Saint-Malo", commune=Commune.objects.get(insee_code="35288"), postal_code="35400")
    verified_entry(name="Médiathèque voisine", setup__priorities=(6,))
    client.force_login(member)
    page = client.get(reverse("registry:partners"), {"depuis": mine.pk, "priorite": 8, "km": 100})
    names = [entry.name for entry, _ in page.context["results"]]
    assert names == [near.name, far.name]
    distances = [km for _, km in page.context["results"]]
    assert distances[0] < distances[1] and 0 < distances[0] < 15
    assert rennes.insee_code == mine.commune_id
    assert "Ma crèche" not in page.content.decode().split("<ol>")[-1]
    client.logout()
    assert client.get(reverse("registry:partners")).status_code == 302


def test_entry_page_hints_sante_fr_for_health_categories(client):
    from tpj.nomenclatures.models import Category

    entry = verified_entry(category=Category.objects.get(slug="sante"), name="Sage-femme Dupont")
    page = client.get(reverse("registry:entry", args=[entry.pk])).content.decode()
    assert "sante.fr" in page and "Pro Santé Connect" in page and "monenfant.fr/je-suis" not in page
    assert "0299000000" not in page  # phone not consented


def test_my_entries_show_state_and_reason(client, member):
    EntryFactory(name="Refusée", state=State.REJECTED, decision_reason="Pièce manquante.", setup__members=[member])
    client.force_login(member)
    page = client.get(reverse("registry:mine")).content.decode()
    assert "Refusée" in page and "Pièce manquante." in page
