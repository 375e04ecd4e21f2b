"""The instruction team: a call's managers add agents of its agencies and give them files;
instructors see and instruct the call's applications, find theirs in « Dossiers à instruire »
and in « Mon espace »; every change in the audit log, each instructor told."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory
from tpj.accounts.models import Organisation
from tpj.audit.models import AuditEvent
from tpj.calls.models import Application, InstructionAssignment, Instructor
from tpj.calls.services import instruction_team as team
from tpj.calls.services.instruction import declare_ineligible, request_information
from tpj.core.policy import PermissionDenied, check
from tpj.notifications.models import Notification

from .factories import applicant, make_call, submitted_application

pytestmark = pytest.mark.django_db


def agent(kind="ars", region="53", **fields):
    """An account of the agency (ARS, DREETS) of `region`, holding no role."""
    org = Organisation.objects.filter(kind=kind, region_id=region).first() or OrganisationFactory(
        name=f"{kind.upper()} {region}", kind=kind, region_id=region, commune_id=None
    )
    return UserFactory(organisation=org, **fields)


@pytest.fixture
def call():
    return make_call()  # a joint ARS-DREETS call of Bretagne


def test_the_manager_adds_an_agent_of_the_call_agencies_who_is_told(call):
    dreets_agent = agent("dreets", first_name="Nadia", last_name="Le Goff")
    instructor = team.add_instructor(call, call.manager, dreets_agent)
    assert list(team.candidates(call)) == [] or dreets_agent not in team.candidates(call)
    note = Notification.objects.get(recipient=dreets_agent)
    assert note.kind == "calls.instruction_team" and "équipe d'instruction" in note.title
    assert note.url == reverse("calls:my-instruction")
    event = AuditEvent.objects.get(action="calls.instruction.instructor_added")
    assert event.actor == call.manager and event.after == {"instructor": dreets_agent.email}
    with pytest.raises(ValidationError, match="fait déjà partie de l'équipe"):
        team.add_instructor(call, call.manager, dreets_agent)
    assert Instructor.objects.filter(call=call).count() == 1 and instructor.user == dreets_agent


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("caf", "n'est pas un agent de l'ARS ou de la DREETS de la région Bretagne"),
        ("other_region", "n'est pas un agent de l'ARS ou de la DREETS de la région Bretagne"),
        ("co_manager", "gère déjà cet appel"),
    ],
)
def test_only_agents_of_the_call_agencies_join_with_a_french_reason(call, who, message):
    user = {
        "caf": lambda: UserFactory(organisation=OrganisationFactory(kind=Organisation.Kind.CAF)),
        "other_region": lambda: agent("ars", region="52"),
        "co_manager": lambda: call.co_manager,
    }[who]()
    with pytest.raises(ValidationError, match=message):
        team.add_instructor(call, call.manager, user)
    assert not Instructor.objects.exists() and not AuditEvent.objects.filter(action__startswith="calls.instruction").exists()


def test_an_instructor_does_not_compose_the_team_nor_assign(call):
    member = team.add_instructor(call, call.manager, agent())
    app = submitted_application(call)
    with pytest.raises(PermissionDenied, match="Seuls les gestionnaires de l'appel composent l'équipe"):
        team.add_instructor(call, member.user, agent(email="autre@ars.example"))
    with pytest.raises(PermissionDenied):
        team.assign(call, member.user, member, [app.pk])


def test_bulk_assignment_from_the_applications_list(client, call):
    member = team.add_instructor(call, call.manager, agent(first_name="Paul", last_name="Kerjean"))
    apps = [submitted_application(call, title=f"Projet {i}") for i in range(3)]
    client.force_login(call.manager)
    listing = reverse("calls:call-applications", args=[call.pk])
    response = client.post(
        reverse("calls:instruction-team-action", args=[call.pk, "attribuer"]),
        {"instructor": member.pk, "applications": [apps[0].pk, apps[1].pk], "next": listing},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == listing
    assert "2 dossiers attribués à Paul Kerjean." in response.content.decode()
    assert set(InstructionAssignment.objects.values_list("application_id", flat=True)) == {apps[0].pk, apps[1].pk}
    note = Notification.objects.get(recipient=member.user, kind="calls.instruction_assigned")
    assert note.title.startswith("2 dossiers à instruire") and apps[0].reference in note.body
    assert AuditEvent.objects.filter(action="calls.instruction.assigned").count() == 2
    page = client.get(listing).content.decode()
    assert page.count("Paul Kerjean") >= 3  # twice in the column, once in the instructors' list
    # nothing checked: a French message, nothing assigned
    response = client.post(
        reverse("calls:instruction-team-action", args=[call.pk, "attribuer"]), {"instructor": member.pk}, follow=True
    )
    assert "Cochez au moins un dossier à attribuer." in response.content.decode()
    assert InstructionAssignment.objects.count() == 2


def test_an_application_of_another_call_is_not_assigned(call):
    member = team.add_instructor(call, call.manager, agent())
    other = submitted_application(make_call(strand="joint", region="52"))
    with pytest.raises(ValidationError, match="n'est pas une candidature déposée de cet appel"):
        team.assign(call, call.manager, member, [other.pk])
    assert not InstructionAssignment.objects.exists()


def test_instructors_see_and_instruct_the_applications_of_their_calls(client, call):
    user = agent()
    app, other = submitted_application(call), submitted_application(call, title="Autre projet")
    client.force_login(user)
    detail = reverse("calls:application-detail", args=[app.pk])
    assert client.get(detail).status_code == 403
    assert not Application.objects.visible_to(user).exists()
    with pytest.raises(PermissionDenied, match="Seuls les gestionnaires et les instructeurs de l'appel instruisent"):
        request_information(app, user, "Merci de joindre les statuts.")
    member = team.add_instructor(call, call.manager, user)
    team.assign(call, call.manager, member, [app.pk])
    page = client.get(detail).content.decode()
    assert "Déclarer recevable" in page and "Liste de vérification" in page and "Notes d'instruction" in page
    assert set(Application.objects.visible_to(user)) == {app, other}  # every file of the call, not only theirs
    request_information(app, user, "Merci de joindre les statuts.")
    declare_ineligible(other, user, "Le porteur n'a pas de SIRET.")
    app.refresh_from_db()
    other.refresh_from_db()
    assert app.state == Application.State.INFO_REQUESTED and other.state == Application.State.INELIGIBLE
    # the carrier's answer reaches the instructor the file is assigned to
    from tpj.calls.services.instruction import answer_information

    answer_information(app, app.created_by, "Statuts joints.")
    assert Notification.objects.filter(recipient=user, kind="calls.application.answer_info").exists()


def test_my_files_to_instruct_and_my_workspace(client, call):
    user = agent()
    member = team.add_instructor(call, call.manager, user)
    mine, _other = submitted_application(call, title="Maison des parents"), submitted_application(call, title="Autre")
    team.assign(call, call.manager, member, [mine.pk])
    client.force_login(user)
    page = client.get(reverse("calls:my-instruction")).content.decode()
    assert "Maison des parents" in page and "Autre" not in page.split("<h1>")[1].split("</table>")[0]
    workspace = client.get(reverse("workspace:index")).content.decode()
    assert "Dossiers à instruire" in workspace and "1 dossier à instruire" in workspace
    # an account on no team has no such section
    client.force_login(applicant())
    assert "Dossiers à instruire" not in client.get(reverse("workspace:index")).content.decode()


def test_removing_an_instructor_takes_their_files_and_is_recorded(call):
    user = agent()
    member = team.add_instructor(call, call.manager, user)
    app = submitted_application(call)
    team.assign(call, call.manager, member, [app.pk])
    team.remove_instructor(call, call.manager, member)
    assert not InstructionAssignment.objects.exists() and not check(user, "calls.instruct", app)
    event = AuditEvent.objects.get(action="calls.instruction.instructor_removed")
    assert event.after == {"instructor": user.email, "assignments_removed": 1}


def test_the_team_page_for_managers_only(client, call):
    client.force_login(call.manager)
    response = client.post(
        reverse("calls:instruction-team-action", args=[call.pk, "ajouter"]), {"user": agent(last_name="Morvan").pk}, follow=True
    )
    page = html.unescape(response.content.decode())
    assert "Morvan rejoint l'équipe d'instruction." in page, page[page.find("fr-alert") : page.find("fr-alert") + 400]
    client.force_login(agent(email="x@ars.example"))
    assert client.get(reverse("calls:instruction-team", args=[call.pk])).status_code == 403


def test_instructors_instruct_through_the_api(api_client, call):
    user = agent()
    app = submitted_application(call)
    api_client.force_authenticate(user)
    url = f"/api/v1/applications/{app.pk}/request-info/"
    assert api_client.post(url, {"reason": "Merci de joindre le RIB."}, format="json").status_code in (403, 404)
    team.add_instructor(call, call.manager, user)
    listing = api_client.get(f"/api/v1/calls/{call.pk}/applications/").json()
    assert [row["id"] for row in listing["results"]] == [app.pk]
    response = api_client.post(url, {"reason": "Merci de joindre le RIB."}, format="json")
    assert response.status_code == 200, response.json()
    app.refresh_from_db()
    assert app.state == Application.State.INFO_REQUESTED


def test_the_demo_loader_seats_the_ars_agent_twice_safely(call):
    from tpj.calls import demo_instruction

    app = submitted_application(call)
    accounts = {demo_instruction.INSTRUCTOR: agent(), demo_instruction.MANAGER: call.manager}
    for _ in range(2):
        demo_instruction.load(accounts)
    assert InstructionAssignment.objects.get().application == app
    assert [line.label for line in team.checklist(app) if line.ticked] == list(demo_instruction.TICKED)
    demo_instruction.load({})  # without the account: nothing


def test_a_dreets_call_names_its_agency_in_french():
    call = make_call(strand="dreets")
    with pytest.raises(ValidationError, match="n'est pas un agent de la DREETS de la région Bretagne"):
        team.add_instructor(call, call.manager, agent("ars"))
