"""A call's own form: typed questions and required documents, and each application's answers.

The call's managers add questions (short or long text, number, amount in euros, date, single or
multiple choice, yes/no, file) and declare the documents every applicant provides (statuts,
RIB…). Once the call is published, its form changes only in ways that keep the answers given
valid (tpj.calls.services.questions). An answer is stored typed — text, number (Decimal, also
for amounts in euros), date, chosen labels, yes/no, or a file — and a stored answer is never
empty: clearing a field deletes its answer, so "answered" is "has a row".
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from tpj.core.text import french_count

from .applications import Application
from .calls import Call
from .common import NNBSP, euros


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", "Texte court"
    LONG_TEXT = "long_text", "Texte long"
    NUMBER = "number", "Nombre"
    AMOUNT = "amount", "Montant en euros"
    DATE = "date", "Date"
    SINGLE_CHOICE = "single_choice", "Choix unique"
    MULTIPLE_CHOICE = "multiple_choice", "Choix multiples"
    YES_NO = "yes_no", "Oui ou non"
    FILE = "file", "Fichier (PDF, PNG ou JPEG)"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


class CallQuestion(models.Model):
    """A question of the call's form, answered in every application to the call."""

    Kind = QuestionKind

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField("question", max_length=300)
    help_text = models.TextField("aide", blank=True)
    kind = models.CharField("type de réponse", max_length=20, choices=Kind.choices, default=Kind.SHORT_TEXT)
    required = models.BooleanField("réponse obligatoire pour déposer", default=False)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    choices = models.JSONField("choix proposés", default=list, blank=True)

    class Meta:
        verbose_name = "question de l'appel"
        verbose_name_plural = "questions de l'appel"
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(name="call_question_kind_known", condition=Q(kind__in=QuestionKind.values))]

    def __str__(self):
        return self.label

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


class RequiredDocument(models.Model):
    """A document the call asks of every applicant (statuts, RIB, budget prévisionnel…)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="required_documents")
    label = models.CharField("document", max_length=300)
    help_text = models.TextField("aide", blank=True)
    required = models.BooleanField("obligatoire pour déposer", default=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "document demandé"
        verbose_name_plural = "documents demandés"
        ordering = ["position", "id"]

    def __str__(self):
        return self.label


def _french_number(value: Decimal) -> str:
    """« 1 234,5 » (no trailing zeros, narrow no-break space between thousands)."""
    sign = "-" if value < 0 else ""
    whole, _, decimals = f"{abs(value).normalize():f}".partition(".")
    return f"{sign}{french_count(int(whole))}{',' + decimals if decimals else ''}"


class ApplicationAnswer(models.Model):
    """The application's answer to one question of its call, or the file it gives for one required document.

    A question or a document with answers cannot be deleted (PROTECT): the service refuses it
    first, with the reason.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CallQuestion, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    document = models.ForeignKey(RequiredDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField("texte ou choix", blank=True)
    number = models.DecimalField("nombre ou montant (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    date = models.DateField("date", null=True, blank=True)
    choices = models.JSONField("choix retenus", default=list, blank=True)
    yes = models.BooleanField("oui ou non", null=True, blank=True)
    file = models.FileField("fichier", upload_to="calls/answers/", blank=True)
    file_name = models.CharField("nom du fichier déposé", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "réponse"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="answer_to_question_or_document",
                condition=Q(question__isnull=False, document__isnull=True) | Q(question__isnull=True, document__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["application", "question"], condition=Q(question__isnull=False), name="one_answer_per_question"
            ),
            models.UniqueConstraint(
                fields=["application", "document"], condition=Q(document__isnull=False), name="one_file_per_document"
            ),
        ]

    @property
    def kind(self) -> str:
        return self.question.kind if self.question_id else QuestionKind.FILE

    @property
    def value(self):
        """The answer as plain data (API): text, number as a string, ISO date, list of choices,
        yes/no, or the file's name."""
        kind = self.kind
        if kind in (QuestionKind.NUMBER, QuestionKind.AMOUNT):
            return None if self.number is None else f"{self.number:.2f}"
        if kind == QuestionKind.DATE:
            return self.date.isoformat() if self.date else None
        if kind == QuestionKind.MULTIPLE_CHOICE:
            return list(self.choices)
        if kind == QuestionKind.YES_NO:
            return self.yes
        if kind == QuestionKind.FILE:
            return self.file_name
        return self.text

    @property
    def display(self) -> str:
        """The answer as a person reads it, in French."""
        kind = self.kind
        if kind == QuestionKind.AMOUNT and self.number is not None:
            return euros(self.number)
        if kind == QuestionKind.NUMBER and self.number is not None:
            return _french_number(self.number)
        if kind == QuestionKind.DATE and self.date:
            return self.date.strftime("%d/%m/%Y")
        if kind == QuestionKind.MULTIPLE_CHOICE:
            return " ; ".join(self.choices)
        if kind == QuestionKind.YES_NO and self.yes is not None:
            return "Oui" if self.yes else "Non"
        if kind == QuestionKind.FILE:
            return self.file_name
        return self.text

    @property
    def export_value(self) -> str | Decimal | datetime.date | None:
        """The answer in a spreadsheet cell: numbers and dates typed, the rest as text."""
        if self.kind in (QuestionKind.NUMBER, QuestionKind.AMOUNT):
            return self.number
        if self.kind == QuestionKind.DATE:
            return self.date
        return self.display.replace(NNBSP, " ")
