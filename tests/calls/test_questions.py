"""Per-call questions and required documents: the manager's form, the applicant's answers, the check
at submission, what may still change once the call is published, exports and the API."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.calls.factories import applicant, close, content, make_call, pdf_upload
from tpj.audit.models import AuditEvent
from tpj.calls import exports
from tpj.calls.models import Application, ApplicationAnswer, Call, CallQuestion, QuestionKind, RequiredDocument
from tpj.calls.services.applications import create_application, submit_application
from tpj.calls.services.calls import fire_call
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.questions import (
    DocumentRow,
    QuestionRow,
    attach_answer_file,
    save_answers,
    save_call_form,
)

pytestmark = pytest.mark.django_db
K = QuestionKind


def _rows(call):
    """The call's questions as stored, as rows the manager would send back unchanged."""
    return [
        QuestionRow(
            id=q.pk,
            label=q.label,
            kind=q.kind,
            help_text=q.help_text,
            required=q.required,
            position=q.position,
            choices=list(q.choices),
        )
        for q in call.questions.all()
    ]


FORM = [
    QuestionRow("Nom du projet en une phrase", K.SHORT_TEXT, required=True, position=1),
    QuestionRow("Contexte", K.LONG_TEXT, position=2),
    QuestionRow("Nombre de familles accompagnées", K.NUMBER, required=True, position=3),
    QuestionRow("Budget de communication", K.AMOUNT, position=4),
    QuestionRow("Date de la première action", K.DATE, position=5),
    QuestionRow("Public principal", K.SINGLE_CHOICE, required=True, position=6, choices=["Parents", "Professionnels"]),
    QuestionRow("Lieux d'intervention", K.MULTIPLE_CHOICE, position=7, choices=["Domicile", "Crèche", "PMI"]),
    QuestionRow("Le projet existe-t-il déjà ?", K.YES_NO, position=8),
    QuestionRow("Lettre de soutien", K.FILE, position=9),
]
DOCUMENTS = [
    DocumentRow("Statuts", position=1),
    DocumentRow("RIB", position=2),
    DocumentRow("Attestation URSSAF", required=False),
]


def _call_with_form():
    call = make_call(state=Call.State.DRAFT)
    save_call_form(call, call.manager, FORM, DOCUMENTS)
    published = fire_call(call, call.manager, "publish")
    published.manager = call.manager
    return published


def _draft(call, user=None):
    user = user or applicant()
    app, _ = create_application(user, call, content(call))
    return app, user


def _q(call, label) -> CallQuestion:
    return call.questions.get(label=label)


def _answers(call, **by_label):
    return {_q(call, label).pk: value for label, value in by_label.items()}


def test_a_draft_call_takes_any_question_and_the_change_is_in_its_history():
    call = make_call(state=Call.State.DRAFT)
    save_call_form(call, call.manager, FORM, DOCUMENTS)
    assert [q.kind for q in call.questions.all()] == [row.kind for row in FORM]
    assert list(call.required_documents.values_list("label", "required")) == [
        ("Attestation URSSAF", False),
        ("Statuts", True),
        ("RIB", True),
    ]
    event = AuditEvent.objects.filter(action="calls.call.defined").latest("id")
    assert "Question ajoutée : « Contexte »" in event.after["formulaire"]
    assert event.action_label == "Définition de l'appel à projets"


def test_a_choice_question_needs_two_choices_and_only_managers_change_the_form():
    call = make_call(state=Call.State.DRAFT)
    with pytest.raises(ValidationError) as refused:
        save_call_form(call, call.manager, [QuestionRow("Public", K.SINGLE_CHOICE, choices=["Parents"])], [])
    assert refused.value.messages == ["« Public » : proposez au moins deux choix."]
    with pytest.raises(Exception, match="gestionnaire|périmètre|région"):
        save_call_form(call, applicant(), FORM, [])
    assert not call.questions.exists()


