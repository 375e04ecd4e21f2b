"""Decision letters (PDF, reportlab) sent to applicants and downloadable from the platform.

The text is set in DejaVu Sans, embedded in the PDF (the npm package dejavu-fonts-ttf,
installed with the front-end libraries by `make assets`): it has every character French
typography uses, among them the narrow no-break space of the amounts (« 30 000,00 € »),
which the PDF standard fonts lack. A decision letter carries the mentions of an
administrative decision: its date, its signatory (name and title) and the « voies et
délais de recours ». It is drawn once, when issued, and archived as such
(tpj.calls.services.letters).
"""

import io
from functools import cache
from html import escape
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Agency, Application, IntentDeclaration, euros

FONT_DIR = Path(settings.BASE_DIR) / "node_modules" / "dejavu-fonts-ttf" / "ttf"
FONT, BOLD_FONT = "DejaVuSans", "DejaVuSans-Bold"

OUTCOME_SENTENCES = {
    Application.State.LAUREATE: "Nous avons le plaisir de vous informer que votre projet a été retenu comme lauréat.",
    Application.State.WAITING_LIST: "Votre projet a été inscrit sur liste d'attente.",
    Application.State.REJECTED: "Nous avons le regret de vous informer que votre projet n'a pas été retenu.",
    Application.State.INELIGIBLE: "Votre candidature a été déclarée irrecevable.",
}

# On whose behalf the pilot of the call signs (« Pour … et par délégation »).
AGENCY_HEADS = {
    Agency.ARS: "le directeur général de l'ARS",
    Agency.DREETS: "le directeur régional de la DREETS",
    Agency.CLP: "le commissaire à la prévention et à la lutte contre la pauvreté en",
}
SIGNATORY_TITLE = "Pilote de l'appel à projets"

APPEAL_MENTION = (
    "Voies et délais de recours : la présente décision peut faire l'objet, dans un délai de deux mois "
    "à compter de sa notification, d'un recours gracieux auprès de l'auteur de la décision et d'un "
    "recours contentieux devant le tribunal administratif compétent. Le tribunal administratif peut "
    "être saisi par l'application Télérecours citoyens (www.telerecours.fr)."
)


@cache
def _register_fonts() -> None:
    """Register DejaVu Sans with reportlab once per process (embedded, subset, in each PDF)."""
    try:
        pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD_FONT, FONT_DIR / "DejaVuSans-Bold.ttf"))
    except OSError as error:  # drawing fails, the letter is retried then shown failed
        raise OSError(f"Police DejaVu Sans introuvable dans {FONT_DIR} : installez-la avec « make assets ».") from error
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD_FONT, italic=FONT, boldItalic=BOLD_FONT)


def _styles() -> dict:
    """The sample styles of reportlab, set in DejaVu Sans."""
    _register_fonts()
    styles = getSampleStyleSheet()
    for name in ("Normal", "Title", "Heading3", "Heading4"):
        styles[name].fontName = BOLD_FONT if name != "Normal" else FONT
    return styles


def _pdf(flowables, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Territoires des 1000 premiers jours",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    doc.build(flowables)
    return buffer.getvalue()


def signatories(app: Application) -> list[tuple[str, str]]:
    """Who signs the letter, (on whose behalf, name): the pilot each agency of the call declared
    in its intent declaration; without one, the manager who notified the decision."""
    call = app.call
    declared = dict(
        IntentDeclaration.objects.filter(campaign_id=call.campaign_id, region_id=call.region_id, agency__in=call.agencies)
        .order_by("agency")
        .values_list("agency", "referent_name")
    )
    if not declared:
        letter = app.decision_letters.filter(decided_at=app.decided_at).select_related("requested_by").first()
        notifier = letter.requested_by if letter else None
        name = (notifier.get_full_name() or notifier.email) if notifier else ""
        declared = dict.fromkeys(call.agencies, name)
    return [(f"Pour {AGENCY_HEADS[agency]} {call.region.name} et par délégation,", name) for agency, name in declared.items()]


def decision_letter_pdf(app: Application) -> bytes:
    styles = _styles()
    call = app.call
    agencies = " et ".join(f"{a} {call.region.name}" for a in call.agencies)
    story = [
        Paragraph("République française", styles["Heading4"]),
        Paragraph(escape(agencies), styles["Normal"]),
        Spacer(1, 0.8 * cm),
        Paragraph(escape(app.organisation.name), styles["Normal"]),
        Paragraph(f"Le {date_format(timezone.localdate(), 'j F Y')}", styles["Normal"]),
        Spacer(1, 0.8 * cm),
        Paragraph(escape(f"Objet : {call.title} — candidature {app.reference}"), styles["Heading3"]),
        Paragraph(escape(f"Projet : « {app.title} »"), styles["Normal"]),
        Spacer(1, 0.5 * cm),
        Paragraph("Madame, Monsieur,", styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph(OUTCOME_SENTENCES.get(app.state, "Votre candidature a fait l'objet d'une décision."), styles["Normal"]),
    ]
    if app.decision_reason:
        story += [Spacer(1, 0.3 * cm), Paragraph(escape(f"Motif : {app.decision_reason}"), styles["Normal"])]
    if app.state == Application.State.LAUREATE:
        rows = (
            [["Enveloppe", "Montant attribué"]]
            + [
                [r.envelope.funding_source.label, euros(r.amount_allocated)]
                for r in app.requests.select_related("envelope__funding_source")
                if r.amount_allocated
            ]
            + [["Total", euros(app.allocated_total())]]
        )
        table = Table(rows, colWidths=[11 * cm, 5 * cm])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTNAME", (0, 0), (-1, 0), BOLD_FONT),
                    ("FONTNAME", (0, -1), (-1, -1), BOLD_FONT),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ]
            )
        )
        story += [
            Spacer(1, 0.4 * cm),
            table,
            Spacer(1, 0.4 * cm),
            Paragraph(
                "Une convention de subvention vous sera adressée. Cette dotation est annuelle et non reconductible.",
                styles["Normal"],
            ),
        ]
    story += [Spacer(1, 0.8 * cm)]
    for on_behalf_of, name in signatories(app):
        story += [
            Paragraph(escape(on_behalf_of), styles["Normal"]),
            Paragraph(f"<b>{escape(name)}</b>" if name else "", styles["Normal"]),
            Paragraph(SIGNATORY_TITLE, styles["Normal"]),
            Spacer(1, 0.4 * cm),
        ]
    story += [Spacer(1, 0.4 * cm), Paragraph(APPEAL_MENTION, styles["Normal"])]
    return _pdf(story, f"Décision {app.reference}")


def simple_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A small PDF document (used for demo cahiers des charges)."""
    styles = _styles()
    story = [Paragraph(escape(title), styles["Title"])] + [Paragraph(escape(p), styles["Normal"]) for p in paragraphs]
    return _pdf(story, title)
