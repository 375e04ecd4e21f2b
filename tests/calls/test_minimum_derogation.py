"""The national minimum of a call's laureates: progress shown where the manager allocates, the
warning while applications are open, and the national derogation that unblocks the laureate list."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.models import NNBSP, Call, MinimumDerogation
from tpj.calls.services.allocations import MinimumProgress, open_call_warning, progress_of
from tpj.calls.services.calls import fire_call
from tpj.calls.services.decisions import decide
from tpj.calls.services.derogations import grant_derogation, refuse_derogation, request_derogation
from tpj.core.policy import PermissionDenied
from tpj.notifications.models import Notification

from .factories import decidable, make_call, submitted_application

pytestmark = pytest.mark.django_db


def short(text: str) -> str:
    return text.replace(NNBSP, " ")


def at_160k():
    """A joint call (minimum 200 000 €) whose two laureates get 160 000 € in all, the others rejected."""
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("20000"), "DREETS": Decimal("20000")})
    for app in apps[2:]:
        decide(app, call.manager, "rejected", "Hors priorités")
    return call, apps


def test_the_progress_sentence_is_french_and_its_figures_are_decimal():
    progress = MinimumProgress(Decimal("160000.00"), Decimal("200000.00"))
    assert short(progress.sentence) == "160 000 € sur 200 000 € — il manque 40 000 €"
    assert progress.missing == Decimal("40000.00") and isinstance(progress.missing, Decimal)
    assert (progress.percent, progress.reached) == (80, False)
    # Never « 100 % » before it is reached, cents kept when there are some.
    almost = MinimumProgress(Decimal("199999.50"), Decimal("200000"))
    assert almost.percent == 99 and short(almost.sentence).endswith("il manque 0,50 €")
    done = MinimumProgress(Decimal("200000"), Decimal("200000"))
    assert short(done.sentence) == "200 000 € attribués : minimum national de 200 000 € atteint"
    waived = MinimumProgress(Decimal("160000"), Decimal("200000"), accepted=Decimal("150000"))
    assert waived.reached and "acceptée par dérogation nationale" in waived.sentence


def test_the_decisions_page_and_the_call_page_show_the_progress(client):
    call, _ = at_160k()
    client.force_login(call.manager)

    for url in (reverse("calls:allocation", args=[call.pk]), reverse("calls:call-detail", args=[call.pk])):
        html = short(client.get(url).content.decode())
        assert "160 000 € sur 200 000 € — il manque 40 000 €" in html
        assert 'max="100" value="80"' in html
        assert "Minimum national non atteint" in html

    html = client.get(reverse("calls:allocation", args=[call.pk])).content.decode()
    assert "Demander une dérogation à l'équipe nationale" in html


def test_while_applications_are_open_the_call_page_warns_that_the_minimum_will_be_needed(client):
    call = make_call()
    submitted_application(call, requests={"ARS": Decimal("50000"), "DREETS": Decimal("30000")})
    warning = short(open_call_warning(call))
    assert warning.startswith("Les lauréats devront être dotés d'au moins 200 000 € au total")
    assert "demandent à ce jour 80 000 €, soit 120 000 € de moins que ce minimum." in warning

    client.force_login(call.manager)
    html = short(client.get(reverse("calls:call-detail", args=[call.pk])).content.decode())
    assert "Candidatures ouvertes : le minimum sera exigé" in html
    assert "120 000 € de moins que ce minimum" in html
    # Nobody else reads the panel: an applicant sees the public call only.
    client.force_login(user_with_role(Role.APPLICANT))
    assert "Minimum national de dotation" not in client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()


def test_a_derogation_asked_then_granted_unblocks_the_laureate_list(client):
    call, _ = at_160k()
    national = user_with_role(Role.NATIONAL_TEAM)
    with pytest.raises(ValidationError, match="il manque 40"):
        fire_call(call, call.manager, "decide_laureates")

    client.force_login(call.manager)
    response = client.post(
        reverse("calls:derogation-request", args=[call.pk]), {"reason": "Seuls deux projets recevables dans la région."}
    )
    assert response.status_code == 302
    derogation = MinimumDerogation.objects.get(call=call)
    assert (derogation.state, derogation.endowment, derogation.minimum) == (
        MinimumDerogation.State.REQUESTED,
        Decimal("160000"),
        Decimal("200000"),
    )
    asked = Notification.objects.get(recipient=national, kind="calls.derogation_requested")
    assert asked.body == "Seuls deux projets recevables dans la région." and asked.url == reverse(
        "calls:call-detail", args=[call.pk]
    )

    # The national team reads the request on the call's page and grants it there.
    client.force_login(national)
    html = client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    assert "Dérogation demandée à l'équipe nationale" in html and "Accorder la dérogation" in html
    client.post(
        reverse("calls:derogation-decide", args=[call.pk]),
        {"decision": "grant", "accepted": "160000", "reason": "Faible nombre de porteurs : dotation acceptée.", "confirm": "1"},
    )
    derogation.refresh_from_db()
    assert derogation.state == MinimumDerogation.State.GRANTED and derogation.accepted == Decimal("160000")
    assert derogation.decided_by == national
    for manager in (call.manager, call.co_manager):
        note = Notification.objects.get(recipient=manager, kind="calls.derogation_granted")
        assert note.body == "Faible nombre de porteurs : dotation acceptée."
    events = AuditEvent.objects.for_object(call)
    assert events.get(action="calls.derogation.requested").reason == "Seuls deux projets recevables dans la région."
    granted = events.get(action="calls.derogation.granted")
    assert granted.actor == national and granted.after["accepted"] == "160000.00"
    assert granted.action_label == "Dérogation au minimum national de dotation accordée"

    assert progress_of(call).reached
    fire_call(call, call.manager, "decide_laureates")
    assert Call.objects.get(pk=call.pk).state == Call.State.LAUREATES_DECIDED


def test_only_the_national_team_grants_or_refuses_a_derogation(client):
    call, _ = at_160k()
    request_derogation(call, call.manager, "Peu de candidatures.")
    for user in (call.manager, call.co_manager, user_with_role(Role.CALL_MANAGER, region="11")):
        with pytest.raises(PermissionDenied, match="Seule l'équipe nationale"):
            grant_derogation(call, user, Decimal("150000"), "Je m'accorde une dérogation")
        with pytest.raises(PermissionDenied):
            refuse_derogation(call, user, "Non")
    client.force_login(call.manager)
    response = client.post(
        reverse("calls:derogation-decide", args=[call.pk]), {"decision": "grant", "accepted": "150000", "reason": "x"}
    )
    assert response.status_code == 403
    assert "Seule l&#x27;équipe nationale accorde ou refuse" in response.content.decode()
    assert MinimumDerogation.objects.get(call=call).state == MinimumDerogation.State.REQUESTED


def test_a_refused_derogation_keeps_the_list_blocked_and_may_be_asked_again():
    call, _ = at_160k()
    national = user_with_role(Role.NATIONAL_TEAM)
    request_derogation(call, call.manager, "Peu de candidatures.")
    with pytest.raises(ValidationError, match="déjà demandée"):
        request_derogation(call, call.co_manager, "Une seconde demande")
    with pytest.raises(ValidationError) as error:
        refuse_derogation(call, national, "  ")
    assert error.value.message_dict["reason"] == ["Indiquez le motif du refus : il est communiqué aux gestionnaires de l'appel."]
    refuse_derogation(call, national, "Relancez un appel complémentaire.")
    assert Notification.objects.filter(recipient=call.manager, kind="calls.derogation_refused").exists()
    assert AuditEvent.objects.for_object(call).filter(action="calls.derogation.refused").exists()
    with pytest.raises(ValidationError, match="minimum national est de 200"):
        fire_call(call, call.manager, "decide_laureates")
    request_derogation(call, call.manager, "Appel complémentaire sans candidat.")
    assert MinimumDerogation.objects.filter(call=call, state=MinimumDerogation.State.REQUESTED).count() == 1


def test_the_accepted_endowment_is_checked_and_still_guards_the_list():
    call, apps = at_160k()
    national = user_with_role(Role.NATIONAL_TEAM)
    for accepted, message in (
        ("", "Indiquez la dotation minimale acceptée"),
        ("-1", "ne peut pas être négative"),
        ("200000", "inférieure au minimum national"),
    ):
        with pytest.raises(ValidationError) as error:
            grant_derogation(call, national, accepted, "Motif")
        assert message in error.value.message_dict["accepted"][0]
    assert not MinimumDerogation.objects.exists()
    # Granted unasked, at 180 000 €: the 160 000 € of the laureates are still 20 000 € short.
    grant_derogation(call, national, Decimal("180000"), "Appel commun tardif")
    with pytest.raises(ValidationError, match="dérogation nationale accordée fixe la dotation minimale à 180"):
        fire_call(call, call.manager, "decide_laureates")
    assert short(progress_of(call).sentence) == "160 000 € sur 180 000 € — il manque 20 000 €"


def test_no_derogation_once_the_list_is_decided_nor_when_the_minimum_is_reached():
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    for app in apps[2:]:
        decide(app, call.manager, "rejected", "Moins prioritaire")
    with pytest.raises(ValidationError, match="aucune dérogation n'est nécessaire"):
        request_derogation(call, call.manager, "Par précaution")
    fire_call(call, call.manager, "decide_laureates")
    with pytest.raises(ValidationError, match="déjà arrêtée"):
        grant_derogation(call, user_with_role(Role.NATIONAL_TEAM), Decimal("100000"), "Trop tard")


def test_the_national_dashboard_lists_the_derogations(client):
    call, _ = at_160k()
    national = user_with_role(Role.NATIONAL_TEAM)
    client.force_login(national)
    url = reverse("valorisation:dashboard") + f"?annee={call.campaign.year}"
    assert "Dérogations au minimum" not in client.get(url).content.decode()  # (the body is now cached)

    request_derogation(call, call.manager, "Seuls deux projets recevables.")
    grant_derogation(call, national, Decimal("160000"), "Dotation acceptée à titre exceptionnel.")

    html = short(client.get(url).content.decode())
    assert "Dérogations au minimum" in html
    assert "Accordée" in html and "160 000 €" in html and "Dotation acceptée à titre exceptionnel." in html
    assert "par dérogation" in html


def test_a_grant_answering_a_request_refused_meanwhile_is_refused_and_says_to_reload(client):
    call, _ = at_160k()
    national = user_with_role(Role.NATIONAL_TEAM)
    asked = request_derogation(call, call.manager, "Peu de candidatures recevables.")
    client.force_login(national)
    page = client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    assert f'name="derogation" value="{asked.pk}"' in page  # the form says which request it answers
    refuse_derogation(call, user_with_role(Role.NATIONAL_TEAM), "Relancez un appel complémentaire.")

    data = {"derogation": asked.pk, "decision": "grant", "accepted": "160000", "reason": "Territoire peu doté.", "confirm": "1"}
    response = client.post(reverse("calls:derogation-decide", args=[call.pk]), data, follow=True)

    assert "a reçu une réponse entre-temps" in response.content.decode()
    assert list(MinimumDerogation.objects.filter(call=call).values_list("state", flat=True)) == ["refused"]
