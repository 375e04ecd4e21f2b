"""The projetothèque's list and pages are public reads of their own scope."""

import pytest
from django.urls import reverse

from tests.valorisation.factories import laureate
from tpj.calls.models import Partner
from tpj.core.public_cache import versions
from tpj.territories.models import Commune

pytestmark = pytest.mark.django_db
PROJECTS = reverse("valorisation:projects")


def test_a_new_laureate_and_an_edited_one_are_shown_at_once(committed, visitor, django_assert_num_queries):
    with committed():
        first = laureate(title="Ateliers parents-bébés")
    page = visitor.get(PROJECTS).content.decode()
    detail = reverse("valorisation:project", args=[first.pk])
    assert "Ateliers parents-bébés" in page and visitor.get(detail).status_code == 200
    with django_assert_num_queries(1):
        assert visitor.get(PROJECTS).content.decode() == page
    with committed():
        laureate(title="Café des parents", region="53")
    assert "Café des parents" in visitor.get(PROJECTS).content.decode()
    with committed():
        first.title = "Ateliers pour les tout-petits"
        first.save()
    assert "Ateliers pour les tout-petits" in visitor.get(detail).content.decode()


def test_projects_not_yet_transmitted_keep_the_cache(committed):
    with committed():
        laureate(title="Déjà public")
    before = versions.current(versions.PROJECTS)
    registry = versions.current(versions.REGISTRY)
    with committed():
        laureate(title="Pas encore transmis", transmitted=False, year=2030)
    assert versions.current(versions.PROJECTS) > before  # its carrier and campaign are new rows
    assert versions.current(versions.REGISTRY) == registry


def test_a_partner_or_a_place_added_to_a_public_project_shows_on_its_page_at_once(committed, visitor):
    with committed():
        project = laureate(title="Ateliers parents-bébés")
    detail = reverse("valorisation:project", args=[project.pk])
    assert "Pas de partenaire déclaré." in visitor.get(detail).content.decode()
    with committed():
        Partner.objects.create(application=project, name="Centre social des Lilas", role="accueil des ateliers")
    assert "Centre social des Lilas" in visitor.get(detail).content.decode()
    before = versions.current(versions.PROJECTS)
    with committed():
        project.places.add(Commune.objects.first())
    assert versions.current(versions.PROJECTS) > before
