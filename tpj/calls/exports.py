"""Exports of a call: laureates (CSV / XLSX), SCDL « subventions » 2.1.1, full history; of an
application: its exchanges with the instructing service."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone

from tpj.accounts.models import Organisation
from tpj.audit.exports import audit_csv_response
from tpj.audit.models import AuditEvent
from tpj.conversations.services import export_table
from tpj.core.exports import CSV_CONTENT_TYPE, attachment, csv_lines, csv_response, xlsx_response

from .models import Agency, Application, Call, ScoreSheet
from .services.questions import AnswerColumns

LAUREATE_HEADER = [
    "référence",
    "appel",
    "région",
    "année",
    "structure porteuse",
    "SIRET",
    "projet",
    "axes",
    "lieux d'action",
    "budget total (€)",
    "co-financements (€)",
    # then « attribué ARS (€) », « attribué DREETS (€) »… one per agency charged by the exported
    # calls (agency_columns), in Agency order
    "total attribué (€)",
    "convention signée le",
    "démarré le",
]

SCDL_FIELDS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]


def laureates_of(calls):
    return (
        Application.objects.filter(call__in=calls, state=Application.State.LAUREATE)
        .select_related("call__region", "call__campaign", "organisation")
        .prefetch_related("call_axes__national_axes", "places", "cofinancings", "requests__envelope", "answers")
        .order_by("call__region__name", "reference")
    )


def agency_columns(calls) -> list[str]:
    """The agencies whose envelopes the exported calls charge, in Agency order: ARS and DREETS
    for the 1000-jours calls, the commissaire (CLP) for a territorial training call."""
    charged = {agency for call in calls for agency in call.agencies}
    return [agency for agency in Agency.values if agency in charged]


def laureate_header(calls, columns: AnswerColumns) -> list[str]:
    at = LAUREATE_HEADER.index("total attribué (€)")
    agencies = [f"attribué {agency} (€)" for agency in agency_columns(calls)]
    return LAUREATE_HEADER[:at] + agencies + LAUREATE_HEADER[at:] + columns.header


def laureate_rows(calls, columns: AnswerColumns):
    agencies = agency_columns(calls)
    for app in laureates_of(calls):
        by_agency = {r.envelope.agency: r.amount_allocated for r in app.requests.all()}
        axes = sorted({a.number for ca in app.call_axes.all() for a in ca.national_axes.all()})
        yield [
            app.reference,
            app.call.title,
            app.call.region.name,
            app.call.campaign.year,
            app.organisation.name,
            app.carrier_siret,
            app.title,
            ", ".join(f"Axe {n}" for n in axes),
            ", ".join(p.name for p in app.places.all()),
            app.budget_total,
            app.cofinancing_total(),
            *(by_agency.get(agency, "") for agency in agencies),
            app.allocated_total(),
            app.convention_signed_on.isoformat() if app.convention_signed_on else "",
            app.project_started_on.isoformat() if app.project_started_on else "",
            *columns.cells(app),
        ]


def laureates_csv(calls, filename="laureats.csv") -> HttpResponse:
    """The laureates of `calls` for a spreadsheet (decimal comma), built in memory: a campaign
    has a few hundred at most."""
    calls, columns = list(calls), AnswerColumns(calls)
    return csv_response(
        filename, laureate_header(calls, columns), laureate_rows(calls, columns), decimal_comma=True, streaming=False
    )


def laureates_xlsx(calls, filename="laureats.xlsx") -> HttpResponse:
    calls, columns = list(calls), AnswerColumns(calls)
    return xlsx_response(filename, laureate_header(calls, columns), laureate_rows(calls, columns), title="Lauréats")


def _agency_organisation(call: Call, agency: str):
    """Who attributes the envelope of `agency`: the région's ARS or DREETS; for the commissaire's
    envelope (a territorial training call), the organisation of the call's author (the préfecture
    de région where the commissaire sits)."""
    if agency == Agency.CLP:
        org = call.created_by.organisation
        return org if org is not None and org.siret else None
    return Organisation.objects.filter(kind=agency.lower(), region_id=call.region_id).exclude(siret="").first()


def _as_date(value) -> datetime.date | None:
    """A date, or the Paris date of an aware datetime (None stays None)."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def _convention_date(app: Application, call: Call) -> datetime.date | None:
    """SCDL `dateConvention` (required): the convention, else the application's decision, else the
    decision on the call's laureates, else the transmission of the list (all real dates of the award)."""
    for value in (app.convention_signed_on, app.decided_at, call.laureates_decided_at, call.transmitted_at):
        if value:
            return _as_date(value)
    return None


