"""Priorities pages: explanation, examples near the chosen territory from entries and projects."""

import html

import pytest
from django.urls import reverse

from tests.registry.factories import EntryFactory, verified_entry
from tpj.territories.models import Commune

from .factories import laureate

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_ten_priority_pages_exist_and_explain_the_priority(client):
    page = text(client.get(reverse("valorisation:priorities")))
    assert page.count("/valorisation/priorites/") >= 10
    page = text(client.get(reverse("valorisation:priority", args=[4])))
    assert "Permettre aux parents de partager et de souffler" in page
    assert "groupes de parents, accueil occasionnel" in page  # Priority.description
    assert "axe 3" in page
    assert client.get(reverse("valorisation:priority", args=[11])).status_code == 404


def test_entries_near_the_chosen_commune_nearest_first_and_only_verified(client):
    verified_entry(name="Crèche rennaise", setup__priorities=(8,), commune=Commune.objects.get(insee_code="35238"))
    verified_entry(name="Crèche de Cesson", setup__priorities=(8,), commune=Commune.objects.get(insee_code="35051"))
    verified_entry(name="Crèche brestoise", setup__priorities=(8,), commune=Commune.objects.get(insee_code="29019"))  # > 40 km
    verified_entry(name="LAEP rennais", setup__priorities=(4,), commune=Commune.objects.get(insee_code="35238"))  # other priority
    EntryFactory(name="Crèche non vérifiée", setup__priorities=(8,))
    page = text(client.get(reverse("valorisation:priority", args=[8]), {"commune": "35238"}))
    assert "Crèche rennaise" in page and "Crèche de Cesson" in page
    assert page.index("Crèche rennaise") < page.index("Crèche de Cesson")
    for absent in ("Crèche brestoise", "LAEP rennais", "Crèche non vérifiée"):
        assert absent not in page
    page = text(client.get(reverse("valorisation:priority", args=[8]), {"departement": "29"}))
    assert "Crèche brestoise" in page and "Crèche rennaise" not in page


def test_projects_of_the_matching_axis_from_the_territory_first(client):
    laureate("53", title="Répit à Rennes", axes=(3,), places=("35238",))
    laureate("76", title="Répit à Toulouse", axes=(3,), places=("31555",))
    laureate("53", title="Éveil à Rennes", axes=(4,), places=("35238",))
    laureate("53", title="Répit non transmis", axes=(3,), places=("35238",), transmitted=False, year=2022)
    page = text(client.get(reverse("valorisation:priority", args=[4]), {"departement": "35"}))
    assert "Répit à Rennes" in page and "dans le département Ille-et-Vilaine" in page
    for absent in ("Répit à Toulouse", "Éveil à Rennes", "Répit non transmis"):
        assert absent not in page
    page = text(client.get(reverse("valorisation:priority", args=[4]), {"departement": "2A"}))
    assert "au niveau national" in page and "Répit à Toulouse" in page


def test_unknown_commune_gives_a_french_message(client):
    response = client.get(reverse("valorisation:priority", args=[2]), {"commune": "Zzzyx"})
    assert response.status_code == 200
    assert "Commune introuvable : « Zzzyx »" in text(response)


def test_commune_typed_by_name_is_understood(client):
    verified_entry(name="PMI de Brest", setup__priorities=(2,), commune=Commune.objects.get(insee_code="29019"))
    page = text(client.get(reverse("valorisation:priority", args=[2]), {"commune": "brest"}))
    assert "Exemples autour de <strong>Brest</strong>" in page and "PMI de Brest" in page
