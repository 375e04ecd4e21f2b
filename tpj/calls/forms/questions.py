"""Forms of a call's own form: the manager's questions and required documents, the applicant's answers.

The answers' fields are built from the call's questions (files apart: they are given on the
application's page, each checked by its content); every field is optional while the draft is
saved, the required ones are checked at submission (`checks.answers_problems`).
"""

from django import forms

from tpj.core.validators import plausible_date

from ..models import CHOICE_KINDS, Application, CallQuestion, QuestionKind
from ..services.questions import (
    CHOICE_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    MAX_CHOICES,
    MAX_DOCUMENTS,
    MAX_QUESTIONS,
    SHORT_TEXT_MAX_LENGTH,
    DocumentRow,
    QuestionRow,
)
from .common import DateInput

K = QuestionKind
YES_NO = [("oui", "Oui"), ("non", "Non")]
NUMBER_ERRORS = {
    "invalid": "Indiquez un nombre.",
    "max_digits": "Indiquez un nombre d'au plus 10 chiffres avant la virgule et 2 après.",
    "max_whole_digits": "Indiquez un nombre d'au plus 10 chiffres avant la virgule et 2 après.",
    "max_decimal_places": "Indiquez au plus 2 chiffres après la virgule.",
    "min_value": "Un montant ne peut pas être négatif.",
}
CHOICE_ERRORS = {"invalid_choice": "Choisissez parmi les choix proposés.", "invalid_list": "Choisissez parmi les choix proposés."}


def field_name(question: CallQuestion) -> str:
    return f"question_{question.pk}"


def answer_field(question: CallQuestion) -> forms.Field:
    """The form field of a question, by its type (never required while the draft is saved)."""
    label = f"{question.label} (obligatoire pour déposer)" if question.required else question.label
    common = {"label": label, "help_text": question.help_text, "required": False}
    choices = [(c, c) for c in question.choices]
    if question.kind == K.LONG_TEXT:
        return forms.CharField(max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if question.kind in (K.NUMBER, K.AMOUNT):
        amount = question.kind == K.AMOUNT
        return forms.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=0 if amount else None,
            error_messages=NUMBER_ERRORS,
            **{**common, "label": f"{label} (€)" if amount else label},
        )
    if question.kind == K.DATE:
        return forms.DateField(widget=DateInput(), validators=[plausible_date], **common)
    if question.kind == K.SINGLE_CHOICE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, error_messages=CHOICE_ERRORS, **common)
    if question.kind == K.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, error_messages=CHOICE_ERRORS, **common
        )
    if question.kind == K.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, error_messages=CHOICE_ERRORS, **common)
    return forms.CharField(max_length=SHORT_TEXT_MAX_LENGTH, **common)


class AnswersForm(forms.Form):
    """The applicant's answers to the call's questions, in the application form."""

    def __init__(self, data=None, *, call, application: Application | None = None):
        questions = list(CallQuestion.objects.filter(call=call))
        self.questions = [q for q in questions if q.kind != K.FILE]
        # given on the application's page, listed here so that the applicant knows
        self.file_items = [q for q in questions if q.kind == K.FILE] + list(call.required_documents.all())
        super().__init__(data, initial=self._initial(application) if application else {})
        for question in self.questions:
            self.fields[field_name(question)] = answer_field(question)

    def _initial(self, application: Application) -> dict:
        initial = {}
        for answer in application.answers.select_related("question").filter(question__isnull=False):
            value = answer.value
            if answer.question.kind == K.YES_NO:
                value = "oui" if answer.yes else "non"
            elif answer.question.kind in (K.NUMBER, K.AMOUNT):
                value = answer.number
            elif answer.question.kind == K.DATE:
                value = answer.date
            initial[field_name(answer.question)] = value
        return initial

    def answers(self) -> dict:
        """{question id: value} for `services.questions.save_answers` (yes/no as a boolean)."""
        values = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if question.kind == K.YES_NO:
                value = {"oui": True, "non": False}.get(value)
            values[question.pk] = value
        return values


class QuestionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label="Question", max_length=300, required=False)
    kind = forms.ChoiceField(label="Type de réponse", choices=K.choices, initial=K.SHORT_TEXT)
    help_text = forms.CharField(
        label="Aide (facultatif)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    choices = forms.CharField(
        label="Choix proposés (un par ligne)",
        help_text="Pour un choix unique ou des choix multiples.",
        max_length=MAX_CHOICES * (CHOICE_MAX_LENGTH + 2),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label="Réponse obligatoire pour déposer", required=False)
    position = forms.IntegerField(label="Ordre", min_value=0, max_value=999, required=False)

    def clean_choices(self):
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]
        if len(lines) > MAX_CHOICES:
            raise forms.ValidationError(f"{len(lines)} choix : {MAX_CHOICES} au plus.")
        if too_long := [line for line in lines if len(line) > CHOICE_MAX_LENGTH]:
            raise forms.ValidationError(f"Le choix « {too_long[0][:40]}… » dépasse {CHOICE_MAX_LENGTH} caractères.")
        if doubles := sorted({line for line in lines if lines.count(line) > 1}):
            raise forms.ValidationError(f"Le choix « {doubles[0]} » est proposé deux fois.")
        return lines

    def clean(self):
        data = super().clean()
        if not data.get("label") and not data.get("DELETE") and self.has_changed():
            self.add_error("label", "Indiquez la question.")
        if data.get("kind") in CHOICE_KINDS and len(data.get("choices") or []) < 2 and not data.get("DELETE"):
            self.add_error("choices", "Proposez au moins deux choix.")
        return data

    def row(self) -> QuestionRow:
        d = self.cleaned_data
        return QuestionRow(
            id=d.get("id"),
            label=d["label"],
            kind=d["kind"],
            help_text=d["help_text"],
            required=d["required"],
            position=d["position"] or 0,
            choices=d["choices"],
            delete=bool(d.get("DELETE")),
        )


class DocumentForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label="Document demandé", max_length=300, required=False)
    help_text = forms.CharField(
        label="Aide (facultatif)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label="Obligatoire pour déposer", required=False, initial=True)
    position = forms.IntegerField(label="Ordre", min_value=0, max_value=999, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("label") and not data.get("DELETE") and self.has_changed():
            self.add_error("label", "Indiquez le document demandé.")
        return data

    def row(self) -> DocumentRow:
        d = self.cleaned_data
        return DocumentRow(
            id=d.get("id"),
            label=d["label"],
            help_text=d["help_text"],
            required=d["required"],
            position=d["position"] or 0,
            delete=bool(d.get("DELETE")),
        )


def _formset(form, bound):
    return forms.formset_factory(form, extra=2, can_delete=True, max_num=bound, validate_max=True, absolute_max=bound)


QuestionFormSet = _formset(QuestionForm, MAX_QUESTIONS)
DocumentFormSet = _formset(DocumentForm, MAX_DOCUMENTS)


def filled_rows(formset) -> list:
    """The rows of a valid formset that say something (blank extra rows left out)."""
    return [
        form.row() for form in formset if form.has_changed() and (form.cleaned_data.get("label") or form.cleaned_data.get("id"))
    ]


def question_formsets(call, data=None) -> dict:
    """The manager's two formsets, with the call's questions and documents as stored."""
    questions = [
        {
            "id": q.pk,
            "label": q.label,
            "kind": q.kind,
            "help_text": q.help_text,
            "choices": "\n".join(q.choices),
            "required": q.required,
            "position": q.position,
        }
        for q in call.questions.all()
    ]
    documents = [
        {"id": d.pk, "label": d.label, "help_text": d.help_text, "required": d.required, "position": d.position}
        for d in call.required_documents.all()
    ]
    return {
        "questions": QuestionFormSet(data, prefix="questions", initial=questions),
        "documents": DocumentFormSet(data, prefix="documents", initial=documents),
    }


class AnswerFileForm(forms.Form):
    """A file for a file question or a required document (`item`: « question-<id> » / « document-<id> »)."""

    item = forms.CharField(widget=forms.HiddenInput, max_length=40)
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, PNG ou JPEG, 10 Mo au plus.",
        error_messages={"required": "Choisissez le fichier à déposer.", "empty": "Le fichier envoyé est vide."},
    )
