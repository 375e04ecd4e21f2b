"""« Mon espace » of a call manager, a juror, an applicant and the national team: the right
items, counts, ages, amounts and links, nothing from another région or organisation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.calls.factories import (
    CampaignFactory,
    applicant,
    close,
    content,
    decidable,
    decided_call,
    jury_user,
    make_call,
    manager,
    submitted_application,
)
from tests.factories import RoleAssignmentFactory, user_with_role
from tests.valorisation.factories import DeploymentFactory
from tests.workspace.helpers import has_section, section
from tpj.accounts.models import Role, ScopeLevel, User
from tpj.calls.models import Application, Call, InformationRequest, IntentDeclaration, JuryMember, ScoreSheet
from tpj.calls.services.applications import create_application
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import answer_information, declare_eligible, request_information
from tpj.calls.services.jury import add_jury_member, assign, declare_conflict, save_scores
from tpj.territories.models import Region
from tpj.valorisation.models import Measure

pytestmark = pytest.mark.django_db


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days, hours=1)


def _today():
    return timezone.localdate()


# -- call manager ------------------------------------------------------------------------------


def test_call_manager_sees_declarations_due_and_applications_to_instruct_in_their_region_only(client):
    call = make_call()
    apps = [submitted_application(call, title=f"Projet {i}") for i in range(3)]
    for app, days in zip(apps, (9, 4, 1), strict=True):
        Application.objects.filter(pk=app.pk).update(submitted_at=_days_ago(days))
    answered = submitted_application(call, title="Projet complété")
    request_information(answered, call.manager, "Joignez le budget signé.")
    answer_information(answered, answered.created_by, "Le voici.")
    InformationRequest.objects.filter(application=answered).update(answered_at=_days_ago(2))
    elsewhere = make_call(region="84")
    submitted_application(elsewhere)
    # (a call launched before its agency declared: the declaration is still due)
    IntentDeclaration.objects.filter(campaign=call.campaign, region_id="53").delete()
    client.force_login(call.manager)

    html = section(client.get("/mon-espace/"), "appels")

    year = call.campaign.year
    assert f"Déclaration d'intention de la campagne {year} à faire" in html
    assert f'href="{reverse("calls:declare")}"' in html
    assert f"4 candidatures à instruire — {call.title}" in html
    assert "la plus ancienne déposée il y a 9 jours" in html
    assert f'href="{reverse("calls:call-applications", args=[call.pk])}?etat=submitted"' in html
    assert f"1 réponse à une demande de complément à examiner — {call.title}" in html
    assert "la plus ancienne reçue il y a 2 jours" in html
    assert "Publié — candidatures ouvertes" in html and ">published<" not in html
    assert elsewhere.title not in html


def test_call_manager_who_declared_has_no_declaration_due(client):
    call = make_call()  # its agency declared its intent first, as a call requires
    assert IntentDeclaration.objects.filter(campaign=call.campaign, region_id="53", agency="ARS").exists()
    client.force_login(call.manager)
    assert "Déclaration d'intention" not in section(client.get("/mon-espace/"), "appels")


def _score(sheet, user, value=2):
    declare_conflict(sheet, user, has_conflict=False)
    save_scores(sheet, user, {c.pk: (value, False) for c in sheet.application.call.criteria.all()}, submit=True)


def test_call_manager_sees_the_jury_progress_per_juror_and_the_endowment_against_the_minimum(client):
    call, apps = decidable()
    alice, bruno = jury_user(), jury_user()
    for juror, first, last in ((alice, "Alice", "Lenoir"), (bruno, "Bruno", "Leblanc")):
        juror.first_name, juror.last_name = first, last
        juror.save()
        add_jury_member(call, call.manager, juror, JuryMember.Kind.EXPERT)
    assign(call, call.manager)
    _score(ScoreSheet.objects.get(member__user=bruno, application=apps[2]), bruno)
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("20000"), "DREETS": Decimal("20000")})
    client.force_login(call.manager)

    html = section(client.get("/mon-espace/"), "appels")

    # Scores are still due on the two applications left eligible: Alice both, Bruno one.
    assert f"Jury : 3 notations manquantes — {call.title}" in html
    assert "Alice Lenoir : 2, Bruno Leblanc : 1" in html
    assert f'href="{reverse("calls:jury", args=[call.pk])}"' in html
    assert f"Dotation des lauréats — {call.title}" in html
    assert "160\u202f000\u202f€ sur 200\u202f000\u202f€ — il manque 40\u202f000\u202f€" in html
    assert f'href="{reverse("calls:allocation", args=[call.pk])}"' in html
    assert f"Lauréats à désigner — {call.title}" in html


def test_call_manager_sees_the_list_to_transmit_late(client):
    call, _ = decided_call()
    deadline = call.campaign.transmission_deadline
    client.force_login(call.manager)

    html = section(client.get("/mon-espace/"), "appels")

    assert f"Liste des lauréats à transmettre à l'équipe nationale — {call.title}" in html
    assert f'href="{reverse("calls:call-detail", args=[call.pk])}"' in html
    late = (_today() - deadline).days
    if late > 0:
        assert f"échéance du {deadline:%d/%m/%Y} dépassée de {late} jour" in html and "En retard" in html
    else:
        assert f"avant le {deadline:%d/%m/%Y}" in html


# -- juror -------------------------------------------------------------------------------------


def test_juror_sees_conflicts_to_declare_then_files_to_score_and_when_scoring_closes(client):
    call = make_call()
    apps = [submitted_application(call, title=f"Dossier {i}") for i in range(3)]
    close(call)
    for app in apps:
        declare_eligible(app, call.manager)
    call.jury_date = _today() + datetime.timedelta(days=5)
    Call.objects.filter(pk=call.pk).update(jury_date=call.jury_date)
    juror = jury_user()
    add_jury_member(call, call.manager, juror, JuryMember.Kind.FUNDER)
    assign(call, call.manager)
    declare_conflict(ScoreSheet.objects.get(member__user=juror, application=apps[0]), juror, has_conflict=False)
    upcoming = make_call(region="84")
    RoleAssignmentFactory(user=juror, role=Role.JURY_MEMBER, scope_level=ScopeLevel.REGION, region_id="84")
    add_jury_member(upcoming, upcoming.manager, User.objects.get(pk=juror.pk), JuryMember.Kind.EXPERT)
    client.force_login(juror)

    html = section(client.get("/mon-espace/"), "jury")

    assert f"2 déclarations d'intérêts à faire — {call.title}" in html
    assert f"1 dossier à noter — {call.title}" in html
    assert f"jury le {call.jury_date:%d/%m/%Y} (dans 5 jours)" in html
    assert f'href="{reverse("calls:my-jury")}"' in html
    opens = timezone.localtime(upcoming.applications_deadline)
    assert f"Notation à venir — {upcoming.title}" in html
    assert f"La notation ouvrira après la clôture des candidatures, le {opens:%d/%m/%Y à %H:%M}." in html


def test_a_person_without_jury_seat_nor_role_has_no_jury_section(client):
    client.force_login(applicant())
    assert not has_section(client.get("/mon-espace/"), "jury")


# -- applicant ---------------------------------------------------------------------------------


def test_applicant_sees_requests_awaiting_an_answer_drafts_and_their_organisation_only(client):
    call = make_call()
    carrier = applicant()
    app = submitted_application(call, carrier, title="Ateliers d'éveil")
    request_information(app, call.manager, "Joignez le budget signé par le trésorier.")
    InformationRequest.objects.filter(application=app).update(asked_at=_days_ago(3))
    draft, _ = create_application(carrier, call, content(call, title="Café des parents"))
    submitted_application(call, title="Projet d'une autre structure")
    client.force_login(carrier)

    html = section(client.get("/mon-espace/"), "candidatures")

    assert "Complément demandé sur « Ateliers d'éveil »" in html
    assert "Demandé il y a 3 jours : Joignez le budget signé par le trésorier." in html
    assert f'href="{reverse("calls:application-detail", args=[app.pk])}"' in html
    assert "Brouillon « Café des parents » à déposer" in html
    assert f'href="{reverse("calls:application-edit", args=[draft.pk])}"' in html
    assert "Complément demandé" in html and ">info_requested<" not in html
    assert "Projet d'une autre structure" not in html


def test_applicant_sees_the_decision_notified_and_the_follow_up_due(client):
    call, apps = decided_call()
    laureate, rejected = apps[0], apps[2]
    Application.objects.filter(pk=laureate.pk).update(notified_at=_days_ago(6))
    client.force_login(laureate.created_by)

    html = section(client.get("/mon-espace/"), "candidatures")

    assert f"Décision notifiée : « {laureate.title} »" in html
    assert "Lauréat, notifiée il y a 6 jours." in html
    assert f"Date de démarrage à indiquer — « {laureate.title} »" in html
    assert f'href="{reverse("calls:application-detail", args=[laureate.pk])}#suivi"' in html
    assert rejected.title not in html

    Application.objects.filter(pk=laureate.pk).update(
        project_started_on=_today() - datetime.timedelta(days=400), end_date=_today() - datetime.timedelta(days=2)
    )
    html = section(client.get("/mon-espace/"), "candidatures")
    assert f"Évaluation finale à rédiger — « {laureate.title} »" in html
    assert "Bilan attendu" in html


# -- national team -----------------------------------------------------------------------------


def test_national_team_sees_late_declarations_and_transmissions_first_and_the_measures_to_update(client):
    campaign = CampaignFactory(intent_deadline=_today() - datetime.timedelta(days=10))
    ars = manager("ARS", "53")
    IntentDeclaration.objects.create(
        campaign=campaign,
        region_id="53",
        agency="ARS",
        organisation=ars.organisation,
        referent_name="Référente",
        referent_email="referente@example.fr",
        declared_by=ars,
        declared_at=timezone.now() - datetime.timedelta(days=2),  # after the deadline
    )
    make_call(campaign=campaign, by=ars)
    measures = list(Measure.objects.order_by("position"))
    DeploymentFactory(measure=measures[0])  # recorded today: up to date
    national = user_with_role(Role.NATIONAL_TEAM)
    client.force_login(national)

    html = section(client.get("/mon-espace/"), "national")

    missing = 2 * Region.objects.count() - 1
    assert f"{missing} agences sans déclaration d'intention — campagne {campaign.year}" in html
    assert "Échéance du" in html and "dépassée de 10 jours" in html
    assert f"1 déclaration d'intention reçue en retard — campagne {campaign.year}" in html
    assert f"1 liste de lauréats à recevoir — campagne {campaign.year}" in html
    assert f'href="{reverse("calls:campaign-board", args=[campaign.pk])}"' in html
    stale = len(measures) - 1
    assert f"{stale} mesures nationales à mettre à jour" in html
    assert f'href="{reverse("valorisation:measure", args=[measures[1].slug])}"' in html
    assert f'href="{reverse("valorisation:measure", args=[measures[0].slug])}"' not in html
    assert f'href="{reverse("valorisation:dashboard")}"' in html
    # Late items come first.
    first_badge = html.split("fr-badge fr-badge--sm", 1)[1][:40]
    assert "fr-badge--error" in first_badge


def test_only_the_national_team_has_the_national_section(client):
    client.force_login(manager("ARS", "53"))
    assert not has_section(client.get("/mon-espace/"), "national")