def _payment_period(app: Application, decided: datetime.date) -> str:
    """SCDL `datesPeriodeVersement` (required, `AAAA-MM-JJ` or `AAAA-MM-JJ/AAAA-MM-JJ`): the project's
    dates, the convention/decision date standing in for an unknown start; one date when no later end."""
    start = app.start_date or app.project_started_on or decided
    end = app.end_date
    return f"{start.isoformat()}/{end.isoformat()}" if end and end > start else start.isoformat()


def scdl_rows(call: Call):
    """One row per (laureate, envelope actually charged): each agency is the attributor of its own money.

    A laureate without any date of award (no convention, no decision date on the application nor on
    the call, list not transmitted) is left out: `dateConvention` is required and must be a real date.
    """
    attributors = {a: _agency_organisation(call, a) for a in call.agencies}
    for app in laureates_of([call]):
        decided = _convention_date(app, call)
        if decided is None:
            continue
        period = _payment_period(app, decided)
        for request in app.requests.all():
            org = attributors.get(request.envelope.agency)
            if not request.amount_allocated or org is None or not app.carrier_siret:
                continue
            share = Decimal(1)
            if app.budget_total:
                share = min(max(request.amount_allocated / app.budget_total, Decimal("0.01")), Decimal(1))
            yield {
                "nomAttribuant": org.name,
                "idAttribuant": org.siret,
                "dateConvention": decided.isoformat(),
                "referenceDecision": app.reference,
                "nomBeneficiaire": app.organisation.name,
                "idBeneficiaire": app.carrier_siret,
                "rnaBeneficiaire": "",
                "objet": app.title[:256],
                "montant": f"{request.amount_allocated:.2f}",
                "nature": "aide en numéraire",
                "conditionsVersement": "unique",
                "datesPeriodeVersement": period,
                "idRAE": "",
                "notificationUE": "non",
                "pourcentageSubvention": str(share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)),
                "dispositifAide": f"AAP {call.definition.badge} {call.campaign.year} — {request.envelope.funding_source.label}"[
                    :256
                ],
            }


def scdl_csv_text(call: Call) -> str:
    """The SCDL file of `call`: « , », Unix line endings, no BOM, as the schema's validator expects."""
    rows = ([row[name] for name in SCDL_FIELDS] for row in scdl_rows(call))
    return "".join(csv_lines(SCDL_FIELDS, rows, delimiter=",", bom=False, lineterminator="\n"))


def scdl_csv(call: Call) -> HttpResponse:
    return attachment(
        HttpResponse(scdl_csv_text(call), content_type=CSV_CONTENT_TYPE),
        f"subventions-aap-{call.campaign.year}-{call.region_id}.csv",
    )


def call_history(call: Call):
    """Every audit event of the call, its applications and their jury sheets."""
    app_ids = [str(pk) for pk in call.applications.values_list("pk", flat=True)]
    sheet_ids = [str(pk) for pk in ScoreSheet.objects.filter(application__call=call).values_list("pk", flat=True)]
    ct = ContentType.objects.get_for_models(Call, Application, ScoreSheet)
    return AuditEvent.objects.filter(
        Q(content_type=ct[Call], object_id=str(call.pk))
        | Q(content_type=ct[Application], object_id__in=app_ids)
        | Q(content_type=ct[ScoreSheet], object_id__in=sheet_ids)
    ).order_by("created_at", "id")


def call_history_csv(call: Call):
    return audit_csv_response(call_history(call), filename=f"historique-aap-{call.pk}.csv")


def application_messages_csv(app: Application, side: str) -> HttpResponse:
    """The application's exchanges with the instructing service, one line per message (its
    attachments named), as `side` reads them: the applicant's file holds no internal note."""
    header, rows = export_table("calls.application", app, side)
    return csv_response(f"echanges-{app.reference or app.pk}.csv", header, rows, streaming=False)
