"""The pages of per-call questions: the manager's form, the applicant's answers saved with the draft
(and refused whole), files given on the application's page, answers shown to instructors and jurors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tests.calls.factories import applicant, close, jury_user, make_call, manager, pdf_upload
from tests.calls.test_questions import FORM, _answers, _call_with_form
from tests.calls.views.test_pages import _application_post
from tpj.calls.models import Application, ApplicationAnswer, Call, JuryMember
from tpj.calls.services.applications import submit_application
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign
from tpj.calls.services.questions import attach_answer_file, save_answers

pytestmark = pytest.mark.django_db


def _formset_post(call, questions=(), documents=()):
    """The manager's page as posted: the stored rows unchanged, then `questions` and `documents`."""
    data = {}
    stored_q = list(call.questions.all())
    rows = [
        {
            "id": q.pk,
            "label": q.label,
            "kind": q.kind,
            "help_text": q.help_text,
            "choices": "\n".join(q.choices),
            "position": q.position,
            **({"required": "on"} if q.required else {}),
        }
        for q in stored_q
    ] + list(questions)
    data.update({"questions-TOTAL_FORMS": str(len(rows)), "questions-INITIAL_FORMS": str(len(stored_q))})
    for i, row in enumerate(rows):
        data.update({f"questions-{i}-{k}": v for k, v in row.items()})
    stored_d = list(call.required_documents.all())
    drows = [
        {
            "id": d.pk,
            "label": d.label,
            "help_text": d.help_text,
            "position": d.position,
            **({"required": "on"} if d.required else {}),
        }
        for d in stored_d
    ] + list(documents)
    data.update({"documents-TOTAL_FORMS": str(len(drows)), "documents-INITIAL_FORMS": str(len(stored_d))})
    for i, row in enumerate(drows):
        data.update({f"documents-{i}-{k}": v for k, v in row.items()})
    return data


def test_the_manager_builds_the_form_from_the_call_nav_and_others_cannot(client):
    call = make_call(state=Call.State.DRAFT)
    url = reverse("calls:call-questions", args=[call.pk])
    client.force_login(call.manager)
    assert url in client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Documents demandés" in page.content.decode()
    data = _formset_post(
        call,
        questions=[{"label": "Public principal", "kind": "single_choice", "choices": "Parents\nProfessionnels", "position": "1"}],
        documents=[{"label": "Statuts", "required": "on", "position": "1"}],
    )
    assert client.post(url, data).status_code == 302
    assert call.questions.get().choices == ["Parents", "Professionnels"]
    assert call.required_documents.get().required
    bad = client.post(url, _formset_post(call, questions=[{"label": "Lieu", "kind": "multiple_choice", "choices": "Domicile"}]))
    assert bad.status_code == 400 and "Proposez au moins deux choix." in bad.content.decode()
    assert call.questions.count() == 1
    for outsider in (manager("ARS", "76"), applicant()):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403


def test_a_published_call_page_says_what_may_change_and_refuses_the_rest_in_french(client):
    call = _call_with_form()
    url = reverse("calls:call-questions", args=[call.pk])
    client.force_login(call.manager)
    assert "L'appel est publié" in client.get(url).content.decode()
    refused = client.post(url, _formset_post(call, questions=[{"label": "Nouvelle", "kind": "short_text", "required": "on"}]))
    assert refused.status_code == 400
    assert escape("une question ajoutée après la publication ne peut être que facultative") in refused.content.decode()
    assert not call.questions.filter(label="Nouvelle").exists()
    close(call)
    assert client.get(url).status_code == 302  # the definition is final once closed


def test_answers_are_saved_with_the_draft_and_a_bad_one_saves_nothing(client):
    call = _call_with_form()
    user = applicant()
    client.force_login(user)
    url = reverse("calls:application-create", args=[call.pk])
    form = client.get(url).content.decode()
    assert "Questions de l'appel" in form and "Nombre de familles accompagnées (obligatoire pour déposer)" in form
    assert "Documents à déposer" in form and "Attestation URSSAF" in form
    q = {label: f"question_{call.questions.get(label=label).pk}" for label in (r.label for r in FORM)}
    bad = client.post(
        url,
        _application_post(call, **{q["Nombre de familles accompagnées"]: "99999999999999", q["Public principal"]: "Lune"}),
    )
    assert bad.status_code == 400
    assert "Indiquez un nombre d&#x27;au plus 10 chiffres" in bad.content.decode()
    assert "Choisissez parmi les choix proposés." in bad.content.decode()
    assert not Application.objects.exists()
    saved = client.post(
        url,
        _application_post(
            call,
            **{
                q["Nombre de familles accompagnées"]: "120",
                q["Public principal"]: "Parents",
                q["Lieux d'intervention"]: ["Crèche", "PMI"],
                q["Le projet existe-t-il déjà ?"]: "oui",
                q["Date de la première action"]: "2030-01-15",
                q["Contexte"]: "Quartier\x1b prioritaire",
            },
        ),
    )
    assert saved.status_code == 302
    app = Application.objects.get()
    by_label = {a.question.label: a for a in app.answers.select_related("question")}
    assert by_label["Lieux d'intervention"].choices == ["Crèche", "PMI"]
    assert by_label["Le projet existe-t-il déjà ?"].yes is True
    assert by_label["Contexte"].text == "Quartier prioritaire"  # the control character never arrives
    edit = client.get(reverse("calls:application-edit", args=[app.pk])).content.decode()
    assert 'value="120.00"' in edit or 'value="120"' in edit
    autosaved = client.post(
        reverse("calls:application-edit", args=[app.pk]),
        _application_post(call, **{q["Date de la première action"]: "1850-01-01"}),
        HTTP_HX_REQUEST="true",
    )
    assert "pas encore enregistré" in autosaved.content.decode() and "plausible" in autosaved.content.decode()
    assert app.answers.count() == 6  # nothing of the refused autosave