def test_submission_lists_the_missing_answers_and_documents_in_french_then_passes():
    call = _call_with_form()
    app, user = _draft(call)
    with pytest.raises(ValidationError) as refused:
        submit_application(app, user)
    assert refused.value.messages == [
        "Répondez à la question « Nom du projet en une phrase ».",
        "Répondez à la question « Nombre de familles accompagnées ».",
        "Répondez à la question « Public principal ».",
        "Joignez le document demandé « Statuts ».",
        "Joignez le document demandé « RIB ».",
    ]
    save_answers(
        app,
        user,
        _answers(
            call,
            **{
                "Nom du projet en une phrase": "Relais parental",
                "Nombre de familles accompagnées": Decimal("120"),
                "Budget de communication": Decimal("1500.50"),
                "Date de la première action": datetime.date(2030, 1, 15),
                "Public principal": "Parents",
                "Lieux d'intervention": ["PMI", "Domicile"],
                "Le projet existe-t-il déjà ?": False,
            },
        ),
    )
    for document in call.required_documents.filter(required=True):
        attach_answer_file(app, user, f"document-{document.pk}", pdf_upload(f"{document.label}.pdf"))
    app = submit_application(Application.objects.get(pk=app.pk), user)
    assert app.state == Application.State.SUBMITTED
    shown = {a.question.label: a.display for a in app.answers.filter(question__isnull=False)}
    assert shown["Budget de communication"] == "1\u202f500,50\u202f€"
    assert shown["Date de la première action"] == "15/01/2030"
    assert shown["Lieux d'intervention"] == "Domicile ; PMI"  # in the call's order
    assert shown["Le projet existe-t-il déjà ?"] == "Non"


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("Nombre de familles accompagnées", Decimal("123456789012"), "au plus 10 chiffres avant la virgule"),
        ("Nombre de familles accompagnées", "beaucoup", "indiquez un nombre"),
        ("Budget de communication", Decimal("-5"), "un montant ne peut pas être négatif"),
        ("Date de la première action", datetime.date(1900, 1, 1), "cette date n'est pas plausible"),
        ("Public principal", "Grands-parents", "choisissez parmi les choix proposés"),
        ("Lieux d'intervention", ["PMI", "Lune"], "choisissez parmi les choix proposés"),
        ("Le projet existe-t-il déjà ?", "peut-être", "répondez par oui ou par non"),
        ("Contexte", "Texte\x1b[31m piégé", "caractère de contrôle invisible (U+001B)"),
        ("Nom du projet en une phrase", "x" * 301, "301 caractères, 300 au plus"),
    ],
)
def test_bad_answers_are_refused_in_french_and_nothing_is_saved(label, value, message):
    call = _call_with_form()
    app, user = _draft(call)
    good = _answers(call, **{"Nom du projet en une phrase": "Relais parental"})
    with pytest.raises(ValidationError) as refused:
        save_answers(app, user, {**good, **_answers(call, **{label: value})})
    assert message in refused.value.messages[0]
    assert refused.value.messages[0].startswith(f"« {label} »") or "La réponse à" in refused.value.messages[0]
    assert not app.answers.exists()


def test_clearing_an_answer_deletes_it_and_answers_only_change_while_the_draft_does():
    call = _call_with_form()
    app, user = _draft(call)
    question = _q(call, "Contexte")
    save_answers(app, user, {question.pk: "Un quartier prioritaire."})
    save_answers(app, user, {question.pk: "  "})
    assert not app.answers.exists()
    app.state = Application.State.SUBMITTED
    app.save()
    with pytest.raises(Exception, match="déposée ne peut plus être modifiée"):
        save_answers(app, user, {question.pk: "Trop tard"})


