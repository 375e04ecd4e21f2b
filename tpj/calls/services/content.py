"""What an applicant fills in (`ApplicationContent`), its validation against the call, and its storage."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from stdnum.fr import siret as stdnum_siret

from tpj.accounts.models import Organisation, validate_siret
from tpj.core.text import normalize

from ..models import (
    ZERO,
    Application,
    BudgetLine,
    Call,
    CoFinancing,
    EnvelopeRequest,
    Indicator,
    Partner,
    Targeting,
    euros,
)
from .carrier import record_carrier_identity

AGENCY_NAMES = {"ARS": "l'ARS", "DREETS": "la DREETS", "CLP": "le commissaire à la lutte contre la pauvreté"}


@dataclass
class ApplicationContent:
    """Everything an applicant fills in, validated as a whole by `validate_content`."""

    title: str
    description: str = ""
    target_public: str = ""
    carrier_siret: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    call_axes: list = field(default_factory=list)
    places: list = field(default_factory=list)  # Commune objects
    targeting_kinds: list = field(default_factory=list)
    partners: list = field(default_factory=list)  # dicts: name, siret, role
    budget_lines: list = field(default_factory=list)  # dicts: label, amount
    cofinancings: list = field(default_factory=list)  # dicts: source (FundingSource), amount, secured
    requests: dict = field(default_factory=dict)  # agency -> amount
    indicators: list = field(default_factory=list)  # dicts: name, baseline, target, method

    @classmethod
    def from_cleaned_data(cls, data: dict, **parts) -> "ApplicationContent":
        """The plain answers from a form's or a serializer's cleaned data, plus the `parts`
        (places, partners, budget…) that each of them builds its own way."""
        return cls(**{name: data[name] for name in PLAIN_ANSWERS}, **parts)


# The answers a form and the API take as they are.
PLAIN_ANSWERS = ("title", "description", "target_public", "carrier_siret", "start_date", "end_date")


def agency_refusal(call: Call, agency: str) -> str:
    if agency not in AGENCY_NAMES:
        return f"Enveloppe inconnue : « {agency} »."
    owner = call.agencies[0]
    return (
        f"Cet appel est porté par {AGENCY_NAMES[owner]} {'seul' if owner == 'CLP' else 'seule'} : aucune demande ni "
        "attribution n'est possible sur "
        f"l'enveloppe {agency}, les enveloppes n'étant pas fongibles."
    )


def validate_content(call: Call, content: ApplicationContent) -> None:
    """Check an application's content against the call; raise one French message per field."""
    errors = {}
    if not (content.title or "").strip():
        errors["title"] = "Donnez un intitulé au projet."
    if content.carrier_siret:
        try:
            validate_siret(content.carrier_siret)
        except ValidationError as e:
            errors["carrier_siret"] = e.messages[0]
    outside = [c for c in content.places if c.region_id != call.region_id]
    if outside:
        names = ", ".join(f"{c.name} ({c.departement_id})" for c in outside)
        errors["places"] = (
            f"Lieu(x) d'action hors de la région de l'appel : {names}. Cet appel ne finance que des projets "
            f"dont tous les lieux d'action sont en {call.region.name} (pas de projet extrarégional)."
        )
    bad_axes = [a for a in content.call_axes if a.call_id != call.pk]
    if bad_axes:
        errors["call_axes"] = "Choisissez les axes parmi ceux de cet appel."
    for a in content.requests:
        if a not in call.agencies:
            errors["requests"] = agency_refusal(call, a)
    amounts = [Decimal(x) for x in content.requests.values()]
    if any(x < 0 for x in amounts):
        errors["requests"] = "Un montant demandé ne peut pas être négatif."
    lines_total = sum((Decimal(line["amount"]) for line in content.budget_lines), ZERO)
    if any(Decimal(line["amount"]) < 0 for line in content.budget_lines):
        errors["budget_lines"] = "Un poste de dépense ne peut pas être négatif."
    cofinancing_total = sum((Decimal(c["amount"]) for c in content.cofinancings), ZERO)
    if any(Decimal(c["amount"]) < 0 for c in content.cofinancings):
        errors["cofinancings"] = "Un co-financement ne peut pas être négatif."
    elif any(c["source"].agency for c in content.cofinancings):
        errors["cofinancings"] = (
            "Les crédits de l'ARS et de la DREETS se demandent sur les enveloppes de l'appel, pas en co-financement."
        )
    elif cofinancing_total > lines_total:
        errors["cofinancings"] = (
            f"Le total des co-financements ({euros(cofinancing_total)}) dépasse le budget total du projet ({euros(lines_total)})."
        )
    elif cofinancing_total + sum(amounts, ZERO) > lines_total:
        errors["requests"] = (
            f"Les montants demandés ({euros(sum(amounts, ZERO))}) et les co-financements ({euros(cofinancing_total)}) "
            f"dépassent ensemble le budget total du projet ({euros(lines_total)})."
        )
    if content.start_date and content.end_date and content.end_date < content.start_date:
        errors["end_date"] = "La fin du projet précède son début."
    unknown = set(content.targeting_kinds) - set(Targeting.values)
    if unknown:
        errors["targeting_kinds"] = "Territoire prioritaire inconnu."
    if errors:
        raise ValidationError(errors)