def test_the_carrier_gives_documents_on_its_page_then_submits(client):
    call = _call_with_form()
    user = applicant()
    client.force_login(user)
    client.post(reverse("calls:application-create", args=[call.pk]), _application_post(call))
    app = Application.objects.get()
    save_answers(app, user, _answers(call, **{"Nom du projet en une phrase": "Relais", "Public principal": "Parents"}))
    save_answers(app, user, _answers(call, **{"Nombre de familles accompagnées": 12}))
    page = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    assert escape("Joignez le document demandé « Statuts ».") in page
    assert "Déposer les documents demandés" in page
    upload = reverse("calls:answer-upload", args=[app.pk])
    statuts, rib = (call.required_documents.get(label=label) for label in ("Statuts", "RIB"))
    fake = SimpleUploadedFile("rib.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    refused = client.post(upload, {"item": f"document-{rib.pk}", "file": fake}, follow=True)
    assert "ni un PDF, ni une image PNG ou JPEG" in refused.content.decode()
    for document in (statuts, rib):
        client.post(upload, {"item": f"document-{document.pk}", "file": pdf_upload(f"{document.label}.pdf")})
    client.post(reverse("calls:application-action", args=[app.pk, "submit"]), {"confirm": "1"})
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED
    answer = ApplicationAnswer.objects.get(application=app, document=statuts)
    download = client.get(reverse("calls:answer-file", args=[answer.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(applicant())
    assert client.get(reverse("calls:answer-file", args=[answer.pk])).status_code == 403
    assert client.post(upload, {"item": f"document-{rib.pk}", "file": pdf_upload()}).status_code == 403


def test_instructors_and_jurors_read_the_answers(client):
    call = _call_with_form()
    user = applicant()
    client.force_login(user)
    client.post(reverse("calls:application-create", args=[call.pk]), _application_post(call))
    app = Application.objects.get()
    save_answers(
        app,
        user,
        _answers(
            call,
            **{"Nom du projet en une phrase": "Relais", "Public principal": "Parents", "Nombre de familles accompagnées": 1200},
        ),
    )
    for document in call.required_documents.filter(required=True):
        attach_answer_file(app, user, f"document-{document.pk}", pdf_upload(f"{document.label}.pdf"))
    app = submit_application(Application.objects.get(pk=app.pk), user)
    client.force_login(call.manager)
    page = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    assert "Nombre de familles accompagnées" in page and "1\u202f200" in page and "Statuts.pdf" in page
    assert "Déposer les documents demandés" not in page
    close(call)
    declare_eligible(app, call.manager)
    juror = jury_user()
    add_jury_member(call, call.manager, juror, JuryMember.Kind.FUNDER)
    assign(call, call.manager)
    sheet = juror.jury_seats.get().sheets.get()
    client.force_login(juror)
    client.post(reverse("calls:sheet", args=[sheet.pk]), {"has_conflict": "0"})
    sheet_page = client.get(reverse("calls:sheet", args=[sheet.pk])).content.decode()
    assert "Public principal" in sheet_page and "Parents" in sheet_page and "Statuts.pdf" in sheet_page


def test_garbage_on_the_new_pages_is_a_french_refusal_never_a_500(client):
    call = _call_with_form()
    other = make_call(region="76", strand="ars", state=Call.State.DRAFT)
    foreign = other.questions.create(label="Question d'un autre appel")
    url = reverse("calls:call-questions", args=[call.pk])
    client.force_login(call.manager)
    garbage = [
        {},
        {"questions-TOTAL_FORMS": "1000000", "questions-INITIAL_FORMS": "0", "documents-TOTAL_FORMS": "0"},
        _formset_post(call, questions=[{"id": "abc", "label": "X", "kind": "formule", "position": "-1"}]),
        _formset_post(call, questions=[{"id": str(foreign.pk), "label": "Détournée", "kind": "short_text"}]),
    ]
    for data in garbage:
        response = client.post(url, data)
        assert response.status_code == 400, data
    assert foreign.__class__.objects.get(pk=foreign.pk).label == "Question d'un autre appel"
    assert "rechargez la page" in client.post(url, garbage[3]).content.decode()
    user = applicant()
    client.force_login(user)
    client.post(reverse("calls:application-create", args=[call.pk]), _application_post(call))
    app = Application.objects.get()
    upload = reverse("calls:answer-upload", args=[app.pk])
    for data in (
        {},
        {"item": "document-99999999999999999999", "file": pdf_upload()},
        {"item": "../../etc", "file": pdf_upload()},
    ):
        response = client.post(upload, data, follow=True)
        assert response.status_code == 200
        assert "Choisissez le fichier" in response.content.decode() or "rechargez la page" in response.content.decode()
    assert not app.answers.filter(document__isnull=False).exists()
    assert client.get(reverse("calls:answer-file", args=[987654])).status_code == 404
