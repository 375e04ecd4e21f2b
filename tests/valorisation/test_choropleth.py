"""Dashboard map: class breaks from the figures (0 and « aucune donnée » apart), legends and
tooltips in French number format, the chart's labels as the tables write them."""

import html
import json
import re

import pytest
from django.urls import reverse

from tests.factories import user_with_role
from tests.registry.factories import verified_entry
from tpj.accounts.models import Role
from tpj.territories.models import Commune
from tpj.valorisation.choropleth import NO_DATA, PALETTE, ZERO, ZERO_COLOUR, choropleth, class_breaks, class_of
from tpj.valorisation.views.dashboard import fr_number

from .factories import laureate


def classes(values):
    breaks = class_breaks(values)
    return [class_of(v, breaks) for v in values]


def test_zeros_are_their_own_class_and_never_the_darkest():
    # The defect seen: 16 régions at 0 and 2 with entries were all painted the darkest.
    values = [0] * 16 + [2, 5]
    assert class_breaks(values) == [2, 5]
    assert classes(values) == [ZERO] * 16 + ["0", "1"]


def test_no_data_is_apart_from_zero():
    assert classes([None, 0, 3]) == [NO_DATA, ZERO, "0"]
    assert classes([None, None]) == [NO_DATA, NO_DATA]
    assert classes([0, 0]) == [ZERO, ZERO]


def test_quantiles_split_the_positive_figures_in_classes_of_equal_size():
    values = list(range(1, 11))
    assert class_breaks(values) == [2, 4, 6, 8, 10]
    assert classes(values) == ["0", "0", "1", "1", "2", "2", "3", "3", "4", "4"]


def test_repeated_figures_never_make_two_equal_bounds():
    values = [1, 1, 1, 1, 1, 1, 1, 1, 9]
    assert class_breaks(values) == [1, 9]
    assert classes(values)[-1] == "1" and set(classes(values)[:-1]) == {"0"}


def test_legend_names_the_figures_of_each_class_in_french():
    rows = [
        {"code": "a", "n": None},
        {"code": "b", "n": 0},
        {"code": "c", "n": 1234},
        {"code": "d", "n": 5678},
        {"code": "e", "n": 0.1},
    ]
    result = choropleth(rows, ["n"], fr_number)
    legend = result["legends"]["n"]
    assert [entry["label"] for entry in legend] == ["Aucune donnée", "0", "0,1", "1\u202f234", "5\u202f678"]
    assert legend[1]["colour"] == ZERO_COLOUR and legend[-1]["colour"] == PALETTE[-1]
    assert result["territories"]["c"]["n"] == {"class": "1", "colour": legend[3]["colour"], "shown": "1\u202f234"}
    assert result["territories"]["a"]["n"]["shown"] == "—"


def test_a_class_holding_several_figures_names_its_lowest_and_highest():
    rows = [{"code": str(i), "n": float(i) / 10} for i in range(1, 11)]
    labels = [entry["label"] for entry in choropleth(rows, ["n"], fr_number)["legends"]["n"]]
    assert labels == ["0,1 à 0,2", "0,3 à 0,4", "0,5 à 0,6", "0,7 à 0,8", "0,9 à 1,0"]


@pytest.mark.django_db
def test_the_dashboard_map_and_chart_read_like_the_tables(client):
    laureate("53", title="Éveil à Brest", axes=(4,), places=("29019",))
    rennes = Commune.objects.get(insee_code="35238")
    verified_entry(name="Crèche A", commune=rennes)
    verified_entry(name="PMI B", commune=rennes)
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    response = client.get(reverse("valorisation:dashboard"), {"annee": "2021"})
    page = response.content.decode()
    points = json.loads(re.search(r'<script id="dashboard-points" type="application/json">(.*?)</script>', page, re.S).group(1))

    regions = points["regions"]["territories"]
    assert len(regions) == 18
    # One région with laureates: it alone is coloured; the 17 others are at 0, not the darkest.
    laureates = {code: t["laureates"]["class"] for code, t in regions.items()}
    assert laureates.pop("53") == "0" and set(laureates.values()) == {ZERO}
    assert [e["label"] for e in points["regions"]["legends"]["laureates"]] == ["0", "1"]
    # Two entries for some 3.4 million inhabitants: « 0,1 » on the map, in the table and the chart.
    bretagne = regions["53"]["verified_per_100k"]
    assert bretagne["shown"] == "0,1" and bretagne["class"] == "0"
    assert regions["11"]["verified_per_100k"] == {"class": ZERO, "colour": ZERO_COLOUR, "shown": "0,0"}
    chart = html.unescape(re.search(r"<svg[^>]*chart-title-verified.*?</svg>", page, re.S).group(0))
    assert ">0,1<" in chart and ">0.1<" not in chart
    departements = points["departements"]["territories"]
    assert departements["35"]["verified"] == {"class": "0", "colour": PALETTE[-1], "shown": "2"}
    assert departements["29"]["verified"]["class"] == ZERO
