"""National dashboard organised for its readers (issue 19): the summary band's five figures,
the same as the tables', in French, each linked to its section; the sections' anchors; each
chart beside the table that gives its figures; downloads with visible labels."""

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import user_with_role
from tests.registry.factories import verified_entry
from tpj.accounts.models import Role
from tpj.territories.models import Commune
from tpj.valorisation import coverage, dashboard
from tpj.valorisation.views.dashboard import summary_band

from .factories import laureate

pytestmark = pytest.mark.django_db
URL = "/valorisation/tableau-de-bord/"


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\u202f", " ")).strip()


def band(page: str) -> list[str]:
    """The summary band's tiles, as read."""
    items = re.search(r'<ul [^>]*id="chiffres-cles">(.*?)</ul>', page, re.S).group(1)
    return [text(tile) for tile in re.findall(r"<li[^>]*>(.*?)</li>", items, re.S)]


@pytest.fixture
def campaign_data():
    laureate("53", title="Café des parents de Brest", axes=(3,), places=("29019",))
    laureate(
        "76", title="Répit parental à Toulouse", axes=(3, 6), places=("31555",), transmitted=False, allocated=Decimal("40000")
    )
    for name in ("Crèche A", "Crèche B", "Crèche C"):
        verified_entry(name=name, commune=Commune.objects.get(insee_code="35238"))
    coverage.refresh()


def test_the_summary_band_gives_the_five_figures_asked_first(client, campaign_data):
    client.force_login(user_with_role(Role.NATIONAL_TEAM, email="nationale@example.fr"))
    page = client.get(URL).content.decode()
    assert band(page) == [
        "0 / 18 régions ayant déclaré leur intention 2 appels lancés",
        "2 lauréats sur 2 candidatures",
        "1 / 18 liste de lauréats transmise au national",
        "100 000 € attribués aux lauréats sur 300 000 € d'enveloppes (33 %)",
        "3 fiches vérifiées dans l'annuaire 0 en attente de modération",
    ]
    # Each figure leads to its section, which the page's summary lists too.
    for anchor in ("calendrier", "montants", "axes", "couverture", "carte", "mesures"):
        assert f'id="{anchor}"' in page
        assert f'href="#{anchor}"' in page
    # The figures are the tables' (the money table's « Attribué » column, the laureates' total).
    assert "100 000 €" in text(re.search(r'<table id="tableau-montants">.*?</table>', page, re.S).group(0))
    totals = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    assert text(totals).startswith("Total 0 0 2 0 0 1")  # axis 3 twice, axis 6 once


def test_each_chart_points_to_the_table_of_its_figures(client, campaign_data):
    client.force_login(user_with_role(Role.NATIONAL_TEAM, email="nationale@example.fr"))
    page = client.get(URL).content.decode()
    for table in ("tableau-montants", "tableau-axes", "tableau-couverture"):
        assert f'<table id="{table}">' in page
        assert f'href="#{table}"' in page  # the sentence under its chart
    assert page.count('role="img"') == 3
    # Downloads say what they give, in words.
    for label in ("Tableau par région (CSV)", "Tableau par département (CSV)", "Mesures nationales (CSV)"):
        assert f">{label}</a>" in page


def test_without_a_campaign_the_band_gives_the_registry_figure_only(client):
    verified_entry(name="Crèche A", commune=Commune.objects.get(insee_code="35238"))
    coverage.refresh()
    client.force_login(user_with_role(Role.NATIONAL_TEAM, email="nationale@example.fr"))
    page = client.get(URL).content.decode()
    assert band(page) == ["1 fiche vérifiée dans l'annuaire 0 en attente de modération"]
    assert 'href="#calendrier"' not in page


def test_the_band_reads_no_figure_of_its_own(campaign_data):
    board = dashboard.build(campaign=dashboard.current_campaign())
    with CaptureQueriesContext(connection) as queries:
        figures = summary_band(board, board.rows)
    assert len(figures) == 5 and not queries.captured_queries
