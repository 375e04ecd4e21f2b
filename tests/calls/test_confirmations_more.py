"""More irreversible actions confirmed first (issue 18 §5): submitting an application, recording
a laureate's withdrawal, notifying the decisions. Each button opens a DSFR modal that says what
cannot be undone; without JavaScript the POST (no `confirm=1`) only shows the confirmation step
and changes nothing; with `confirm=1` the action happens."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from tpj.calls.models import Application, DecisionLetter, euros
from tpj.calls.services.applications import create_application
from tpj.calls.services.calls import fire_call
from tpj.calls.services.decisions import decide, notify_decisions

from .factories import applicant, content, decidable, decided_call, make_call

pytestmark = pytest.mark.django_db

BOTH = {"ARS": Decimal("40000"), "DREETS": Decimal("40000")}


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- « Déposer la candidature » -----------------------------------------------------------------


def _draft(call, **overrides):
    user = applicant()
    app, _ = create_application(user, call, content(call, **overrides))
    return app


def test_submitting_an_application_is_confirmed_and_says_it_can_no_longer_be_edited(client):
    call = make_call()
    app = _draft(call)
    client.force_login(app.created_by)
    said = "Une fois déposée, la candidature ne pourra plus être modifiée"

    page = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    modal_id = f"confirmer-submit-{app.pk}"
    assert f'aria-controls="{modal_id}" data-fr-opened="false">Déposer la candidature</button>' in page
    assert f'<dialog id="{modal_id}" class="fr-modal"' in page and said in page

    url = reverse("calls:application-action", args=[app.pk, "submit"])
    step = client.post(url)
    assert step.status_code == 200
    html = step.content.decode()
    assert "Confirmez cette action" in html and said in html
    assert 'name="confirm" value="1">Confirmer</button>' in html
    app.refresh_from_db()
    assert app.state == Application.State.DRAFT and app.reference == "" and app.submitted_at is None

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED and app.reference.startswith("AAP")


def test_an_incomplete_draft_is_refused_at_once_without_a_confirmation(client):
    call = make_call()
    app = _draft(call, description="")
    client.force_login(app.created_by)
    page = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    assert "Décrivez le projet." in page and f"confirmer-submit-{app.pk}" not in page

    response = client.post(reverse("calls:application-action", args=[app.pk, "submit"]))
    assert response.status_code == 302
    assert "Décrivez le projet." in _messages(response)
    assert Application.objects.get(pk=app.pk).state == Application.State.DRAFT


# --- a laureate's withdrawal (« renounce ») -------------------------------------------------------


def _laureates_decided():
    """Two laureates (60 000 € and 40 000 € on each envelope), two on the waiting list."""
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", BOTH)
    decide(apps[2], call.manager, "waiting_list", "Crédits épuisés")
    decide(apps[3], call.manager, "waiting_list", "Crédits épuisés")
    fire_call(call, call.manager, "decide_laureates")
    return call, apps


def test_recording_a_laureates_withdrawal_is_confirmed_with_the_amount_freed(client):
    call, apps = _laureates_decided()
    laureate = apps[1]
    client.force_login(call.manager)
    url = reverse("calls:allocation", args=[call.pk])
    said = (
        f"Le désistement est définitif : le dossier {laureate.reference} ne pourra plus redevenir lauréat, "
        f"les {euros(80000)} attribués reviendront à leurs enveloppes et le porteur en sera informé."
    )

    page = client.get(url).content.decode()
    modal_id = f"confirmer-desistement-d{laureate.pk}"
    assert f'aria-controls="{modal_id}" data-fr-opened="false">Enregistrer le désistement du lauréat</button>' in page
    assert f'<dialog id="{modal_id}" class="fr-modal"' in page and escape(said) in page

    data = {"application": laureate.pk, "renounce": "1", "reason": "Le porteur renonce."}
    step = client.post(url, data)
    assert step.status_code == 200
    html = step.content.decode()
    assert "Confirmez cette action" in html and escape(said) in html
    assert '<input type="hidden" name="reason" value="Le porteur renonce.">' in html
    assert f'<input type="hidden" name="application" value="{laureate.pk}">' in html
    assert f'action="{url}"' in html
    assert Application.objects.get(pk=laureate.pk).state == Application.State.LAUREATE

    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Application.objects.get(pk=laureate.pk).state == Application.State.WITHDRAWN


def test_a_withdrawal_without_reason_is_refused_at_once(client):
    call, apps = _laureates_decided()
    client.force_login(call.manager)
    response = client.post(reverse("calls:allocation", args=[call.pk]), {"application": apps[1].pk, "renounce": "1"})
    assert response.status_code == 302
    assert any("Indiquez un motif" in m for m in _messages(response))
    assert Application.objects.get(pk=apps[1].pk).state == Application.State.LAUREATE


# --- « Notifier les décisions » (a service) --------------------------------------------------------


def test_notifying_the_decisions_is_confirmed_with_the_number_of_letters(client):
    call, apps = decided_call()  # four decisions, no letter yet
    client.force_login(call.manager)
    said = "Les courriers de décision seront envoyés aux 4 porteurs des dossiers décidés ; ils ne pourront pas être rappelés"
    modal = (
        f'aria-controls="confirmer-notification-{call.pk}" data-fr-opened="false">Notifier les décisions (courriers PDF)</button>'
    )
    for page in ("calls:allocation", "calls:call-detail"):
        html = client.get(reverse(page, args=[call.pk])).content.decode()
        assert modal in html and said in html and f'<dialog id="confirmer-notification-{call.pk}"' in html

    url = reverse("calls:notify", args=[call.pk])
    step = client.post(url)
    assert step.status_code == 200
    assert "Confirmez cette action" in step.content.decode() and said in step.content.decode()
    assert not DecisionLetter.objects.filter(application__call=call).exists()

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert DecisionLetter.objects.filter(application__call=call).count() == 4
    assert _messages(response)[0].startswith("4 courriers de décision en préparation")


def test_once_every_letter_is_on_its_way_notifying_asks_nothing(client):
    call, apps = decided_call()
    notify_decisions(call, call.manager)
    client.force_login(call.manager)
    html = client.get(reverse("calls:allocation", args=[call.pk])).content.decode()
    assert "Notifier les décisions (courriers PDF)</button>" in html
    assert f"confirmer-notification-{call.pk}" not in html

    response = client.post(reverse("calls:notify", args=[call.pk]))
    assert response.status_code == 302
    assert _messages(response)[0].startswith("Aucun courrier de décision à préparer")
    assert DecisionLetter.objects.filter(application__call=call).count() == 4


def test_one_letter_left_is_said_in_the_singular(client):
    call, apps = _laureates_decided()
    notify_decisions(call, call.manager)
    client.force_login(call.manager)
    client.post(
        reverse("calls:allocation", args=[call.pk]),
        {"application": apps[1].pk, "renounce": "1", "reason": "Le porteur renonce.", "confirm": "1"},
    )
    client.post(
        reverse("calls:allocation", args=[call.pk]),
        {
            "application": apps[2].pk,
            "promote": "1",
            f"d{apps[2].pk}-outcome": "laureate",
            f"d{apps[2].pk}-reason": "Suivant sur la liste",
            f"d{apps[2].pk}-amount_ARS": "40000",
            f"d{apps[2].pk}-amount_DREETS": "40000",
            "confirm": "1",
        },
    )
    assert Application.objects.get(pk=apps[2].pk).state == Application.State.LAUREATE
    step = client.post(reverse("calls:notify", args=[call.pk])).content.decode()
    assert "Le courrier de décision sera envoyé au porteur du dossier décidé ; il ne pourra pas être rappelé" in step
