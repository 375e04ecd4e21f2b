"""The decisions page shows each file's rank in the jury's ranking (not its place in the list), « — »
for a file without a mean; a laureate that withdrew stays listed, at its rank, with « A renoncé »
and the date (the page is the history of the decisions). The ranking page agrees."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tpj.calls.models import Application
from tpj.calls.services.calls import fire_call
from tpj.calls.services.decisions import decide, renounce

from .factories import decidable

pytestmark = pytest.mark.django_db

BOTH = {"ARS": Decimal("40000"), "DREETS": Decimal("40000")}


def _scored(means):
    """A closed call with four eligible files whose jury means are `means` (None: not scored)."""
    call, apps = decidable()
    for app, mean in zip(apps, means, strict=True):
        Application.objects.filter(pk=app.pk).update(mean_score=mean, scores_count=0 if mean is None else 2)
    return call, apps


def _section(html: str, app) -> str:
    """The decisions page's block of `app` (its <section>)."""
    start = html.index(f'aria-labelledby="dossier-{app.pk}"')
    return html[start : html.index("</section>", start)]


def _rank(section: str) -> str:
    match = re.search(r"Rang au classement : (?:<strong>(\d+)</strong>|<span aria-hidden=\"true\">(—)</span>)", section)
    assert match, section
    return match.group(1) or match.group(2)


def _ranking_page_ranks(client, call) -> dict[str, str]:
    """{reference: the rank shown} on the ranking page."""
    html = client.get(reverse("calls:ranking", args=[call.pk])).content.decode()
    rows = re.findall(r"<tr><td>(.*?)</td>\s*<td[^>]*><a href=\"[^\"]+\">([^<]+)</a>", html)
    return {reference: ("—" if "non classé" in cell else cell) for cell, reference in rows}


def test_the_rank_is_the_rankings_and_a_file_without_a_mean_is_not_ranked(client):
    call, apps = _scored([Decimal("12.50"), Decimal("17.00"), None, Decimal("14.25")])
    client.force_login(call.manager)
    html = client.get(reverse("calls:allocation", args=[call.pk])).content.decode()

    ranks = {app.pk: _rank(_section(html, app)) for app in apps}
    assert ranks == {apps[1].pk: "1", apps[3].pk: "2", apps[0].pk: "3", apps[2].pk: "—"}
    assert "non classé" in _section(html, apps[2])
    # Best first, the file without a mean last.
    order = [html.index(f'id="dossier-{a.pk}"') for a in (apps[1], apps[3], apps[0], apps[2])]
    assert order == sorted(order)
    # The ranking page says the same ranks.
    assert _ranking_page_ranks(client, call) == {
        apps[1].reference: "1",
        apps[3].reference: "2",
        apps[0].reference: "3",
        apps[2].reference: "—",
    }


def test_a_laureate_that_withdrew_stays_at_its_rank_with_its_date(client):
    call, apps = _scored([Decimal("18"), Decimal("16"), Decimal("14"), Decimal("12")])
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", BOTH)
    decide(apps[2], call.manager, "waiting_list", "Crédits épuisés")
    decide(apps[3], call.manager, "rejected", "Moins prioritaire")
    fire_call(call, call.manager, "decide_laureates")
    renounce(apps[1], call.manager, "Local indisponible.")
    client.force_login(call.manager)

    html = client.get(reverse("calls:allocation", args=[call.pk])).content.decode()
    withdrawn = _section(html, apps[1])
    today = date_format(timezone.localdate(), "j F Y")
    assert '<span class="fr-badge fr-badge--sm fr-badge--warning">A renoncé</span> le ' + today in withdrawn
    assert "Motif du désistement : Local indisponible." in withdrawn
    assert _rank(withdrawn) == "2"
    # Nothing left to do on it: no withdrawal, promotion nor decision form.
    assert "<form" not in withdrawn
    # The others keep their ranks: the next on the waiting list is still 3rd.
    assert [_rank(_section(html, a)) for a in apps] == ["1", "2", "3", "4"]
    assert "Suivant sur la liste d'attente" in _section(html, apps[2])

    ranking = client.get(reverse("calls:ranking", args=[call.pk])).content.decode()
    assert apps[1].reference in ranking and "A renoncé</span> le " + timezone.localdate().strftime("%d/%m/%Y") in ranking
    assert _ranking_page_ranks(client, call) == {a.reference: str(i) for i, a in enumerate(apps, 1)}


def test_a_file_withdrawn_by_its_carrier_before_any_decision_is_not_listed(client):
    """Only a laureate's withdrawal belongs to the decisions' history; an eligible file the
    carrier withdrew has left the pool."""
    call, apps = _scored([Decimal("18"), Decimal("16"), Decimal("14"), Decimal("12")])
    Application.objects.filter(pk=apps[3].pk).update(state=Application.State.WITHDRAWN)
    client.force_login(call.manager)
    html = client.get(reverse("calls:allocation", args=[call.pk])).content.decode()
    assert f'id="dossier-{apps[3].pk}"' not in html and "A renoncé" not in html
