"""A team's training plan (issue 20, journey 4): save offers, note who should go, export.
Only the owner sees or changes a plan; an anonymous visitor is sent to sign in."""

import csv
import datetime
import html
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.training.factories import OfferFactory, SessionFactory, published_offer
from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.territories.models import Commune
from tpj.training.models import OfferState, PlanItem, TrainingPlan
from tpj.training.services import plans as plan_services

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def director(db):
    return UserFactory(email="directrice.creche@example.fr")


@pytest.fixture
def offer(db):
    return published_offer(title="Éveil au langage des tout-petits")


@pytest.fixture
def plan(director):
    return plan_services.create_plan(director, "Équipe des Lucioles")


def test_an_anonymous_visitor_sees_the_button_as_a_sign_in_link_back_to_the_plan(client, offer):
    page = text(client.get(reverse("training:offer", args=[offer.pk])))
    add_url = reverse("training:add-to-plan", args=[offer.pk])
    assert "Ajouter à un plan de formation" in page
    assert f"{reverse('accounts:login')}?next={quote(add_url)}" in page
    response = client.get(add_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login")) and "next=" in response["Location"]
    assert client.get(reverse("training:plans")).status_code == 302


def test_a_professional_creates_a_plan_from_an_offer_with_its_session(client, director, offer):
    session = offer.sessions.get()
    client.force_login(director)
    page = text(client.get(reverse("training:add-to-plan", args=[offer.pk])))
    assert "Nom du nouveau plan" in page and "Session visée" in page
    response = client.post(
        reverse("training:add-to-plan", args=[offer.pk]),
        {"plan": "nouveau", "new_name": "Relais petite enfance — 2027", "session": str(session.pk)},
    )
    plan = TrainingPlan.objects.get(owner=director)
    assert response.status_code == 302 and response["Location"].startswith(reverse("training:plan", args=[plan.pk]))
    assert plan.name == "Relais petite enfance — 2027"
    item = plan.items.get()
    assert (item.offer, item.session) == (offer, session)
    page = text(client.get(reverse("training:plan", args=[plan.pk])))
    assert "Éveil au langage des tout-petits" in page and "Session choisie" in page
    assert AuditEvent.objects.for_object(plan).filter(action="training.plan.add").exists()


def test_adding_an_offer_twice_keeps_one_line(client, director, offer, plan):
    client.force_login(director)
    url = reverse("training:add-to-plan", args=[offer.pk])
    client.post(url, {"plan": str(plan.pk)})
    response = client.post(url, {"plan": str(plan.pk)}, follow=True)
    assert "figure déjà dans le plan" in text(response)
    assert plan.items.count() == 1


def test_a_new_plan_needs_a_name_and_nothing_is_half_saved(client, director, offer):
    client.force_login(director)
    response = client.post(reverse("training:add-to-plan", args=[offer.pk]), {"plan": "nouveau", "new_name": "  "})
    assert response.status_code == 400
    assert "Donnez un nom au nouveau plan." in text(response)
    assert not TrainingPlan.objects.exists()


def test_a_session_of_another_offer_is_refused(director, offer, plan):
    other = published_offer()
    with pytest.raises(Exception, match="Cette session n'appartient pas à cette offre"):
        plan_services.add_offer(director, plan, offer, other.sessions.get())
    assert not plan.items.exists()


def test_an_unpublished_offer_cannot_be_added(director, plan):
    draft = OfferFactory(state=OfferState.DRAFT)
    with pytest.raises(Exception, match="n'est pas publiée"):
        plan_services.add_offer(director, plan, draft)


def test_only_the_owner_sees_or_changes_a_plan(client, director, offer, plan):
    item, _ = plan_services.add_offer(director, plan, offer)
    intruder = UserFactory()
    client.force_login(intruder)
    for url in (
        reverse("training:plan", args=[plan.pk]),
        reverse("training:plan-delete", args=[plan.pk]),
        reverse("training:plan-export", args=[plan.pk, "csv"]),
        reverse("training:plan-export", args=[plan.pk, "xlsx"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("training:plan-rename", args=[plan.pk]), {"name": "Volé"}).status_code == 404
    assert client.post(reverse("training:plan-delete", args=[plan.pk])).status_code == 404
    assert client.post(reverse("training:plan-item", args=[plan.pk, item.pk]), {f"offre-{item.pk}-note": "x"}).status_code == 404
    assert client.post(reverse("training:plan-item-remove", args=[plan.pk, item.pk])).status_code == 404
    assert "Équipe des Lucioles" not in text(client.get(reverse("training:plans")))
    plan.refresh_from_db()
    assert plan.name == "Équipe des Lucioles" and plan.items.count() == 1
    with pytest.raises(policy.PermissionDenied):
        plan_services.rename_plan(intruder, plan, "Volé")
    assert list(TrainingPlan.objects.visible_to(intruder)) == []


def test_who_should_go_and_the_note_are_saved_without_javascript(client, director, offer, plan):
    item, _ = plan_services.add_offer(director, plan, offer)
    client.force_login(director)
    prefix = f"offre-{item.pk}"
    response = client.post(
        reverse("training:plan-item", args=[plan.pk, item.pk]),
        {
            f"{prefix}-attendees": "Amina et Julien (auxiliaires)",
            f"{prefix}-note": "Prévoir le remplacement",
            f"{prefix}-session": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#offre-{item.pk}")
    item.refresh_from_db()
    assert (item.attendees, item.note, item.session) == ("Amina et Julien (auxiliaires)", "Prévoir le remplacement", None)
    page = text(client.get(reverse("training:plan", args=[plan.pk])))
    assert "Amina et Julien (auxiliaires)" in page and "Prochaine session" in page


def test_the_item_form_answers_htmx_with_itself(client, director, offer, plan):
    item, _ = plan_services.add_offer(director, plan, offer)
    client.force_login(director)
    prefix = f"offre-{item.pk}"
    response = client.post(
        reverse("training:plan-item", args=[plan.pk, item.pk]),
        {f"{prefix}-attendees": "Toute l'équipe", f"{prefix}-note": "", f"{prefix}-session": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = text(response)
    assert "Enregistré." in body and "<html" not in body and "Toute l'équipe" in body


def test_a_too_long_note_is_refused_with_a_french_message(client, director, offer, plan):
    item, _ = plan_services.add_offer(director, plan, offer)
    client.force_login(director)
    prefix = f"offre-{item.pk}"
    response = client.post(
        reverse("training:plan-item", args=[plan.pk, item.pk]), {f"{prefix}-note": "x" * 2001, f"{prefix}-session": ""}
    )
    assert response.status_code == 400
    assert "La note ne peut pas dépasser 2000 caractères." in text(response)
    item.refresh_from_db()
    assert item.note == ""


def test_remove_rename_and_delete_after_confirmation(client, director, offer, plan):
    item, _ = plan_services.add_offer(director, plan, offer)
    client.force_login(director)
    client.post(reverse("training:plan-item-remove", args=[plan.pk, item.pk]))
    assert not PlanItem.objects.filter(pk=item.pk).exists()
    client.post(reverse("training:plan-rename", args=[plan.pk]), {"name": "Plan 2028"})
    plan.refresh_from_db()
    assert plan.name == "Plan 2028"
    confirmation = client.get(reverse("training:plan-delete", args=[plan.pk]))
    assert "Supprimer « Plan 2028 » ?" in text(confirmation) and TrainingPlan.objects.filter(pk=plan.pk).exists()
    response = client.post(reverse("training:plan-delete", args=[plan.pk]))
    assert response.status_code == 302 and not TrainingPlan.objects.filter(pk=plan.pk).exists()
    actions = set(AuditEvent.objects.filter(actor=director).values_list("action", flat=True))
    assert {"training.plan.create", "training.plan.remove", "training.plan.rename", "training.plan.delete"} <= actions


def test_the_plans_page_lists_ones_plans_and_creates_one(client, director, plan):
    client.force_login(director)
    page = text(client.get(reverse("training:plans")))
    assert "Mes plans de formation" in page and "Équipe des Lucioles" in page and "0 offre" in page
    response = client.post(reverse("training:plans"), {"name": ""})
    assert response.status_code == 400 and "Donnez un nom au plan." in text(response)
    assert TrainingPlan.objects.filter(owner=director).count() == 1
    assert "Mes plans de formation" in text(client.get(reverse("training:search")))


@pytest.fixture
def exported_plan(director, plan):
    today = timezone.localdate()
    offer = published_offer(title='=HYPERLINK("https://malveillant.example";"clic")', price_cents=34990)
    offer.sessions.update(start_date=today + datetime.timedelta(days=10), end_date=today + datetime.timedelta(days=11))
    remote = published_offer(title="Prévenir les stéréotypes", price_cents=0)
    remote.sessions.all().delete()
    chosen = SessionFactory(offer=remote, commune=None, is_remote=True, start_date=today + datetime.timedelta(days=40))
    SessionFactory(offer=remote, commune=Commune.objects.get(insee_code="35238"), start_date=today + datetime.timedelta(days=5))
    item, _ = plan_services.add_offer(director, plan, offer)
    plan_services.update_item(director, item, attendees="@Amina", note="-10 % si groupe")
    plan_services.add_offer(director, plan, remote, chosen)
    return plan, today


def test_the_csv_export_has_french_columns_and_neutralises_formulas(client, director, exported_plan):
    plan, today = exported_plan
    client.force_login(director)
    response = client.get(reverse("training:plan-export", args=[plan.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="plan-de-formation-{plan.pk}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Offre",
        "Organisme",
        "Thèmes",
        "Session",
        "Commune",
        "Dates",
        "Durée (heures)",
        "Prix (euros)",
        "Qui doit y aller",
        "Note",
        "Lien d'inscription",
    ]
    first, second = rows[1], rows[2]
    assert first[0].startswith("'=HYPERLINK")
    assert (first[8], first[9]) == ("'@Amina", "'-10 % si groupe")
    assert first[3] == "Prochaine session" and first[4] == "Rennes (35)"
    assert first[5] == f"du {today + datetime.timedelta(days=10):%d/%m/%Y} au {today + datetime.timedelta(days=11):%d/%m/%Y}"
    assert (first[6], first[7]) == ("14", "349,9")
    assert first[10] == "https://formation.example.fr/inscription"
    assert (second[0], second[3], second[4], second[7]) == ("Prévenir les stéréotypes", "Session choisie", "À distance", "0")


def test_the_xlsx_export_keeps_numbers_and_neutralises_formulas(client, director, exported_plan):
    plan, _ = exported_plan
    client.force_login(director)
    response = client.get(reverse("training:plan-export", args=[plan.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Offre" and rows[0][8] == "Qui doit y aller"
    assert rows[1][0].startswith("'=HYPERLINK") and rows[1][8] == "'@Amina"
    assert rows[1][7] == pytest.approx(349.9) and rows[1][6] == 14
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_an_unknown_export_format_is_a_404(client, director, plan):
    client.force_login(director)
    assert client.get(reverse("training:plan-export", args=[plan.pk, "pdf"])).status_code == 404


def test_mon_espace_links_to_ones_plans_only_when_one_has_some(client, director, plan):
    client.force_login(UserFactory())
    assert reverse("training:plan", args=[plan.pk]) not in text(client.get(reverse("workspace:index")))
    client.force_login(director)
    page = text(client.get(reverse("workspace:index")))
    assert "Mes plans de formation" in page and reverse("training:plan", args=[plan.pk]) in page
