"""Projetothèque map (issue 19): a project's marker and its list entry open the same card, filled
from the map's data by the page's template; each région's coup de cœur is marked and named in
the legend. The browser side (click, keyboard, screenshots) is in tests/browser/test_maps_offline.py."""

import html
import json
import re

import pytest
from django.urls import reverse

from tpj.valorisation.models import Highlight

from .factories import laureate

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def card_template(page: str) -> str:
    match = re.search(r'<template id="projects-map-card">(.*?)</template>', page, re.S)
    assert match, "the page has no card template for the map"
    return match.group(1)


def features(client, **params) -> dict[int, dict]:
    data = json.loads(client.get(reverse("valorisation:projects-geojson"), params).content)
    return {f["properties"]["id"]: f["properties"] for f in data["features"]}


@pytest.fixture
def projects():
    brest = laureate("53", title="Café des parents de Brest", axes=(3,), places=("29019",))
    rennes = laureate("53", title="Répit parental à Rennes", axes=(3, 6), places=("35238",))
    toulouse = laureate("76", title="Ludothèque de Toulouse", axes=(6,), places=("31555",))
    Highlight.objects.create(region_id="53", year=2021, application=brest)
    return brest, rennes, toulouse


def test_only_each_regions_coup_de_coeur_gets_the_coup_de_coeur_marker(client, projects):
    brest, rennes, toulouse = projects
    marked = {pk: p["coup_de_coeur"] for pk, p in features(client).items()}
    assert marked == {brest.pk: True, rennes.pk: False, toulouse.pk: False}
    # Filtered to Bretagne, the map still tells its coup de cœur apart.
    assert {pk: p["coup_de_coeur"] for pk, p in features(client, region="53").items()} == {brest.pk: True, rennes.pk: False}


def test_the_legend_names_the_coup_de_coeur_marker(client, projects):
    page = page_text(client.get(reverse("valorisation:projects")))
    legend = re.search(r'<ul[^>]*id="projects-map-legend"[^>]*>(.*?)</ul>', page, re.S).group(1)
    assert "Coup de cœur de la région" in legend
    assert "tpj-project-marker--coup-de-coeur" in legend  # the marker's look, beside its name
    assert "Projet lauréat" in legend


def test_the_card_reads_only_what_the_map_data_gives(client, projects):
    """Every field the card template fills is a property of the map's GeoJSON: renaming one
    would leave the card empty."""
    page = page_text(client.get(reverse("valorisation:projects")))
    template = card_template(page)
    properties = set(next(iter(features(client).values())))
    fields = set(re.findall(r'data-field="([^"]+)"', template)) | set(re.findall(r'data-if="([^"]+)"', template))
    assert fields == {"titre", "porteur", "region", "annee", "coup_de_coeur"}
    assert fields <= properties
    assert "axes" in properties
    # The card says it is the coup de cœur in words, and has a tag, named with its label, for each national axis.
    assert "Coup de cœur de la région" in template
    axes = re.findall(r'<li data-axis="(\d+)"><p class="fr-tag fr-tag--sm" title="([^"]+)">Axe \1</p></li>', template)
    assert len(axes) >= 6 and all(label.strip() for _, label in axes)
    assert "Fermer la fiche" in template


def test_a_list_entry_leads_to_the_card_of_the_same_marker(client, projects):
    page = page_text(client.get(reverse("valorisation:projects")))
    located = [int(pk) for pk in re.findall(r'data-locate="(\d+)"[^>]*>Voir sur la carte<', page)]
    assert sorted(located) == sorted(features(client))


def test_a_project_without_a_place_has_no_marker_nor_map_button(client, projects):
    nowhere = laureate("53", title="Projet sans lieu")
    nowhere.places.clear()
    page = page_text(client.get(reverse("valorisation:projects")))
    assert f'data-locate="{nowhere.pk}"' not in page
    assert nowhere.pk not in features(client)
