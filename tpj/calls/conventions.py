"""The convention de subvention as a PDF, drawn like the decision letters (tpj.calls.letters:
same page, same embedded font) from the text of `calls/conventions/convention.txt`.

The template writes the articles: « # » opens the title, « ## » an article, a blank line
separates paragraphs, and « [[montants]] », « [[échéancier]] », « [[indicateurs]] »,
« [[signatures]] » stand where the tables are drawn. Its variables are escaped (the template
engine's autoescape), so that a name holding « < » or « & » is text for reportlab.
"""

from html import escape

from django.template.loader import render_to_string
from django.utils import timezone
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from .exports import _agency_organisation
from .letters import AGENCY_HEADS, BOLD_FONT, FONT, _pdf, _styles
from .models import Convention, euros

TEMPLATE = "calls/conventions/convention.txt"
WIDTH = 17 * cm


def _table(rows, widths, *, total_row=False, numeric_from=1):
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("FONTNAME", (0, 0), (-1, 0), BOLD_FONT),
        ("GRID", (0, 0), (-1, -1), 0.25, "#929292"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
    ]
    if total_row:
        style.append(("FONTNAME", (0, -1), (-1, -1), BOLD_FONT))
    table.setStyle(TableStyle(style))
    return table


def _cell(text, style):
    return Paragraph(escape(str(text)), style)


def _amounts(requests):
    rows = [["Enveloppe", "Montant attribué"]]
    rows += [[r.envelope.funding_source.label, euros(r.amount_allocated)] for r in requests]
    rows.append(["Total", euros(sum(r.amount_allocated for r in requests))])
    return _table(rows, [12 * cm, 5 * cm], total_row=True)


def _schedule(shares, requests, style):
    agencies = [r.envelope.agency for r in requests]
    header = ["Échéance", "Part", "Prévue le", *agencies, "Total"]
    by_instalment = {}
    for share in shares:
        by_instalment.setdefault(share.instalment, {})[share.request.envelope.agency] = share.due
    rows = [header]
    for instalment, dues in by_instalment.items():
        rows.append(
            [
                _cell(instalment.label, style),
                f"{instalment.percent} %",
                instalment.due_on.strftime("%d/%m/%Y") if instalment.due_on else "—",
                *[euros(dues.get(agency, 0)) for agency in agencies],
                euros(sum(dues.values())),
            ]
        )
    amount_width = (WIDTH - 9.5 * cm) / (len(agencies) + 1)
    return _table(rows, [6 * cm, 1.5 * cm, 2 * cm] + [amount_width] * (len(agencies) + 1), numeric_from=1)


def _indicators(app, style):
    rows = [["Indicateur", "Valeur de départ", "Valeur cible", "Méthode de mesure"]]
    rows += [
        [_cell(i.name, style), _cell(i.baseline, style), _cell(i.target, style), _cell(i.method, style)]
        for i in app.indicators.all()
    ]
    if len(rows) == 1:
        rows.append(["Aucun indicateur déclaré.", "", "", ""])
    table = _table(rows, [5 * cm, 2.5 * cm, 2.5 * cm, 7 * cm])
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "LEFT")]))
    return table


def _signatures(app, parties, style):
    signing = [f"Pour {AGENCY_HEADS[party['agency']]} {app.call.region.name}" for party in parties]
    signing.append(f"Pour {app.organisation.name}, le porteur")
    cells = [Paragraph(f"{escape(who)}<br/><br/>Date et signature :", style) for who in signing]
    table = Table([cells], colWidths=[WIDTH / len(cells)] * len(cells), rowHeights=[3.5 * cm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, "#929292"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def convention_pdf(convention: Convention, shares, reporting: dict) -> bytes:
    """The convention's PDF: parties, amounts per envelope, the schedule (`shares`, from
    tpj.calls.services.conventions), the application's impact indicators, the reporting dates
    (`reporting`: interim_report_due, final_report_due) and the signature deadline."""
    app = convention.application
    call = app.call
    styles = _styles()
    cell = styles["Normal"].clone("Cell", fontSize=9, leading=11)
    requests = list(app.requests.filter(amount_allocated__gt=0).select_related("envelope__funding_source"))
    parties = []
    for request in requests:
        organisation = _agency_organisation(call, request.envelope.agency)
        parties.append(
            {
                "agency": request.envelope.agency,
                "name": organisation.name if organisation else f"{request.envelope.agency} {call.region.name}",
                "siret": organisation.siret if organisation else "",
                "envelope": request.envelope.funding_source.label,
            }
        )
    text = render_to_string(
        TEMPLATE,
        {
            "app": app,
            "call": call,
            "convention": convention,
            "agencies": parties,
            "agency_names": " et ".join(p["name"] for p in parties),
            "decided_on": timezone.localdate(app.decided_at),
            **reporting,
        },
    )
    tables = {
        "[[montants]]": lambda: _amounts(requests),
        "[[échéancier]]": lambda: _schedule(shares, requests, cell),
        "[[indicateurs]]": lambda: _indicators(app, cell),
        "[[signatures]]": lambda: _signatures(app, parties, cell),
    }
    story = [Paragraph("République française", styles["Heading4"])]
    for block in (b.strip() for b in text.split("\n\n")):
        if not block:
            continue
        if block in tables:
            story += [tables[block](), Spacer(1, 0.3 * cm)]
        elif block.startswith("## "):
            story.append(Paragraph(block[3:], styles["Heading3"]))
        elif block.startswith("# "):
            story.append(Paragraph(block[2:], styles["Title"]))
        else:
            story.append(Paragraph(block.replace("\n", " "), styles["Normal"]))
    return _pdf(story, f"Convention de subvention {app.reference}")
