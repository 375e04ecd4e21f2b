"""A call's own form (questions and required documents) and the applications' answers to it.

- `save_call_form()`: the managers change the questions and documents of a call; once it is
  published, only in ways that keep the answers valid (`form_change_problems()`).
- `save_answers()`: the applicant's typed answers, saved with the draft.
- `attach_answer_file()`: a file for a file question or a required document.
- `answer_sheet()`: the questions and documents with one application's answers, as pages show them.
- `AnswerColumns`: one export column per question and document.

The check at submission (required answers and documents) is `checks.answers_problems()`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.text import control_message, first_control
from tpj.core.validators import implausible_date_message, plausible_date

from ..models import CHOICE_KINDS, Application, ApplicationAnswer, Call, CallQuestion, QuestionKind, RequiredDocument
from . import checks
from .applications import fresh_application
from .calls import lock_definition, record_call_change
from .files import attachment_file_name, validate_attachment

K = QuestionKind

MAX_QUESTIONS = 40
MAX_DOCUMENTS = 20
MAX_CHOICES = 30
CHOICE_MAX_LENGTH = 200
SHORT_TEXT_MAX_LENGTH = 300
LONG_TEXT_MAX_LENGTH = 10_000
# A number or an amount: 12 digits with 2 decimals, as every amount of the module (money_field).
NUMBER_LIMIT = Decimal("9999999999.99")
# Where answers can still change: the draft, and a file asked again by the instructing service.
FILE_STATES = (Application.State.DRAFT, Application.State.INFO_REQUESTED)


# --- the call's form --------------------------------------------------------------------------


@dataclass
class QuestionRow:
    """One question as the manager submits it: `id` None for a new one."""

    label: str
    kind: str = K.SHORT_TEXT
    help_text: str = ""
    required: bool = False
    position: int = 0
    choices: list[str] = field(default_factory=list)
    id: int | None = None
    delete: bool = False


@dataclass
class DocumentRow:
    label: str
    help_text: str = ""
    required: bool = True
    position: int = 0
    id: int | None = None
    delete: bool = False


def _choices_in_use(question: CallQuestion) -> set[str]:
    used = set()
    for text, chosen in question.answers.values_list("text", "choices"):
        used.update(chosen if question.kind == K.MULTIPLE_CHOICE else [text])
    return used


def form_change_problems(call: Call, questions: list[QuestionRow], documents: list[DocumentRow]) -> list[str]:
    """Why these questions and documents cannot replace the call's (French, empty when they can).

    Always: a question or a document with answers is never deleted (they would be lost). Once the
    call is published, applicants have started: a question keeps its type, an optional question
    or document does not become required, a new one is optional, and a choice already chosen
    stays. Labels, help texts, order and new choices may change.
    """
    problems = []
    published = call.state != Call.State.DRAFT
    stored = {q.pk: q for q in call.questions.all()}
    answered = set(ApplicationAnswer.objects.filter(question__call=call).values_list("question_id", flat=True))
    for row in questions:
        old = stored.get(row.id) if row.id else None
        if row.id and old is None:
            problems.append("Une question a été supprimée entre-temps : rechargez la page.")
            continue
        if old is None:
            if published and row.required and not row.delete:
                problems.append(
                    f"« {row.label} » : une question ajoutée après la publication ne peut être que facultative "
                    "(les candidatures commencées n'y ont pas répondu)."
                )
            continue
        if row.delete:
            if old.pk in answered:
                problems.append(
                    f"« {old.label} » a déjà des réponses : elle ne peut pas être supprimée. Rendez-la facultative "
                    "si elle n'est plus utile."
                )
            continue
        if not published:
            continue
        if row.kind != old.kind:
            problems.append(
                f"« {old.label} » : le type de réponse ne change plus une fois l'appel publié (les réponses déjà "
                "données ne le suivraient pas)."
            )
        if row.required and not old.required:
            problems.append(f"« {old.label} » : une question facultative ne devient plus obligatoire une fois l'appel publié.")
        if old.has_choices and (removed := set(old.choices) - set(row.choices)):
            for choice in sorted(removed & _choices_in_use(old)):
                problems.append(f"« {old.label} » : le choix « {choice} » a déjà été retenu dans une réponse, il reste proposé.")
    stored_documents = {d.pk: d for d in call.required_documents.all()}
    given = set(ApplicationAnswer.objects.filter(document__call=call).values_list("document_id", flat=True))
    for row in documents:
        old = stored_documents.get(row.id) if row.id else None
        if row.id and old is None:
            problems.append("Un document demandé a été supprimé entre-temps : rechargez la page.")
        elif old is None:
            if published and row.required and not row.delete:
                problems.append(
                    f"« {row.label} » : un document demandé après la publication ne peut être que facultatif "
                    "(les candidatures commencées ne l'ont pas joint)."
                )
        elif row.delete and old.pk in given:
            problems.append(f"« {old.label} » a déjà été déposé par des candidats : il ne peut pas être supprimé.")
        elif published and not row.delete and row.required and not old.required:
            problems.append(f"« {old.label} » : un document facultatif ne devient plus obligatoire une fois l'appel publié.")
    if (count := _count_after(stored, questions)) > MAX_QUESTIONS:
        problems.append(f"{count} questions : {MAX_QUESTIONS} au plus par appel.")
    if (count := _count_after(stored_documents, documents)) > MAX_DOCUMENTS:
        problems.append(f"{count} documents demandés : {MAX_DOCUMENTS} au plus par appel.")
    for row in questions:
        if row.delete:
            continue
        if row.kind in CHOICE_KINDS and len(row.choices) < 2:
            problems.append(f"« {row.label} » : proposez au moins deux choix.")
    return problems


def _count_after(stored: dict, rows) -> int:
    deleted = {r.id for r in rows if r.delete and r.id in stored}
    return len(stored) - len(deleted) + sum(1 for r in rows if not r.id and not r.delete)


def save_call_form(call: Call, user, questions: list[QuestionRow], documents: list[DocumentRow]) -> Call:
    """Replace the call's questions and required documents (its managers, while its definition may
    change: draft or published), under the call's lock, refused as a whole with the reasons of
    `form_change_problems()`. The change is recorded in the call's history (« Définition de
    l'appel à projets »), naming each question and document added, changed or removed."""
    policy.require(user, "calls.manage_call", call)
    with transaction.atomic():
        call = lock_definition(call)
        if problems := checks.definition_problems(call) or form_change_problems(call, questions, documents):
            raise ValidationError(problems)
        changes = _write_rows(call, CallQuestion, questions, ("label", "kind", "help_text", "required", "position", "choices"))
        changes += _write_rows(call, RequiredDocument, documents, ("label", "help_text", "required", "position"))
        if changes:
            record_call_change(call, user, "defined", after={"formulaire": changes})
    return call