def test_files_are_checked_by_content_replaced_and_refused_once_submitted():
    call = _call_with_form()
    app, user = _draft(call)
    statuts = call.required_documents.get(label="Statuts")
    fake = SimpleUploadedFile("statuts.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="ni un PDF, ni une image PNG ou JPEG"):
        attach_answer_file(app, user, f"document-{statuts.pk}", fake)
    assert not app.answers.exists()
    first = attach_answer_file(app, user, f"document-{statuts.pk}", pdf_upload("statuts-2019.pdf"))
    second = attach_answer_file(app, user, f"document-{statuts.pk}", pdf_upload("statuts-2024.pdf"))
    assert first.pk == second.pk and second.file_name == "statuts-2024.pdf"
    assert AuditEvent.objects.filter(action="calls.application.attachment_added", object_id=str(app.pk)).count() == 2
    with pytest.raises(ValidationError, match="n'est pas demandé par l'appel"):
        attach_answer_file(app, user, f"question-{_q(call, 'Contexte').pk}", pdf_upload())
    other = make_call(region="76", strand="ars")
    other_document = RequiredDocument.objects.create(call=other, label="RIB")
    with pytest.raises(ValidationError, match="n'est pas demandé par l'appel"):
        attach_answer_file(app, user, f"document-{other_document.pk}", pdf_upload())
    with pytest.raises(Exception, match="structure porteuse"):
        attach_answer_file(app, applicant(), f"document-{statuts.pk}", pdf_upload())
    app.state = Application.State.SUBMITTED
    app.save()
    with pytest.raises(ValidationError, match="au brouillon ou en réponse à une demande de complément"):
        attach_answer_file(app, user, f"document-{statuts.pk}", pdf_upload())


def _answered_call():
    call = _call_with_form()
    app, user = _draft(call)
    save_answers(app, user, _answers(call, **{"Public principal": "Parents", "Lieux d'intervention": ["Crèche"]}))
    return call, app


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda rows: rows.append(QuestionRow("Nouvelle question obligatoire", K.SHORT_TEXT, required=True)),
            "une question ajoutée après la publication ne peut être que facultative",
        ),
        (lambda rows: setattr(rows[1], "kind", K.SHORT_TEXT), "le type de réponse ne change plus une fois l'appel publié"),
        (lambda rows: setattr(rows[1], "required", True), "une question facultative ne devient plus obligatoire"),
        (lambda rows: setattr(rows[5], "delete", True), "a déjà des réponses : elle ne peut pas être supprimée"),
        (lambda rows: setattr(rows[5], "choices", ["Professionnels", "Familles"]), "le choix « Parents » a déjà été retenu"),
        (lambda rows: setattr(rows[6], "choices", ["Domicile", "PMI"]), "le choix « Crèche » a déjà été retenu"),
    ],
)
def test_a_published_call_refuses_changes_that_would_break_answers(change, reason):
    call, app = _answered_call()
    before = list(CallQuestion.objects.filter(call=call).values())
    rows = _rows(call)
    change(rows)
    with pytest.raises(ValidationError) as refused:
        save_call_form(call, call.manager, rows, [])
    assert reason in " ".join(refused.value.messages)
    assert list(CallQuestion.objects.filter(call=call).values()) == before
    assert app.answers.count() == 2


def test_a_published_call_takes_changes_that_keep_answers_valid():
    call, app = _answered_call()
    rows = _rows(call)
    rows[0].label = "Votre projet en une phrase"
    rows[0].help_text = "Pour le jury."
    rows[0].required = False  # required → optional keeps every answer valid
    rows[5].choices = ["Parents", "Professionnels", "Assistantes maternelles"]
    rows[6].choices = ["Domicile", "Crèche"]  # « PMI » was never chosen
    rows[1].delete = True  # no answer yet
    rows.append(QuestionRow("Question facultative ajoutée", K.YES_NO, position=20))
    documents = [DocumentRow("Budget prévisionnel", required=False)]
    save_call_form(call, call.manager, rows, documents)
    labels = list(call.questions.values_list("label", flat=True))
    assert "Votre projet en une phrase" in labels and "Contexte" not in labels
    assert "Question facultative ajoutée" in labels
    assert call.required_documents.filter(label="Budget prévisionnel", required=False).exists()
    with pytest.raises(ValidationError, match="un document demandé après la publication ne peut être que facultatif"):
        save_call_form(call, call.manager, [], [DocumentRow("Attestation CAF", required=True)])


