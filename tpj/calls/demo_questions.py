"""Demo data of per-call questions: the demo's published calls get a form of their own — 4 questions
and 3 required documents, set before their publication in the story — and their applications answer
it. The submitted ones are complete; a draft has its answers but not yet its documents, so that its
page lists what is still missing before the submission.

Runs after `tpj.calls.demo.load` (listed after it in `tpj.demo.services.MODULE_LOADERS`); safe
to run twice: a call that already has questions is left as it is.
"""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from tpj.core.uploads import PDF

from .letters import simple_pdf
from .models import Application, ApplicationAnswer, Call, CallKind, CallQuestion, QuestionKind, RequiredDocument
from .services.calls import record_call_change
from .services.files import attachment_file_name

K = QuestionKind
PUBLIC = ["Futurs parents", "Parents d'enfants de 0 à 3 ans", "Professionnels de la petite enfance"]
QUESTIONS = [
    {
        "label": "Nombre de familles que le projet accompagnera la première année",
        "kind": K.NUMBER,
        "required": True,
        "help_text": "Une estimation suffit ; elle servira de référence au suivi.",
    },
    {"label": "Public principal du projet", "kind": K.SINGLE_CHOICE, "required": True, "choices": PUBLIC},
    {"label": "Le projet prolonge-t-il une action déjà menée ?", "kind": K.YES_NO},
    {
        "label": "Apport de la structure porteuse",
        "kind": K.AMOUNT,
        "help_text": "Fonds propres ou valorisation du temps des équipes.",
    },
]
DOCUMENTS = [
    {"label": "Statuts de la structure porteuse", "help_text": "Version à jour, signée."},
    {"label": "Relevé d'identité bancaire (RIB)", "help_text": "Au nom de la structure porteuse."},
    {"label": "Budget prévisionnel détaillé", "help_text": "Dépenses et recettes du projet, signé par le représentant légal."},
]


def _answers(app: Application, questions: list[CallQuestion]) -> list[ApplicationAnswer]:
    number, public, extends, contribution = questions
    families = 40 + 15 * (app.pk % 7)
    return [
        ApplicationAnswer(application=app, question=number, number=Decimal(families)),
        ApplicationAnswer(application=app, question=public, text=PUBLIC[app.pk % len(PUBLIC)]),
        ApplicationAnswer(application=app, question=extends, yes=bool(app.pk % 2)),
        ApplicationAnswer(application=app, question=contribution, number=Decimal(2500 * (1 + app.pk % 4))),
    ]


def _document(app: Application, document: RequiredDocument) -> ApplicationAnswer:
    content = simple_pdf(document.label, [f"{app.organisation} — document de démonstration pour « {app.title} »."])
    answer = ApplicationAnswer(application=app, document=document, file_name=f"{document.label}.pdf", uploaded_by=app.created_by)
    answer.file.save(attachment_file_name(PDF), ContentFile(content), save=False)
    return answer


def load(accounts: dict | None = None):
    """Give each published demo 1000-jours call its questions and required documents, and answer
    them (the territorial training call, loaded after, keeps the calls' common form)."""
    published = Call.objects.filter(state=Call.State.PUBLISHED, kind=CallKind.MILLE_JOURS)
    for call in published.select_related("created_by"):
        if call.questions.exists():
            continue
        with transaction.atomic():
            questions = [CallQuestion.objects.create(call=call, position=i, **q) for i, q in enumerate(QUESTIONS, 1)]
            documents = [RequiredDocument.objects.create(call=call, position=i, **d) for i, d in enumerate(DOCUMENTS, 1)]
            record_call_change(
                call,
                call.created_by,
                "defined",
                after={
                    "formulaire": [f"Question ajoutée : « {q.label} »" for q in questions]
                    + [f"Document demandé ajouté : « {d.label} »" for d in documents]
                },
            )
            answers = []
            for app in call.applications.exclude(state=Application.State.WITHDRAWN).select_related("organisation"):
                answers += _answers(app, questions)
                if app.state != Application.State.DRAFT:
                    answers += [_document(app, d) for d in documents]
            ApplicationAnswer.objects.bulk_create(answers)
