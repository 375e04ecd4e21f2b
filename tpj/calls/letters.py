"""Decision letters (PDF, reportlab) sent to applicants and downloadable from the platform."""

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from .models import Application, euros

OUTCOME_SENTENCES = {
    Application.State.LAUREATE: "Nous avons le plaisir de vous informer que votre projet a été retenu comme lauréat.",
    Application.State.WAITING_LIST: "Votre projet a été inscrit sur liste d'attente.",
    Application.State.REJECTED: "Nous avons le regret de vous informer que votre projet n'a pas été retenu.",
    Application.State.INELIGIBLE: "Votre candidature a été déclarée irrecevable.",
}


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


def decision_letter_pdf(app: Application) -> bytes:
    styles = getSampleStyleSheet()
    call = app.call
    agencies = " et ".join(f"{a} {call.region.name}" for a in call.agencies)
    story = [
        Paragraph("République française", styles["Heading4"]),
        Paragraph(agencies, styles["Normal"]),
        Spacer(1, 0.8 * cm),
        Paragraph(f"{app.organisation.name}", styles["Normal"]),
        Paragraph(f"Le {timezone.localdate():%d/%m/%Y}", styles["Normal"]),
        Spacer(1, 0.8 * cm),
        Paragraph(f"Objet : {call.title} — candidature {app.reference}", styles["Heading3"]),
        Paragraph(f"Projet : « {app.title} »", styles["Normal"]),
        Spacer(1, 0.5 * cm),
        Paragraph("Madame, Monsieur,", styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph(OUTCOME_SENTENCES.get(app.state, "Votre candidature a fait l'objet d'une décision."), styles["Normal"]),
    ]
    if app.decision_reason:
        story += [Spacer(1, 0.3 * cm), Paragraph(f"Motif : {app.decision_reason}", styles["Normal"])]
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
        story += [
            Spacer(1, 0.4 * cm),
            Table(rows, colWidths=[11 * cm, 5 * cm]),
            Spacer(1, 0.4 * cm),
            Paragraph(
                "Une convention de subvention vous sera adressée. Cette dotation est annuelle et non reconductible.",
                styles["Normal"],
            ),
        ]
    story += [Spacer(1, 0.8 * cm), Paragraph("Les référents de l'appel à projets", styles["Normal"])]
    return _pdf(story, f"Décision {app.reference}")


def simple_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A small PDF document (used for demo cahiers des charges)."""
    styles = getSampleStyleSheet()
    story = [Paragraph(title, styles["Title"])] + [Paragraph(p, styles["Normal"]) for p in paragraphs]
    return _pdf(story, title)