def _resolve_partner_organisation(partner: dict):
    siret = stdnum_siret.compact(partner.get("siret") or "")
    if siret:
        org = Organisation.objects.filter(siret=siret).first()
        if org:
            return org
    needle = normalize(partner.get("name", ""))
    if not needle:
        return None
    return next((o for o in Organisation.objects.filter(name__iexact=partner["name"].strip())), None) or next(
        (o for o in Organisation.objects.only("id", "name") if normalize(o.name) == needle), None
    )


def write_content(app: Application, content: ApplicationContent, sirene=None):
    """Store `content` on `app`; `sirene`: the register's answer for its carrier SIRET, when read
    before (services.carrier.lookup_before_saving)."""
    app.title = content.title.strip()
    app.description = content.description
    app.target_public = content.target_public
    previous_siret = app.carrier_siret
    app.carrier_siret = stdnum_siret.compact(content.carrier_siret or "")
    record_carrier_identity(app, previous_siret=previous_siret, answer=sirene)  # the Sirene identity, kept with the SIRET
    app.start_date, app.end_date = content.start_date, content.end_date
    app.targeting_kinds = list(content.targeting_kinds)
    app.budget_total = sum((Decimal(line["amount"]) for line in content.budget_lines), ZERO)
    app.save()
    app.call_axes.set(content.call_axes)
    app.places.set(content.places)
    app.partners.all().delete()
    Partner.objects.bulk_create(
        [
            Partner(
                application=app,
                name=p["name"],
                siret=stdnum_siret.compact(p.get("siret") or ""),
                role=p.get("role", ""),
                organisation=_resolve_partner_organisation(p),
            )
            for p in content.partners
            if p.get("name")
        ]
    )
    app.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        [BudgetLine(application=app, label=b["label"], amount=b["amount"]) for b in content.budget_lines]
    )
    app.cofinancings.all().delete()
    CoFinancing.objects.bulk_create(
        [
            CoFinancing(application=app, source=c["source"], amount=c["amount"], secured=c.get("secured", False))
            for c in content.cofinancings
        ]
    )
    envelopes = {e.agency: e for e in app.call.envelopes.all()}
    app.requests.all().delete()
    EnvelopeRequest.objects.bulk_create(
        [
            EnvelopeRequest(application=app, envelope=envelopes[a], amount_requested=amount)
            for a, amount in content.requests.items()
        ]
    )
    app.indicators.all().delete()
    Indicator.objects.bulk_create([Indicator(application=app, **i) for i in content.indicators if i.get("name")])


def content_of(app: Application) -> ApplicationContent:
    """The current content of an application (to prefill the form)."""
    return ApplicationContent(
        title=app.title,
        description=app.description,
        target_public=app.target_public,
        carrier_siret=app.carrier_siret,
        start_date=app.start_date,
        end_date=app.end_date,
        call_axes=list(app.call_axes.all()),
        places=list(app.places.all()),
        targeting_kinds=list(app.targeting_kinds),
        partners=[{"name": p.name, "siret": p.siret, "role": p.role} for p in app.partners.all()],
        budget_lines=[{"label": b.label, "amount": b.amount} for b in app.budget_lines.all()],
        cofinancings=[
            {"source": c.source, "amount": c.amount, "secured": c.secured} for c in app.cofinancings.select_related("source")
        ],
        requests={r.envelope.agency: r.amount_requested for r in app.requests.select_related("envelope")},
        indicators=[
            {"name": i.name, "baseline": i.baseline, "target": i.target, "method": i.method} for i in app.indicators.all()
        ],
    )
