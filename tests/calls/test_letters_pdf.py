"""The decision letter as the applicant reads it: the text extracted from the issued PDF
(issue 18 §7) — amounts with their narrow no-break spaces drawn by an embedded font, and
the mentions of an administrative decision."""

import io

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from tpj.calls.letters import decision_letter_pdf, simple_pdf
from tpj.calls.models import DecisionLetter
from tpj.calls.services.decisions import decide, notify_decisions

from .factories import decidable, decided_call

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _fonts(content: bytes) -> set[str]:
    """The fonts the text is drawn with."""
    fonts = set()

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            fonts.add(str(font["/BaseFont"]))

    for page in PdfReader(io.BytesIO(content)).pages:
        page.extract_text(visitor_text=visit)
    return fonts


def test_the_issued_letter_shows_its_amounts_with_narrow_no_break_spaces_in_an_embedded_font(
    django_capture_on_commit_callbacks,
):
    call, apps = decided_call()  # the first laureate: 60 000 € on each envelope
    with django_capture_on_commit_callbacks(execute=True):
        notify_decisions(call, call.manager)
    letter = DecisionLetter.objects.get(application=apps[0], state=DecisionLetter.State.ISSUED)
    with letter.file.open("rb") as stored:
        content = stored.read()
    text = _text(content)
    assert f"60{NNBSP}000,00{NNBSP}€" in text and f"120{NNBSP}000,00{NNBSP}€" in text
    assert "\ufffd" not in text and "■" not in text  # no replacement or missing glyph
    # Every font is DejaVu Sans, embedded as a subset (the standard fonts lack U+202F).
    assert _fonts(content) == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}


def test_a_letter_carries_its_date_signatory_and_the_means_of_appeal():
    call, apps = decidable()
    rejected = decide(apps[2], call.manager, "rejected", "Hors priorités & <budget>")  # markup characters stay text
    text = " ".join(_text(decision_letter_pdf(rejected)).split())
    assert f"Le {date_format(timezone.localdate(), 'j F Y')}" in text
    assert "Motif : Hors priorités & <budget>" in text
    # The pilot the ARS declared signs on behalf of its director general.
    referent = call.campaign.declarations.get(agency="ARS").referent_name
    assert (
        f"Pour le directeur général de l'ARS {call.region.name} et par délégation, {referent} Pilote de l'appel à projets" in text
    )
    assert "Voies et délais de recours" in text
    assert "recours gracieux auprès de l'auteur de la décision" in text
    assert "recours contentieux devant le tribunal administratif compétent" in text
    assert "deux mois à compter de sa notification" in text


def test_a_simple_document_is_set_in_the_same_font():
    content = simple_pdf("Cahier des charges", ["Budget prévisionnel <indicatif> & calendrier"])
    assert "Budget prévisionnel <indicatif> & calendrier" in _text(content)
    assert _fonts(content) == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}
