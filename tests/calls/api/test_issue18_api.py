"""Issue 18 through the API: the call's questions and the carrier's answers, the national
derogation, a laureate's withdrawal and the waiting list, the instruction team, the convention,
and the call created in the nearest open campaign. Each endpoint: the right role succeeds, the
wrong one is refused with the policy's French reason, a bad input is refused in French and
nothing is saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.calls.factories import (
    CampaignFactory,
    applicant,
    content,
    decidable,
    decided_call,
    declared,
    make_call,
    manager,
    submitted_application,
)
from tests.calls.test_instruction_team import agent
from tests.calls.test_waiting_list import BOTH, with_waiting_list
from tests.factories import user_with_role
from tests.reliability.test_uploads import HTML_PAGE, PE_EXECUTABLE, REFUSED, TRUNCATED_PDF
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.letters import simple_pdf
from tpj.calls.models import (
    Application,
    ApplicationAnswer,
    Call,
    CallQuestion,
    Campaign,
    ChecklistTick,
    Convention,
    InstructionAssignment,
    Instructor,
    MinimumDerogation,
    Payment,
    QuestionKind,
    Report,
    RequiredDocument,
)
from tpj.calls.services.applications import create_application
from tpj.calls.services.decisions import decide

pytestmark = pytest.mark.django_db
K = QuestionKind


def pdf(name="document.pdf"):
    return SimpleUploadedFile(name, simple_pdf("Document", ["Pièce jointe."]), content_type="application/pdf")


# --- 1. The call's questions and the carrier's answers -------------------------------------------


def call_with_form(region="53"):
    call = make_call(strand="ars", region=region)
    questions = {
        "families": CallQuestion.objects.create(call=call, label="Nombre de familles", kind=K.NUMBER, required=True),
        "start": CallQuestion.objects.create(call=call, label="Première action", kind=K.DATE, position=1),
        "places": CallQuestion.objects.create(
            call=call, label="Lieux", kind=K.MULTIPLE_CHOICE, position=2, choices=["Domicile", "Crèche", "PMI"]
        ),
        "existing": CallQuestion.objects.create(call=call, label="Projet existant", kind=K.YES_NO, position=3),
        "summary": CallQuestion.objects.create(call=call, label="Résumé", kind=K.SHORT_TEXT, position=4),
    }
    statuts = RequiredDocument.objects.create(call=call, label="Statuts", required=True)
    return call, questions, statuts


def test_a_published_call_form_is_public_and_a_draft_one_is_not(api_client):
    call, questions, statuts = call_with_form()
    body = api_client.get(f"/api/v1/calls/{call.pk}/questions/").json()
    assert [q["label"] for q in body["questions"]] == [
        "Nombre de familles",
        "Première action",
        "Lieux",
        "Projet existant",
        "Résumé",
    ]
    assert body["questions"][0]["kind_label"] == "Nombre" and body["questions"][0]["required"] is True
    assert body["questions"][2]["choices"] == ["Domicile", "Crèche", "PMI"]
    assert body["documents"] == [
        {"id": statuts.pk, "label": "Statuts", "help_text": "", "required": True, "position": 0, "item": f"document-{statuts.pk}"}
    ]
    draft = make_call(strand="dreets", state=Call.State.DRAFT)
    api_client.force_authenticate(applicant())
    refused = api_client.get(f"/api/v1/calls/{draft.pk}/questions/")
    assert refused.status_code == 403 and refused.json()["detail"] == "Cet appel à projets n'est pas encore publié."


def test_an_api_client_answers_the_questions_gives_the_documents_and_submits(api_client):
    call, q, statuts = call_with_form()
    carrier = applicant()
    app, _ = create_application(carrier, call, content(call))
    api_client.force_authenticate(carrier)
    url = f"/api/v1/applications/{app.pk}/"

    missing = api_client.post(url + "submit/", {}, format="json")
    assert missing.status_code == 400 and "Nombre de familles" in str(missing.json())

    answers = [
        {"question": q["families"].pk, "value": "120"},
        {"question": q["start"].pk, "value": "2026-10-01"},
        {"question": q["places"].pk, "value": ["PMI", "Domicile"]},
        {"question": q["existing"].pk, "value": False},
    ]
    saved = api_client.put(url + "answers/", {"answers": answers}, format="json")
    assert saved.status_code == 200, saved.json()
    shown = {a["label"]: a["value"] for a in saved.json()["answers"]}
    assert shown == {
        "Nombre de familles": "120.00",
        "Première action": "2026-10-01",
        "Lieux": ["Domicile", "PMI"],
        "Projet existant": False,
    }
    # PATCH adds one answer and keeps the others; PUT would have cleared them
    patched = api_client.patch(
        url + "answers/", {"answers": [{"question": q["summary"].pk, "value": "Des ateliers"}]}, format="json"
    )
    assert patched.status_code == 200 and len(patched.json()["answers"]) == 5

    upload = api_client.post(
        url + "answer-files/", {"item": f"document-{statuts.pk}", "file": pdf("statuts.pdf")}, format="multipart"
    )
    assert upload.status_code == 201, upload.json()
    assert upload.json()["value"] == "statuts.pdf"

    submitted = api_client.post(url + "submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == "submitted"


def test_a_bad_answer_is_refused_in_french_and_nothing_is_saved(api_client):
    call, q, statuts = call_with_form()
    carrier = applicant()
    app, _ = create_application(carrier, call, content(call))
    api_client.force_authenticate(carrier)
    refused = api_client.put(
        f"/api/v1/applications/{app.pk}/answers/",
        {
            "answers": [
                {"question": q["summary"].pk, "value": "Des ateliers"},
                {"question": q["families"].pk, "value": "beaucoup"},
            ]
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json() == {"answers": ["« Nombre de familles » : indiquez un nombre."]}
    refused = api_client.patch(
        f"/api/v1/applications/{app.pk}/answers/",
        {"answers": [{"question": q["summary"].pk, "value": {"texte": "Des ateliers"}}]},
        format="json",
    )
    assert refused.status_code == 400 and refused.json() == {"answers": ["« Résumé » : répondez par un texte."]}
    assert not ApplicationAnswer.objects.filter(application=app).exists()
    bad_file = api_client.post(
        f"/api/v1/applications/{app.pk}/answer-files/",
        {"item": f"document-{statuts.pk}", "file": SimpleUploadedFile("statuts.pdf", b"pas un pdf")},
        format="multipart",
    )
    assert bad_file.status_code == 400 and not ApplicationAnswer.objects.filter(application=app).exists()


def test_only_the_carrier_answers(api_client):
    call, q, statuts = call_with_form()
    app, _ = create_application(applicant(), call, content(call))
    api_client.force_authenticate(applicant())
    refused = api_client.put(f"/api/v1/applications/{app.pk}/answers/", {"answers": []}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Seule la structure porteuse peut agir sur sa candidature."
    refused = api_client.post(f"/api/v1/applications/{app.pk}/answer-files/", {}, format="multipart")
    assert refused.status_code == 403


# --- 2. The national derogation -------------------------------------------------------------------


def at_160k():
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("20000"), "DREETS": Decimal("20000")})
    for app in apps[2:]:
        decide(app, call.manager, "rejected", "Hors priorités")
    return call


def test_the_manager_asks_for_a_derogation_and_the_national_team_grants_it(api_client):
    call = at_160k()
    api_client.force_authenticate(call.manager)
    asked = api_client.post(f"/api/v1/calls/{call.pk}/derogation-request/", {"reason": "Peu de porteurs"}, format="json")
    assert asked.status_code == 201, asked.json()
    assert asked.json()["state_label"] == "Demandée" and asked.json()["minimum"] == "200000.00"
    api_client.force_authenticate(user_with_role(Role.NATIONAL_TEAM))
    granted = api_client.post(
        f"/api/v1/calls/{call.pk}/derogation-decision/",
        {"decision": "grant", "accepted": "160000", "reason": "Territoire peu doté"},
        format="json",
    )
    assert granted.status_code == 200, granted.json()
    assert granted.json()["state"] == "granted" and granted.json()["accepted"] == "160000.00"
    assert AuditEvent.objects.filter(action="calls.derogation.granted").exists()
    # the laureate list may now be decided
    api_client.force_authenticate(call.manager)
    assert api_client.post(f"/api/v1/calls/{call.pk}/decide-laureates/", {}, format="json").status_code == 200


def test_a_derogation_is_the_national_teams_to_decide_and_the_managers_to_ask(api_client):
    call = at_160k()
    api_client.force_authenticate(call.manager)
    refused = api_client.post(f"/api/v1/calls/{call.pk}/derogation-decision/", {"decision": "grant"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Seule l'équipe nationale accorde ou refuse une dérogation au minimum national de dotation."
    )
    api_client.force_authenticate(manager("ARS", "76"))
    assert api_client.post(f"/api/v1/calls/{call.pk}/derogation-request/", {"reason": "x"}, format="json").status_code == 403


def test_a_derogation_without_reason_or_above_the_minimum_is_refused_and_nothing_is_saved(api_client):
    call = at_160k()
    api_client.force_authenticate(call.manager)
    refused = api_client.post(f"/api/v1/calls/{call.pk}/derogation-request/", {"reason": " "}, format="json")
    assert refused.status_code == 400
    assert refused.json()["reason"] == [
        "Indiquez le motif de la demande : pourquoi le minimum national ne peut pas être atteint."
    ]
    api_client.force_authenticate(user_with_role(Role.NATIONAL_TEAM))
    refused = api_client.post(
        f"/api/v1/calls/{call.pk}/derogation-decision/",
        {"decision": "grant", "accepted": "250000", "reason": "Motif"},
        format="json",
    )
    assert refused.status_code == 400 and "inférieure au minimum national" in refused.json()["accepted"][0]
    refused = api_client.post(f"/api/v1/calls/{call.pk}/derogation-decision/", {"decision": "peut-être"}, format="json")
    assert refused.status_code == 400 and "Valeurs possibles : grant, refuse" in refused.json()["decision"][0]
    assert not MinimumDerogation.objects.exists()


# --- 3. A laureate withdraws, the waiting list is promoted -------------------------------------------


def test_a_laureate_withdraws_and_the_next_on_the_waiting_list_is_promoted(api_client):
    call, apps = with_waiting_list()
    api_client.force_authenticate(call.manager)
    withdrawn = api_client.post(
        f"/api/v1/applications/{apps[1].pk}/renounce/", {"reason": "Convention non signée"}, format="json"
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["state"] == "withdrawn"
    promoted = api_client.post(
        f"/api/v1/applications/{apps[2].pk}/promote/",
        {"reason": "Suivant sur la liste", "allocations": [{"agency": a, "amount": str(v)} for a, v in BOTH.items()]},
        format="json",
    )
    assert promoted.status_code == 200, promoted.json()
    assert promoted.json()["state"] == "laureate"


def test_only_the_managers_record_a_withdrawal(api_client):
    call, apps = with_waiting_list()
    api_client.force_authenticate(apps[1].created_by)
    refused = api_client.post(f"/api/v1/applications/{apps[1].pk}/renounce/", {"reason": "Je renonce"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Seuls les gestionnaires de l'appel décident des lauréats."
    apps[1].refresh_from_db()
    assert apps[1].state == Application.State.LAUREATE


def test_a_withdrawal_needs_its_reason_and_a_promotion_its_amounts(api_client):
    call, apps = with_waiting_list()
    api_client.force_authenticate(call.manager)
    refused = api_client.post(f"/api/v1/applications/{apps[1].pk}/renounce/", {}, format="json")
    assert refused.status_code == 400 and "motif" in str(refused.json()).lower()
    refused = api_client.post(f"/api/v1/applications/{apps[2].pk}/promote/", {"reason": "Suivant"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["allocations"] == ["Indiquez le montant attribué sur au moins une enveloppe."]
    states = dict(Application.objects.filter(pk__in=[apps[1].pk, apps[2].pk]).values_list("pk", "state"))
    assert states == {apps[1].pk: Application.State.LAUREATE, apps[2].pk: Application.State.WAITING_LIST}


# --- 4. The instruction team ----------------------------------------------------------------------


def test_the_manager_composes_the_team_assigns_and_the_instructor_ticks(api_client):
    call = make_call()
    apps = [submitted_application(call, title=f"Projet {i}") for i in range(2)]
    colleague = agent("dreets", first_name="Nadia", last_name="Le Goff")
    api_client.force_authenticate(call.manager)
    added = api_client.post(f"/api/v1/calls/{call.pk}/instructors/", {"email": colleague.email}, format="json")
    assert added.status_code == 201, added.json()
    instructor_id = added.json()["id"]
    assigned = api_client.post(
        f"/api/v1/calls/{call.pk}/assignments/",
        {"instructor": colleague.email, "applications": [a.pk for a in apps]},
        format="json",
    )
    assert assigned.json() == {"assigned": 2}
    team = api_client.get(f"/api/v1/calls/{call.pk}/instructors/").json()
    assert team[0]["name"] == "Nadia Le Goff" and team[0]["applications"] == sorted(a.pk for a in apps)

    api_client.force_authenticate(colleague)
    checklist = api_client.get(f"/api/v1/applications/{apps[0].pk}/checklist/").json()
    label = checklist[0]["label"]
    ticked = api_client.post(f"/api/v1/applications/{apps[0].pk}/checklist/", {"label": label, "ticked": True}, format="json")
    assert ticked.status_code == 200 and ticked.json()["ticked"] is True and ticked.json()["changed_by"] == "Nadia Le Goff"

    api_client.force_authenticate(call.manager)
    removed = api_client.delete(f"/api/v1/calls/{call.pk}/instructors/{instructor_id}/")
    assert removed.status_code == 204
    assert not Instructor.objects.exists() and not InstructionAssignment.objects.exists()


def test_an_instructor_neither_composes_the_team_nor_assigns(api_client):
    call = make_call()
    colleague = agent("ars")
    Instructor.objects.create(call=call, user=colleague, added_by=call.manager)
    api_client.force_authenticate(colleague)
    refused = api_client.post(f"/api/v1/calls/{call.pk}/instructors/", {"email": agent("dreets").email}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Seuls les gestionnaires de l'appel composent l'équipe d'instruction et attribuent les dossiers."
    )
    api_client.force_authenticate(applicant())
    app = submitted_application(call)
    refused = api_client.post(f"/api/v1/applications/{app.pk}/checklist/", {"label": "x", "ticked": True}, format="json")
    assert refused.status_code == 403


def test_bad_team_inputs_are_refused_in_french_and_nothing_is_saved(api_client):
    call = make_call()
    app = submitted_application(call)
    other_call_app = submitted_application(make_call(strand="dreets", region="76"))
    colleague = agent("ars")
    Instructor.objects.create(call=call, user=colleague, added_by=call.manager)
    api_client.force_authenticate(call.manager)
    refused = api_client.post(f"/api/v1/calls/{call.pk}/instructors/", {"email": applicant().email}, format="json")
    assert refused.status_code == 400 and "Choisissez un agent" in refused.json()["email"][0]
    refused = api_client.post(
        f"/api/v1/calls/{call.pk}/assignments/",
        {"instructor": colleague.email, "applications": [app.pk, other_call_app.pk]},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["non_field_errors"] == ["Un des dossiers choisis n'est pas une candidature déposée de cet appel."]
    refused = api_client.post(f"/api/v1/applications/{app.pk}/checklist/", {"label": "Inventé", "ticked": True}, format="json")
    assert refused.status_code == 400
    assert refused.json()["non_field_errors"] == ["Ce point ne figure pas dans la liste de vérification de l'appel."]
    assert not InstructionAssignment.objects.exists() and not ChecklistTick.objects.exists()
    assert Instructor.objects.count() == 1


# --- 5. The convention ------------------------------------------------------------------------------

SCHEDULE = {
    "signature_deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    "instalments": [{"label": "À la signature", "percent": 70}, {"label": "Au rapport final", "percent": 30}],
}


def test_a_convention_scheduled_issued_signed_and_paid(api_client, django_capture_on_commit_callbacks):
    call, apps = decided_call()
    app = apps[0]
    api_client.force_authenticate(call.manager)
    url = f"/api/v1/applications/{app.pk}/convention/"
    draft = api_client.get(url).json()
    assert draft["state"] == "draft" and [i["percent"] for i in draft["schedule"]] == [70, 30]
    saved = api_client.put(url + "schedule/", SCHEDULE, format="json")
    assert saved.status_code == 200, saved.json()
    with django_capture_on_commit_callbacks(execute=True):
        asked = api_client.post(url + "issue/", {}, format="json")
    assert asked.status_code == 202 and asked.json()["state"] == "requested"
    issued = api_client.get(url).json()
    assert issued["state"] == "issued" and issued["file_url"].endswith(f"/candidatures/{app.pk}/convention-emise.pdf")

    api_client.force_authenticate(app.created_by)
    signed = api_client.post(
        url + "signed/", {"file": pdf("signee.pdf"), "signed_on": timezone.localdate().isoformat()}, format="multipart"
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["state"] == "signed" and signed.json()["signed_file_url"]

    api_client.force_authenticate(call.manager)
    first = signed.json()["schedule"][0]
    paid = api_client.post(
        url + "payments/",
        {"instalment": first["id"], "agency": "ARS", "amount": "42000", "paid_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert paid.status_code == 201, paid.json()
    assert paid.json()["payments"][0]["amount"] == "42000.00"
    assert paid.json()["schedule"][0]["shares"][0] == {
        "agency": "ARS",
        "due": "42000.00",
        "paid": "42000.00",
        "remaining": "0.00",
    }


def test_the_carrier_reads_its_convention_but_does_not_schedule_it(api_client):
    call, apps = decided_call()
    api_client.force_authenticate(apps[0].created_by)
    url = f"/api/v1/applications/{apps[0].pk}/convention/"
    assert api_client.get(url).status_code == 200
    refused = api_client.put(url + "schedule/", SCHEDULE, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Seuls les gestionnaires de l'appel enregistrent la convention, les versements et les échéances."
    )
    api_client.force_authenticate(applicant())
    assert api_client.get(url).status_code == 403
    api_client.force_authenticate(call.manager)
    not_laureate = api_client.get(f"/api/v1/applications/{apps[2].pk}/convention/")
    assert not_laureate.status_code == 404
    assert not_laureate.json()["detail"] == "Seul un projet lauréat fait l'objet d'une convention de subvention."


def test_bad_convention_inputs_are_refused_in_french_and_nothing_is_saved(api_client, django_capture_on_commit_callbacks):
    call, apps = decided_call()
    api_client.force_authenticate(call.manager)
    url = f"/api/v1/applications/{apps[0].pk}/convention/"
    refused = api_client.put(
        url + "schedule/", {**SCHEDULE, "instalments": [{"label": "À la signature", "percent": 90}]}, format="json"
    )
    assert refused.status_code == 400
    assert "Les échéances totalisent 90 % : elles doivent totaliser 100 % de la subvention." in refused.json()["non_field_errors"]
    assert not Convention.objects.exists()
    refused = api_client.post(url + "issue/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["non_field_errors"] == [
        "Enregistrez d'abord l'échéancier des versements."
    ]

    api_client.put(url + "schedule/", SCHEDULE, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(url + "issue/", {}, format="json")
    refused = api_client.post(
        url + "signed/",
        {"file": SimpleUploadedFile("signee.pdf", b"pas un pdf"), "signed_on": timezone.localdate().isoformat()},
        format="multipart",
    )
    assert refused.status_code == 400 and "doit être un PDF" in str(refused.json())
    assert Convention.objects.get().state == Convention.State.ISSUED
    api_client.post(url + "signed/", {"file": pdf(), "signed_on": timezone.localdate().isoformat()}, format="multipart")
    first = api_client.get(url).json()["schedule"][0]
    refused = api_client.post(
        url + "payments/",
        {"instalment": first["id"], "agency": "ARS", "amount": "50000", "paid_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert refused.status_code == 400 and "la dépasserait" in refused.json()["amount"][0]
    assert not Payment.objects.exists()


# --- 6. A call created in the nearest open campaign ------------------------------------------------------


def test_a_call_created_without_a_year_goes_to_the_nearest_open_campaign(api_client):
    today = timezone.localdate()
    CampaignFactory(year=today.year, state=Campaign.State.CLOSED)
    next_year = CampaignFactory(year=today.year + 1)
    ars = manager("ARS", "53")
    declared(ars, next_year, joint=False)
    api_client.force_authenticate(ars)
    created = api_client.post("/api/v1/calls/", {"strand": "ars"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["year"] == today.year + 1


# --- The API's two uploads: checked by content and size, as the pages' ------------------------------

BAD_UPLOADS = {
    "windows executable": PE_EXECUTABLE,
    "html page": HTML_PAGE,
    "truncated pdf": TRUNCATED_PDF,
}


@pytest.mark.parametrize("name", [*BAD_UPLOADS, "over the limit"])
def test_the_api_uploads_refuse_bad_files_in_french_and_store_nothing(
    api_client, settings, django_capture_on_commit_callbacks, name
):
    data = BAD_UPLOADS.get(name) or simple_pdf("Document", ["Trop lourd."])
    if name == "over the limit":
        settings.UPLOAD_MAX_BYTES = 64
    call, q, statuts = call_with_form(region="76")  # (Bretagne's ARS funds the laureates' call below)
    carrier = applicant()
    app, _ = create_application(carrier, call, content(call))
    api_client.force_authenticate(carrier)
    refused = api_client.post(
        f"/api/v1/applications/{app.pk}/answer-files/",
        {"item": f"document-{statuts.pk}", "file": SimpleUploadedFile("../../statuts.pdf", data)},
        format="multipart",
    )
    assert refused.status_code == 400 and any(word in str(refused.json()) for word in (*REFUSED, "Mo")), refused.json()
    assert not ApplicationAnswer.objects.exists()

    laureate_call, apps = decided_call()
    api_client.force_authenticate(laureate_call.manager)
    url = f"/api/v1/applications/{apps[0].pk}/convention/"
    api_client.put(url + "schedule/", SCHEDULE, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(url + "issue/", {}, format="json")
    api_client.force_authenticate(apps[0].created_by)
    refused = api_client.post(
        url + "signed/",
        {"file": SimpleUploadedFile("signee.pdf", data), "signed_on": timezone.localdate().isoformat()},
        format="multipart",
    )
    assert refused.status_code == 400 and any(word in str(refused.json()) for word in (*REFUSED, "Mo")), refused.json()
    convention = Convention.objects.get()
    assert convention.state == Convention.State.ISSUED and not convention.signed_file


def test_the_manager_changes_the_call_form_and_published_answers_stay_valid(api_client):
    call, q, statuts = call_with_form()
    app, _ = create_application(applicant(), call, content(call))
    ApplicationAnswer.objects.create(application=app, question=q["families"], number=Decimal("12"))
    api_client.force_authenticate(call.manager)
    url = f"/api/v1/calls/{call.pk}/questions/"
    saved = api_client.patch(
        url,
        {
            "questions": [
                {"label": "Partenaires associés", "kind": "long_text"},
                {"id": q["summary"].pk, "label": "Résumé", "delete": True},
            ],
            "documents": [{"id": statuts.pk, "label": "Statuts à jour"}],
        },
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    labels = [row["label"] for row in saved.json()["questions"]]
    assert "Partenaires associés" in labels and "Résumé" not in labels
    assert saved.json()["documents"][0]["label"] == "Statuts à jour"
    # a published call: an answered question keeps its type, and nothing is saved when refused
    refused = api_client.patch(
        url,
        {
            "questions": [
                {"id": q["families"].pk, "label": "Familles", "kind": "short_text"},
                {"label": "Nouvelle", "required": True},
            ]
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["non_field_errors"] == [
        "« Nombre de familles » : le type de réponse ne change plus une fois l'appel publié (les réponses déjà "
        "données ne le suivraient pas).",
        "« Nouvelle » : une question ajoutée après la publication ne peut être que facultative (les candidatures "
        "commencées n'y ont pas répondu).",
    ]
    assert CallQuestion.objects.get(pk=q["families"].pk).label == "Nombre de familles"
    assert not CallQuestion.objects.filter(label="Nouvelle").exists()
    api_client.force_authenticate(applicant())
    refused = api_client.patch(url, {"questions": []}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Cet appel à projets relève d'une autre région ou d'une autre agence que la vôtre."


# --- The laureates' reports ------------------------------------------------------------------------


def test_the_carrier_sends_its_report_and_the_managers_follow_them(api_client):
    call, apps = decided_call()
    api_client.force_authenticate(apps[0].created_by)
    sent = api_client.post(
        f"/api/v1/applications/{apps[0].pk}/reports/", {"kind": "interim", "file": pdf("rapport.pdf")}, format="multipart"
    )
    assert sent.status_code == 201, sent.json()
    assert sent.json()["kind_label"] == "Rapport intermédiaire" and sent.json()["received_on"] == timezone.localdate().isoformat()
    api_client.force_authenticate(call.manager)
    dues = api_client.get(f"/api/v1/calls/{call.pk}/reports/").json()
    interim = next(d for d in dues if d["application"] == apps[0].pk and d["kind"] == "interim")
    assert interim["status_label"].startswith("Reçu") and interim["received_on"] == timezone.localdate().isoformat()


def test_reports_are_the_carriers_to_send_and_the_managers_to_follow(api_client):
    call, apps = decided_call()
    api_client.force_authenticate(applicant())
    refused = api_client.post(f"/api/v1/applications/{apps[0].pk}/reports/", {"kind": "interim"}, format="multipart")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Seuls le porteur et les gestionnaires de l'appel suivent ce projet."
    refused = api_client.get(f"/api/v1/calls/{call.pk}/reports/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Le suivi des rapports d'un appel est réservé à ses gestionnaires et à l'équipe nationale."


def test_a_bad_report_is_refused_in_french_and_nothing_is_saved(api_client):
    call, apps = decided_call()
    api_client.force_authenticate(apps[0].created_by)
    url = f"/api/v1/applications/{apps[0].pk}/reports/"
    refused = api_client.post(url, {"kind": "annuel", "file": pdf()}, format="multipart")
    assert refused.status_code == 400 and "Valeurs possibles : interim, final" in refused.json()["kind"][0]
    refused = api_client.post(url, {"kind": "final", "file": SimpleUploadedFile("rapport.pdf", HTML_PAGE)}, format="multipart")
    assert refused.status_code == 400 and any(word in str(refused.json()) for word in REFUSED)
    assert not Report.objects.exists()
