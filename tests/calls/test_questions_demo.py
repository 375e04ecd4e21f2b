"""The demo's per-call questions: the published calls' forms, answered, and idempotent."""

import pytest

from tests.calls.test_demo import _accounts
from tpj.calls import demo, demo_questions
from tpj.calls.models import Application, ApplicationAnswer, Call
from tpj.calls.services.checks import answers_problems

pytestmark = pytest.mark.django_db


def test_the_published_demo_calls_have_questions_and_documents_answered_once():
    accounts = _accounts()
    demo.load(accounts)
    demo_questions.load(accounts)
    count = ApplicationAnswer.objects.count()
    demo_questions.load(accounts)
    assert ApplicationAnswer.objects.count() == count > 0
    for call in Call.objects.filter(state=Call.State.PUBLISHED):
        assert call.questions.count() == 4 and call.required_documents.count() == 3
        for app in call.applications.exclude(state=Application.State.WITHDRAWN):
            problems = answers_problems(app)
            if app.state == Application.State.DRAFT:
                assert problems == [
                    "Joignez le document demandé « Statuts de la structure porteuse ».",
                    "Joignez le document demandé « Relevé d'identité bancaire (RIB) ».",
                    "Joignez le document demandé « Budget prévisionnel détaillé ».",
                ]
            else:
                assert problems == []
                with app.answers.filter(document__isnull=False).first().file.open("rb") as stored:
                    assert stored.read(5) == b"%PDF-"
