"""The web pages: each role's journey, bad input shown in French, nothing half-saved, no 500."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.calls.factories import (
    CampaignFactory,
    applicant,
    close,
    jury_user,
    make_call,
    manager,
    pdf_upload,
    submitted_application,
)
from tests.factories import OrganisationFactory, user_with_role
from tpj.accounts.models import Role
from tpj.calls.forms.calls import EnvelopeForm
from tpj.calls.models import Application, Call, Campaign, JuryMember
from tpj.calls.services.applications import create_application
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible
from tpj.nomenclatures.models import FundingSource

pytestmark = pytest.mark.django_db


def _application_post(call, **overrides):
    data = {
        "title": "Éveil musical en crèche",
        "carrier_siret": "73282932000074",
        "description": "Ateliers d'éveil musical.",
        "target_public": "Tout-petits et parents",
        "call_axes": [call.axes.first().pk],
        "places": "35238, 29019",
        "start_date": "2030-10-01",
        "end_date": "2031-06-30",
        "partners-TOTAL_FORMS": "1",
        "partners-INITIAL_FORMS": "0",
        "partners-0-name": "Médiathèque",
        "partners-0-role": "Accueil",
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-0-label": "Intervenants",
        "budget-0-amount": "40000",
        "cofinancing-TOTAL_FORMS": "1",
        "cofinancing-INITIAL_FORMS": "0",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-0-name": "Enfants touchés",
        "indicators-0-baseline": "0",
        "indicators-0-target": "300",
        "indicators-0-method": "Registre",
    }
    data.update({f"request_{a}": "15000" for a in call.agencies})
    data.update(overrides)
    return data


def test_public_pages_list_only_published_calls(client):
    published = make_call()
    draft = make_call(region="76", strand="ars", state=Call.State.DRAFT)
    page = client.get(reverse("calls:index")).content.decode()
    assert escape(published.title) in page and escape(draft.title) not in page
    assert client.get(reverse("calls:call-detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("calls:call-detail", args=[draft.pk])).status_code == 302
    document = client.get(reverse("calls:call-document", args=[published.pk]))
    assert document["Content-Type"] == "application/pdf" and b"".join(document.streaming_content).startswith(b"%PDF")
    document.close()


def test_applicant_journey_in_the_browser_pages(client, mailoutbox):
    call = make_call()
    user = applicant()
    client.force_login(user)
    form = client.get(reverse("calls:application-create", args=[call.pk]))
    token = form.context["form"].initial["client_token"]
    data = _application_post(call, client_token=str(token))
    first = client.post(reverse("calls:application-create", args=[call.pk]), data)
    again = client.post(reverse("calls:application-create", args=[call.pk]), data)
    assert first.status_code == 302 and again.status_code == 302 and first.url == again.url
    app = Application.objects.get()
    submit_url = reverse("calls:application-action", args=[app.pk, "submit"])
    client.post(submit_url, {"confirm": "1"})  # confirmed (tests/calls/test_confirmations_more.py)
    second = client.post(submit_url, follow=True)
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED and escape("déjà déposée") in second.content.decode()
    assert Application.objects.count() == 1
    detail = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    assert "Accusé de réception" in detail and app.reference in detail


def test_bad_application_input_is_shown_per_field_and_nothing_saved(client):
    call = make_call(strand="ars")
    client.force_login(applicant())
    url = reverse("calls:application-create", args=[call.pk])
    outside = client.post(url, _application_post(call, places="35238, 31555"))
    assert outside.status_code == 400 and escape("hors de la région") in outside.content.decode()
    caf = FundingSource.objects.get(slug="caf-fnp")
    cof = client.post(url, _application_post(call, **{"cofinancing-0-source": str(caf.pk), "cofinancing-0-amount": "90000"}))
    assert cof.status_code == 400 and escape("dépasse le budget total") in cof.content.decode()
    bad_siret = client.post(url, _application_post(call, carrier_siret="73282932000075"))
    assert escape("clé de contrôle") in bad_siret.content.decode()
    assert not Application.objects.exists()


def test_submission_after_the_deadline_through_the_page(client):
    call = make_call()
    user = applicant()
    app, _ = create_application(user, call, __import__("tests.calls.factories", fromlist=["content"]).content(call))
    Call.objects.filter(pk=call.pk).update(applications_deadline=timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(user)
    response = client.post(reverse("calls:application-action", args=[app.pk, "submit"]), follow=True)
    assert escape("est dépassée") in response.content.decode()
    app.refresh_from_db()
    assert app.state == Application.State.DRAFT


def test_manager_defines_call_non_pdf_refused(client):
    call = make_call(state=Call.State.DRAFT)
    client.force_login(call.manager)
    page = client.get(reverse("calls:call-edit", args=[call.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("cahier_des_charges", "target_departements")}
    data.update(
        {
            "targeting_mode": "none",
            "applications_deadline": (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "summary": "Nouveau résumé",
        }
    )
    for prefix, fs in (
        ("axes", page.context["axes"]),
        ("criteria", page.context["criteria"]),
        ("envelopes", page.context["envelopes"]),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(fs.initial_forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(fs.initial_forms))
        for i, f in enumerate(fs.initial_forms):
            data[f"{prefix}-{i}-id"] = f.instance.pk
            for name in f.fields:
                if name in ("id", "call", "DELETE"):
                    continue
                value = f.initial.get(name)
                data[f"{prefix}-{i}-{name}"] = [a.pk for a in value] if name == "national_axes" else value
    data["cahier_des_charges"] = SimpleUploadedFile("cahier.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    refused = client.post(reverse("calls:call-edit", args=[call.pk]), data)
    assert refused.status_code == 400 and escape("n'est pas un PDF") in refused.content.decode()
    call.refresh_from_db()
    assert call.summary == ""
    data["cahier_des_charges"] = pdf_upload()
    data["envelopes-0-local_top_up"] = "50000"
    ok = client.post(reverse("calls:call-edit", args=[call.pk]), data)
    assert ok.status_code == 302, ok.context and [f.errors for f in ok.context["axes"]]
    call.refresh_from_db()
    assert call.summary == "Nouveau résumé" and call.envelopes.get(agency="ARS").total == Decimal("150000")


def test_manager_pages_are_403_outside_scope(client):
    call = make_call()
    submitted_application(call)
    client.force_login(manager("ARS", "76"))
    for name in ("call-applications", "jury", "ranking", "allocation", "call-edit"):
        assert client.get(reverse(f"calls:{name}", args=[call.pk])).status_code == 403
    client.force_login(call.manager)
    for name in ("call-applications", "jury", "ranking", "allocation"):
        assert client.get(reverse(f"calls:{name}", args=[call.pk])).status_code == 200


def test_jury_and_decision_pages(client):
    call = make_call()
    reseau = OrganisationFactory(name="Réseau vue")
    app = submitted_application(call, partners=[{"name": "Réseau vue", "role": "Appui"}])
    close(call)
    declare_eligible(app, call.manager)
    client.force_login(call.manager)
    funder, operator = jury_user(), jury_user(organisation=reseau)
    for user, kind in ((funder, "funder"), (operator, "operator")):
        client.post(reverse("calls:jury", args=[call.pk]), {"email": user.email, "kind": kind})
    client.post(reverse("calls:jury", args=[call.pk]), {"assign": "1"})
    assert JuryMember.objects.filter(call=call).count() == 2
    recused_sheet = operator.jury_seats.get().sheets.get()
    client.force_login(operator)
    assert "Récusé(e) d'office" in client.get(reverse("calls:my-jury")).content.decode()
    assert client.get(reverse("calls:sheet", args=[recused_sheet.pk])).status_code == 403
    sheet = funder.jury_seats.get().sheets.get()
    client.force_login(funder)
    assert escape("conflit d'intérêts") in client.get(reverse("calls:sheet", args=[sheet.pk])).content.decode()
    client.post(reverse("calls:sheet", args=[sheet.pk]), {"has_conflict": "0"})
    scores = {f"score_{c.pk}": "4" for c in call.criteria.all()}
    out = client.post(
        reverse("calls:sheet", args=[sheet.pk]), {**scores, f"score_{call.criteria.first().pk}": "8", "submit": "1"}
    )
    assert out.status_code == 400 and "comprise entre 0 et 5" in out.content.decode()
    assert client.post(reverse("calls:sheet", args=[sheet.pk]), {**scores, "submit": "confirmed"}).status_code == 302
    client.force_login(call.manager)
    ranking = client.get(reverse("calls:ranking", args=[call.pk])).content.decode()
    assert "16,00" in ranking or "16.00" in ranking
    url = reverse("calls:allocation", args=[call.pk])
    too_much = client.post(
        url,
        {"application": app.pk, f"d{app.pk}-outcome": "laureate", f"d{app.pk}-reason": "Bien", f"d{app.pk}-amount_ARS": "150000"},
    )
    assert too_much.status_code == 400 and escape("dépasse le montant demandé") in too_much.content.decode()
    ok = client.post(
        url,
        {
            "application": app.pk,
            f"d{app.pk}-outcome": "laureate",
            f"d{app.pk}-reason": "Bien",
            f"d{app.pk}-amount_ARS": "60000",
            f"d{app.pk}-amount_DREETS": "60000",
        },
    )
    assert ok.status_code == 302
    app.refresh_from_db()
    assert app.state == Application.State.LAUREATE and app.allocated_total() == Decimal("120000")


def test_national_team_board_and_campaign_form(client):
    national = user_with_role(Role.NATIONAL_TEAM)
    campaign = CampaignFactory()
    make_call()
    client.force_login(national)
    board = client.get(reverse("calls:campaign-board", args=[campaign.pk])).content.decode()
    assert "Non déclarée" in board or "Pas encore déclarée" in board
    response = client.post(
        reverse("calls:campaign-create"),
        {
            "year": 2040,
            "intent_deadline": "2040-05-17",
            "laureates_deadline": "2040-08-31",
            "transmission_deadline": "2040-09-10",
            "projects_start_deadline": "2040-10-15",
            "national_dotation": "100000",
            "minimum_single": "100000",
            "minimum_joint": "200000",
        },
    )
    assert response.status_code == 302 and Campaign.objects.filter(year=2040).exists()
    client.force_login(manager())
    assert client.get(reverse("calls:campaign-board", args=[campaign.pk])).status_code == 403


def test_declaration_page(client):
    CampaignFactory()
    user = manager("DREETS", "53")
    client.force_login(user)
    response = client.post(
        reverse("calls:declare"), {"joint": "on", "referent_name": "Denis", "referent_email": "denis@dreets.fr", "confirm": "1"}
    )
    assert response.status_code == 302
    assert user.organisation.region_id == "53"
    client.force_login(applicant())
    assert client.get(reverse("calls:declare")).status_code == 403


def test_history_export_and_decision_letter_access(client, django_capture_on_commit_callbacks):
    call = make_call(strand="ars")
    app = submitted_application(call, requests={"ARS": Decimal("60000")})
    close(call)
    declare_eligible(app, call.manager)
    app = decide(app, call.manager, "laureate", "Très bon projet", {"ARS": Decimal("60000")})
    response = client.get(reverse("calls:call-export", args=[call.pk, "historique"]))
    assert response.status_code == 302  # anonymous: sign in first
    client.force_login(call.manager)
    history = b"".join(client.get(reverse("calls:call-export", args=[call.pk, "historique"])).streaming_content).decode(
        "utf-8-sig"
    )
    assert "calls.application.select" in history and "calls.decision.allocation" in history
    client.force_login(app.created_by)
    assert client.get(reverse("calls:decision-letter", args=[app.pk])).status_code == 404  # not notified yet
    assert client.get(reverse("calls:call-export", args=[call.pk, "historique"])).status_code == 403


def test_my_jury_page_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("calls:my-jury"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login")) and "next=" in response["Location"]
    client.force_login(jury_user())
    assert "Aucun dossier ne vous est attribué." in client.get(reverse("calls:my-jury")).content.decode()


def test_envelope_cannot_be_lowered_below_its_allocations():
    call = make_call(strand="ars")
    app = submitted_application(call, requests={"ARS": Decimal("60000")})
    close(call)
    declare_eligible(app, call.manager)
    decide(app, call.manager, "laureate", "Bien", {"ARS": Decimal("60000")})
    envelope = call.envelopes.get()
    envelope.refresh_from_db()
    form = EnvelopeForm({"local_top_up": "-50000"}, instance=envelope)
    assert not form.is_valid()
    envelope.national_dotation = Decimal("50000")
    form = EnvelopeForm({"local_top_up": "0"}, instance=envelope)
    assert not form.is_valid() and "ne peut pas descendre" in form.errors["local_top_up"][0]


def test_draft_saves_as_the_user_goes_without_duplicates(client):
    call = make_call()
    client.force_login(applicant())
    url = reverse("calls:application-create", args=[call.pk])
    token = str(client.get(url).context["form"].initial["client_token"])
    first = client.post(url, _application_post(call, client_token=token, title="Premier titre"), HTTP_HX_REQUEST="true")
    assert "enregistré automatiquement" in first.content.decode()
    client.post(url, _application_post(call, client_token=token, title="Titre corrigé"), HTTP_HX_REQUEST="true")
    bad = client.post(url, _application_post(call, client_token=token, places="31555"), HTTP_HX_REQUEST="true")
    assert escape("hors de la région") in bad.content.decode()
    final = client.post(url, _application_post(call, client_token=token, title="Titre final"))
    app = Application.objects.get()
    assert final.status_code == 302 and app.title == "Titre final"