def test_a_document_already_given_is_not_deleted_and_a_closed_call_form_is_final():
    call = _call_with_form()
    app, user = _draft(call)
    statuts = call.required_documents.get(label="Statuts")
    attach_answer_file(app, user, f"document-{statuts.pk}", pdf_upload())
    row = DocumentRow(statuts.label, id=statuts.pk, delete=True)
    with pytest.raises(ValidationError, match="a déjà été déposé par des candidats"):
        save_call_form(call, call.manager, [], [row])
    close(call)
    with pytest.raises(ValidationError, match="ne peut plus être modifiée à ce stade"):
        save_call_form(call, call.manager, [QuestionRow("Tardive", K.SHORT_TEXT)], [])


def _submitted_with_answers(call, formula=False):
    app, user = _draft(call)
    save_answers(
        app,
        user,
        _answers(
            call,
            **{
                "Nom du projet en une phrase": '=HYPERLINK("http://pirate.example")' if formula else "Relais",
                "Nombre de familles accompagnées": Decimal("120"),
                "Public principal": "Parents",
                "Date de la première action": datetime.date(2030, 1, 15),
            },
        ),
    )
    for document in call.required_documents.filter(required=True):
        attach_answer_file(app, user, f"document-{document.pk}", pdf_upload(f"{document.label}.pdf"))
    return submit_application(Application.objects.get(pk=app.pk), user)


def test_exports_have_one_column_per_question_and_document_never_a_formula():
    call = _call_with_form()
    app = _submitted_with_answers(call, formula=True)
    close(call)
    declare_eligible(app, call.manager)
    decide(app, call.manager, "laureate", "Très bon projet", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    rows = list(csv.reader(io.StringIO(exports.laureates_csv([call]).content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[-12:] == [q.label for q in FORM] + ["Document : Attestation URSSAF", "Document : Statuts", "Document : RIB"]
    assert row["Nom du projet en une phrase"] == '\'=HYPERLINK("http://pirate.example")'
    assert row["Nombre de familles accompagnées"] == "120,00"
    assert row["Date de la première action"] == "2030-01-15"
    assert row["Document : Statuts"] == "Statuts.pdf"
    sheet = load_workbook(io.BytesIO(exports.laureates_xlsx([call]).content)).active
    cells = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, sheet.max_column + 1)}
    assert cells["Nom du projet en une phrase"].data_type == "s"
    assert cells["Nom du projet en une phrase"].value.startswith("'=")
    assert cells["Nombre de familles accompagnées"].value == 120
    # an export of several calls (a campaign's) keeps its fixed columns: their forms differ
    make_call(region="76", strand="ars")
    several = exports.laureates_csv(Call.objects.all()).content.decode("utf-8-sig")
    at = exports.LAUREATE_HEADER.index("total attribué (€)")
    expected = [*exports.LAUREATE_HEADER[:at], "attribué ARS (€)", "attribué DREETS (€)", *exports.LAUREATE_HEADER[at:]]
    assert next(csv.reader(io.StringIO(several), delimiter=";")) == expected


def test_the_api_gives_the_answers_read_only(client):
    call = _call_with_form()
    app = _submitted_with_answers(call)
    client.force_login(call.manager)
    body = client.get(f"/api/v1/applications/{app.pk}/").json()
    answers = {a["label"]: a for a in body["answers"]}
    assert answers["Nombre de familles accompagnées"]["value"] == "120.00"
    assert answers["Nombre de familles accompagnées"]["kind"] == "number"
    assert answers["Public principal"]["display"] == "Parents"
    assert answers["Statuts"]["document"] is not None and answers["Statuts"]["value"] == "Statuts.pdf"
    assert ApplicationAnswer.objects.filter(application=app).count() == len(body["answers"])