def _write_rows(call: Call, model, rows, fields) -> list[str]:
    noun = "Question" if model is CallQuestion else "Document demandé"
    stored = {o.pk: o for o in model.objects.filter(call=call)}
    changes = []
    for row in rows:
        values = {name: getattr(row, name) for name in fields}
        if "choices" in values and row.kind not in CHOICE_KINDS:
            values["choices"] = []
        old = stored.get(row.id) if row.id else None
        if old is None:
            if not row.delete:
                model.objects.create(call=call, **values)
                changes.append(f"{noun} ajouté{'e' if model is CallQuestion else ''} : « {row.label} »")
        elif row.delete:
            old.delete()
            changes.append(f"{noun} supprimé{'e' if model is CallQuestion else ''} : « {old.label} »")
        elif any(getattr(old, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(old, name, value)
            old.save()
            changes.append(f"{noun} modifié{'e' if model is CallQuestion else ''} : « {row.label} »")
    return changes


# --- answers ----------------------------------------------------------------------------------


def _refuse(question: CallQuestion, message: str):
    raise ValidationError(f"« {question.label} » : {message}")


def _text(question: CallQuestion, value, max_length: int) -> str:
    value = value if isinstance(value, str) else ""
    if (char := first_control(value)) is not None:
        raise ValidationError(control_message(char, f"La réponse à « {question.label} »"))
    if len(value) > max_length:
        _refuse(question, f"la réponse compte {len(value)} caractères, {max_length} au plus.")
    return value.strip()


def typed_answer(question: CallQuestion, value) -> dict | None:
    """The columns of an answer to `question`, or None for an empty answer; a French
    ValidationError naming the question when `value` does not fit its type."""
    kind = question.kind
    if value in (None, "", [], ()):
        return None
    if kind in (K.SHORT_TEXT, K.LONG_TEXT):
        text = _text(question, value, SHORT_TEXT_MAX_LENGTH if kind == K.SHORT_TEXT else LONG_TEXT_MAX_LENGTH)
        return {"text": text} if text else None
    if kind in (K.NUMBER, K.AMOUNT):
        try:
            number = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u202f", ""))
        except InvalidOperation:
            _refuse(question, "indiquez un nombre.")
        if not number.is_finite() or abs(number) > NUMBER_LIMIT or number != number.quantize(Decimal("0.01")):
            _refuse(question, "indiquez un nombre d'au plus 10 chiffres avant la virgule et 2 après.")
        if kind == K.AMOUNT and number < 0:
            _refuse(question, "un montant ne peut pas être négatif.")
        return {"number": number.quantize(Decimal("0.01"))}
    if kind == K.DATE:
        if not isinstance(value, datetime.date):
            _refuse(question, "indiquez une date (jj/mm/aaaa).")
        try:
            plausible_date(value)
        except ValidationError:
            _refuse(question, implausible_date_message().replace("Cette", "cette", 1))
        return {"date": value}
    if kind == K.SINGLE_CHOICE:
        if value not in question.choices:
            _refuse(question, "choisissez parmi les choix proposés.")
        return {"text": value}
    if kind == K.MULTIPLE_CHOICE:
        chosen = list(dict.fromkeys(value)) if isinstance(value, (list, tuple)) else [value]
        if any(c not in question.choices for c in chosen):
            _refuse(question, "choisissez parmi les choix proposés.")
        return {"choices": [c for c in question.choices if c in chosen]}
    if kind == K.YES_NO:
        if not isinstance(value, bool):
            _refuse(question, "répondez par oui ou par non.")
        return {"yes": value}
    _refuse(question, "un fichier se dépose depuis la page de la candidature.")


EMPTY = {"text": "", "number": None, "date": None, "choices": [], "yes": None}


def save_answers(app: Application, user, answers: dict[int, object]) -> None:
    """Save the applicant's answers to the call's questions (`{question id: value}`, files apart)
    with its draft: all of them checked before any is written, a French error naming each question
    whose answer does not fit. An empty answer deletes the stored one."""
    policy.require(user, "calls.edit_application", app)
    questions = {q.pk: q for q in CallQuestion.objects.filter(call_id=app.call_id).exclude(kind=K.FILE)}
    typed, errors = {}, []
    for question_id, value in answers.items():
        question = questions.get(question_id)
        if question is None:
            errors.append("Une question de l'appel a été retirée entre-temps : rechargez la page.")
            continue
        try:
            typed[question] = typed_answer(question, value)
        except ValidationError as error:
            errors += error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.edit_application", app)
        stored = {a.question_id: a for a in app.answers.filter(question__in=list(typed))}
        for question, columns in typed.items():
            answer = stored.get(question.pk)
            if columns is None:
                if answer is not None:
                    answer.delete()
                continue
            answer = answer or ApplicationAnswer(application=app, question=question)
            for name, value in {**EMPTY, **columns}.items():
                setattr(answer, name, value)
            answer.save()


def answer_target(app: Application, item: str) -> CallQuestion | RequiredDocument:
    """The file question (« question-<id> ») or required document (« document-<id> ») of the
    application's call that `item` names; a French error otherwise."""
    kind, _, pk = (item or "").partition("-")
    target = None
    if pk.isdigit() and kind == "question":
        target = CallQuestion.objects.filter(call_id=app.call_id, pk=pk, kind=K.FILE).first()
    elif pk.isdigit() and kind == "document":
        target = RequiredDocument.objects.filter(call_id=app.call_id, pk=pk).first()
    if target is None:
        raise ValidationError("Ce document n'est pas demandé par l'appel : rechargez la page.")
    return target


def attach_answer_file(app: Application, user, item: str, upload) -> ApplicationAnswer:
    """Store the file the carrier gives for a file question or a required document (replacing the
    previous one), at the draft stage or in answer to an information request; checked by its
    content (PDF, PNG or JPEG, 10 Mo) and recorded in the application's history."""
    policy.require(user, "calls.act_as_carrier", app)
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        if app.state not in FILE_STATES:
            raise ValidationError("Les documents demandés se déposent au brouillon ou en réponse à une demande de complément.")
        target = answer_target(app, item)
        content_type = validate_attachment(upload)
        name = upload.name
        upload.name = attachment_file_name(content_type)
        link = {"question": target} if isinstance(target, CallQuestion) else {"document": target}
        answer = ApplicationAnswer.objects.filter(application=app, **link).first() or ApplicationAnswer(application=app, **link)
        replaced = answer.file.name if answer.file else ""
        answer.file, answer.file_name, answer.uploaded_by = upload, name, user
        answer.save()
        if replaced:
            storage = answer.file.storage
            transaction.on_commit(lambda: storage.delete(replaced))
        record(
            actor=user,
            obj=app,
            action="calls.application.attachment_added",
            after={"label": target.label, "fichier": name},
        )
    return answer


# --- reading ----------------------------------------------------------------------------------


@dataclass
class AnswerRow:
    label: str
    help_text: str
    required: bool
    kind: str
    item: str  # « question-<id> » / « document-<id> »: what an upload names
    answer: ApplicationAnswer | None

    @property
    def is_file(self) -> bool:
        return self.kind == K.FILE

    @property
    def file_url(self) -> str:
        return reverse("calls:answer-file", args=[self.answer.pk]) if self.answer and self.answer.file else ""


@dataclass
class AnswerSheet:
    questions: list[AnswerRow]
    documents: list[AnswerRow]
    can_upload: bool

    @property
    def files(self) -> list[AnswerRow]:
        """What the carrier uploads: the file questions, then the required documents."""
        return [r for r in self.questions if r.is_file] + self.documents


def answer_sheet(app: Application, user) -> AnswerSheet:
    """The call's questions and required documents with the application's answers (3 queries);
    `can_upload` when `user` may give its files now (the carrier, draft or information requested)."""
    answers = list(app.answers.all())
    by_question = {a.question_id: a for a in answers if a.question_id}
    by_document = {a.document_id: a for a in answers if a.document_id}
    questions = [
        AnswerRow(q.label, q.help_text, q.required, q.kind, f"question-{q.pk}", by_question.get(q.pk))
        for q in CallQuestion.objects.filter(call_id=app.call_id)
    ]
    documents = [
        AnswerRow(d.label, d.help_text, d.required, K.FILE, f"document-{d.pk}", by_document.get(d.pk))
        for d in RequiredDocument.objects.filter(call_id=app.call_id)
    ]
    can_upload = app.state in FILE_STATES and bool(policy.check(user, "calls.act_as_carrier", app))
    return AnswerSheet(questions, documents, can_upload)


class AnswerColumns:
    """One export column per question and required document of a call, after the export's own.

    Calls of a campaign have different forms: an export of several calls adds no column. The
    applications' `answers` are read from their prefetch (`prefetch_related("answers")`).
    """

    def __init__(self, calls):
        calls = list(calls)
        one = calls[0] if len(calls) == 1 else None
        self.questions = list(CallQuestion.objects.filter(call=one)) if one else []
        self.documents = list(RequiredDocument.objects.filter(call=one)) if one else []

    @property
    def header(self) -> list[str]:
        return [q.label for q in self.questions] + [f"Document : {d.label}" for d in self.documents]

    def cells(self, app: Application) -> list:
        answers = app.answers.all()
        by_question = {a.question_id: a for a in answers if a.question_id}
        by_document = {a.document_id: a for a in answers if a.document_id}
        return [a.export_value if (a := by_question.get(q.pk)) else None for q in self.questions] + [
            a.file_name if (a := by_document.get(d.pk)) else None for d in self.documents
        ]
