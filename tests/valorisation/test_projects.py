"""Projetothèque: only transmitted laureates are public; filters, permalinks, exports, coups de cœur."""

import html
import json

import pytest
from django.urls import reverse

from tests.calls.factories import manager
from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.valorisation.models import Highlight

from .factories import PUBLIC_LAUREATE_FILTER_CASES, laureate, three_public_laureates

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def csv_lines(response) -> list[str]:
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_a_project_not_transmitted_is_never_public(client):
    public = laureate("53", title="Café des parents de Rennes")
    hidden = laureate("76", title="Projet toulousain non transmis", transmitted=False, places=("31555",))
    page = text(client.get(reverse("valorisation:projects")))
    assert "Café des parents de Rennes" in page and "non transmis" not in page
    assert client.get(reverse("valorisation:project", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("valorisation:project", args=[public.pk])).status_code == 200
    geojson = json.loads(client.get(reverse("valorisation:projects-geojson")).content)
    assert [f["properties"]["id"] for f in geojson["features"]] == [public.pk]
    assert not any("non transmis" in line for line in csv_lines(client.get(reverse("valorisation:projects-csv"))))


def test_filters_narrow_list_map_and_exports_alike(client):
    three_public_laureates()
    url = reverse("valorisation:projects")
    cases = PUBLIC_LAUREATE_FILTER_CASES
    for params, expected in cases:
        titles = {p.title for p in client.get(url, params).context["projects"]}
        assert titles == expected, params
        features = json.loads(client.get(reverse("valorisation:projects-geojson"), params).content)["features"]
        assert {f["properties"]["titre"] for f in features} == expected, params


def test_a_card_of_the_list_shows_region_year_axes_carrier_places_and_coup_de_coeur(client):
    description = " ".join(f"mot{n}" for n in range(60))
    project = laureate("53", title="Café des parents", axes=(6, 3), places=("35238", "29019"), description=description)
    laureate("76", title="Répit parental", places=("31555",), year=2022)
    Highlight.objects.create(region_id="53", year=2021, application=project, reason="Inspirant")
    response = client.get(reverse("valorisation:projects"))
    page = text(response)
    cards = {card.split('"', 1)[0]: card for card in page.split('id="projet-')[1:]}
    card = cards[str(project.pk)]
    assert f'href="/valorisation/projets/{project.pk}/">Café des parents</a>' in card
    assert "mot39 …" in card and "mot40" not in card  # the description, cut at 40 words
    assert "Coup de cœur</p>" in card and ">Bretagne</p>" in card and ">2021</p>" in card
    assert card.index("Axe 3") < card.index("Axe 6")  # by number
    assert f"{project.organisation.name} — Brest, Rennes" in card  # places by name
    assert f'data-locate="{project.pk}"' in card
    assert "Bretagne 2021 : Café des parents" in page  # the régions' coups de cœur
    shown = {p.title: p for p in response.context["projects"]}
    places = list(project.places.all())
    centre = (sum(c.latitude for c in places) / 2, sum(c.longitude for c in places) / 2)
    assert shown["Café des parents"].point == pytest.approx(centre)  # where « Voir sur la carte » goes
    other = shown["Répit parental"]
    assert not other.is_highlight and other.places == ["Toulouse"] and [a["number"] for a in other.axes_list] == [3]


def test_the_form_keeps_the_chosen_filters(client):
    three_public_laureates()
    response = client.get(reverse("valorisation:projects"), {"region": "53", "departement": "29", "axis": "4", "year": "2021"})
    page = response.content.decode()
    for selected in ('value="53" selected>Bretagne', 'value="29" selected>Finistère (29)', 'value="2021" selected>2021'):
        assert selected in page, selected
    assert 'value="4" selected>Axe 4 — ' in page
    assert 'value="31"' not in page  # the départements of the chosen région only
    assert [p.title for p in response.context["projects"]] == ["Éveil musical à Brest"]
    years = client.get(reverse("valorisation:projects")).content.decode()
    assert '<option value="2022">2022</option><option value="2021">2021</option>' in years  # newest first


def test_invalid_filter_is_reported_in_french_without_500(client):
    response = client.get(reverse("valorisation:projects"), {"year": "deux-mille"})
    assert response.status_code == 200
    assert "L'année doit être un nombre entier." in text(response)
    response = client.get(reverse("valorisation:projects-csv"), {"carrier_kind": "martien"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"carrier_kind": ["Type de porteur inconnu."]}


def test_project_page_shows_carrier_places_axes_funding_and_indicators(client):
    project = laureate("53", title="Café des parents", axes=(3, 6))
    page = text(client.get(reverse("valorisation:project", args=[project.pk])))
    for expected in [
        "Café des parents",
        "Rennes",
        "Axe 3",
        "Axe 6",
        "CAF — Fonds national Parentalité",
        "60 000,00 €",
        "Familles accompagnées",
        project.organisation.name,
        f"/valorisation/projets/{project.pk}/",
    ]:
        assert expected in page, expected


def test_csv_export_has_one_line_per_project_with_funding(client):
    laureate("53", title="Café des parents")
    lines = csv_lines(client.get(reverse("valorisation:projects-csv")))
    assert lines[0].startswith("id;projet;structure porteuse")
    assert len(lines) == 2 and "Café des parents" in lines[1] and "80000.00" in lines[1]


def test_call_manager_chooses_the_coup_de_coeur_of_its_region(client):
    first, second = laureate("53", title="Premier"), laureate("53", title="Second")
    bretagne = manager("ARS", "53")
    client.force_login(bretagne)
    assert "Choisir comme coup de cœur" in text(client.get(reverse("valorisation:project", args=[first.pk])))
    client.post(reverse("valorisation:highlight", args=[first.pk]), {"reason": "Très inspirant"})
    client.post(reverse("valorisation:highlight", args=[second.pk]))
    highlight = Highlight.objects.get()  # one per région and year: the second replaces the first
    assert (highlight.application_id, highlight.region_id, highlight.year) == (second.pk, "53", 2021)
    assert "Second" in text(client.get(reverse("valorisation:projects")))


def test_coup_de_coeur_for_another_regions_project_is_refused(client):
    toulouse = laureate("76", title="Répit parental", places=("31555",))
    client.force_login(manager("ARS", "53"))
    response = client.post(reverse("valorisation:highlight", args=[toulouse.pk]))
    assert response.status_code == 403
    assert "Ce projet n'appartient pas à votre région" in text(response)
    assert not Highlight.objects.exists()
    assert "Choisir comme coup de cœur" not in text(client.get(reverse("valorisation:project", args=[toulouse.pk])))


def test_only_call_managers_choose_and_only_public_projects(client):
    project = laureate("53")
    hidden = laureate("53", transmitted=False, year=2022)
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    assert client.post(reverse("valorisation:highlight", args=[project.pk])).status_code == 403
    client.force_login(manager("ARS", "53"))
    assert client.post(reverse("valorisation:highlight", args=[hidden.pk])).status_code == 404
    assert not Highlight.objects.exists()
