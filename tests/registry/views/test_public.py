"""Public pages: the directory and its map, entry pages, logo and verification page, partners."""

import json

import pytest
from django.urls import reverse

from tests.registry.factories import verified_entry
from tpj.nomenclatures.models import Category
from tpj.territories.models import Commune

pytestmark = pytest.mark.django_db
MAP = reverse("api-registry-map")


def test_logo_only_while_verified_and_verification_page(client, member, moderator_35):
    entry = verified_entry(setup__members=[member])
    client.force_login(member)
    svg = client.get(reverse("registry:logo", args=[entry.pk, "svg"]))
    assert svg.status_code == 200 and b"<svg" in svg.content
    png = client.get(reverse("registry:logo", args=[entry.pk, "png"]))
    assert png.content.startswith(b"\x89PNG")
    page = client.get(reverse("registry:verification", args=[entry.public_id])).content.decode()
    assert "Fiche vérifiée" in page and "<svg" in page
    client.force_login(moderator_35)
    client.post(reverse("registry:moderate", args=[entry.pk]), {"transition": "suspend", "reason": "Agrément retiré."})
    client.force_login(member)
    assert client.get(reverse("registry:logo", args=[entry.pk, "svg"])).status_code == 403
    client.logout()
    page = client.get(reverse("registry:verification", args=[entry.public_id])).content.decode()
    assert "Fiche suspendue" in page
    assert client.get(reverse("registry:verification-qr", args=[entry.public_id])).content.startswith(b"\x89PNG")


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
    entry = verified_entry(category=Category.objects.get(slug="sante"), name="Sage-femme Dupont")
    page = client.get(reverse("registry:entry", args=[entry.pk])).content.decode()
    assert "sante.fr" in page and "Pro Santé Connect" in page and "monenfant.fr/je-suis" not in page
    assert "0299000000" not in page  # phone not consented


def test_directory_page_lists_and_maps_with_permalink_filters(client, entries):
    page = client.get(reverse("registry:directory"), {"priorite": 6})
    assert page.status_code == 200 and page.context["count"] == 1
    config = json.loads(page.context["map_config"])
    assert config["api"] == MAP and "tiles" in config
    fragment = client.get(reverse("registry:directory"), {"departement": "69"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and fragment.context["count"] == 1
    errors = client.get(reverse("registry:directory"), {"region": "zz"})
    assert errors.status_code == 200 and "Région inconnue" in errors.content.decode()
