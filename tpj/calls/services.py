"""Multi-step operations of the calls module.

Every function here is a unit of work: it checks the policy, validates, writes inside one
transaction and records what happened in the audit log (directly or through a workflow).
Views and the API call these functions and nothing else to change data.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Max, Min, Q, Sum
from django.utils import timezone
from stdnum.fr import siret as stdnum_siret

from tpj.accounts.models import Organisation, Role, validate_siret
from tpj.audit.services import record
from tpj.core import policy
from tpj.core.text import normalize
from tpj.nomenclatures.models import Axis, FundingSource

from .models import (
    ZERO,
    Application,
    Attachment,
    BudgetLine,
    Call,
    CallAxis,
    Campaign,
    CoFinancing,
    Criterion,
    CriterionScore,
    Envelope,
    EnvelopeRequest,
    Indicator,
    IndicatorValue,
    InformationRequest,
    IntentDeclaration,
    JuryMember,
    Partner,
    Payment,
    ScoreSheet,
    Targeting,
    agency_of,
    euros,
)
from .workflows import APPLICATION_WORKFLOW, CALL_WORKFLOW

PDF_MAX_BYTES = 10 * 1024 * 1024
AGENCY_NAMES = {"ARS": "l'ARS", "DREETS": "la DREETS"}


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def validate_pdf(upload, label="Le cahier des charges"):
    """Refuse anything that is not a PDF by its content (not its name): header and end marker."""
    if upload is None:
        return
    name = getattr(upload, "name", "fichier")
    if upload.size > PDF_MAX_BYTES:
        raise ValidationError(f"{label} dépasse 10 Mo.")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    if b"%PDF-" not in head or b"%%EOF" not in tail:
        raise ValidationError(f"{label} doit être un fichier PDF : le contenu de « {name} » n'est pas un PDF.", code="not_pdf")


# ---------------------------------------------------------------------------
# Campaign and declarations of intent
# ---------------------------------------------------------------------------


def save_campaign(campaign: Campaign, user) -> Campaign:
    """Create or update a national campaign (national team), audited with its values."""
    policy.require(user, "calls.manage_campaign")
    campaign.full_clean()
    created = campaign.pk is None
    campaign.save()
    record(
        actor=user,
        obj=campaign,
        action="calls.campaign.created" if created else "calls.campaign.updated",
        after={
            f: str(getattr(campaign, f))
            for f in [
                "year",
                "intent_deadline",
                "laureates_deadline",
                "transmission_deadline",
                "projects_start_deadline",
                "national_dotation",
                "minimum_single",
                "minimum_joint",
            ]
        },
    )
    return campaign


def current_campaign() -> Campaign | None:
    year = timezone.localdate().year
    return Campaign.objects.filter(year=year).first() or Campaign.objects.order_by("-year").first()


def declare_intent(user, campaign: Campaign, *, joint: bool, referent_name: str, referent_email: str) -> IntentDeclaration:
    """An ARS or DREETS declares it will run a call this campaign, naming its referent."""
    policy.require(user, "calls.declare_intent")
    org = user.organisation
    agency = agency_of(org)
    if IntentDeclaration.objects.filter(campaign=campaign, region_id=org.region_id, agency=agency).exists():
        raise ValidationError(f"{org} a déjà déclaré son intention pour la campagne {campaign.year}.")
    declaration = IntentDeclaration(
        campaign=campaign,
        region_id=org.region_id,
        agency=agency,
        organisation=org,
        joint=joint,
        referent_name=referent_name.strip(),
        referent_email=referent_email.strip(),
        declared_by=user,
    )
    declaration.full_clean()
    declaration.save()
    record(
        actor=user,
        obj=declaration,
        action="calls.intent.declared",
        after={"joint": joint, "referent": referent_name, "late": declaration.is_late},
    )
    return declaration


@dataclass
class DeclarationRow:
    region: object
    agency: str
    declaration: IntentDeclaration | None
    status: str  # "on_time" | "late" | "missing" | "pending"

    @property
    def status_label(self) -> str:
        return {"on_time": "Déclarée", "late": "Déclarée en retard", "missing": "Non déclarée", "pending": "Pas encore déclarée"}[
            self.status
        ]


def declaration_board(campaign: Campaign) -> list[DeclarationRow]:
    """Every (région, agency) pair of the country: declared on time, late, or not (yet)."""
    from tpj.territories.models import Region

    by_key = {(d.region_id, d.agency): d for d in campaign.declarations.select_related("organisation")}
    past_deadline = timezone.localdate() > campaign.intent_deadline
    rows = []
    for region in Region.objects.order_by("name"):
        for agency in ("ARS", "DREETS"):
            d = by_key.get((region.code, agency))
            status = ("late" if d.is_late else "on_time") if d else ("missing" if past_deadline else "pending")
            rows.append(DeclarationRow(region, agency, d, status))
    return rows


# ---------------------------------------------------------------------------
# Call definition
# ---------------------------------------------------------------------------


def create_call(user, campaign: Campaign, strand: str) -> Call:
    """Create a draft call for the manager's région, with the national defaults.

    All 6 national axes, the recommended weighted criteria, and one envelope per
    participating agency endowed with the national dotation.
    """
    policy.require(user, "calls.create_call")
    org = user.organisation
    agency = agency_of(org)
    if strand != Call.Strand.JOINT and strand != agency.lower():
        raise ValidationError({"strand": f"Votre agence ({agency}) ne peut lancer seule que le volet qui la concerne."})
    if Call.objects.filter(campaign=campaign, region_id=org.region_id, strand=strand).exists():
        raise ValidationError({"strand": "Cet appel à projets existe déjà pour cette campagne."})
    with transaction.atomic():
        call = Call.objects.create(campaign=campaign, region_id=org.region_id, strand=strand, created_by=user)
        for axis in Axis.objects.order_by("number"):
            call_axis = CallAxis.objects.create(call=call, label=axis.label, position=axis.number)
            call_axis.national_axes.add(axis)
        for position, (label, weight) in enumerate(Criterion.DEFAULTS):
            Criterion.objects.create(call=call, label=label, weight=weight, position=position)
        for a in call.agencies:
            Envelope.objects.create(
                call=call,
                agency=a,
                funding_source=FundingSource.objects.get(agency=a),
                national_dotation=campaign.national_dotation,
            )
        record(actor=user, obj=call, action="calls.call.created", to_state=call.state, after={"strand": strand})
    return call


def record_call_change(call: Call, user, what: str, after=None):
    policy.require(user, "calls.manage_call", call)
    if call.state not in (Call.State.DRAFT, Call.State.PUBLISHED):
        raise ValidationError("La définition de l'appel ne peut plus être modifiée à ce stade.")
    record(actor=user, obj=call, action=f"calls.call.{what}", after=after)


def publication_problems(call: Call) -> list[str]:
    problems = []
    axes = list(call.axes.annotate(n=Count("national_axes")))
    if not axes:
        problems.append("Retenez au moins un axe.")
    problems += [f"L'axe « {a.label} » doit se rattacher à au moins un des 6 axes nationaux." for a in axes if a.n == 0]
    if not call.criteria.exists():
        problems.append("Définissez au moins un critère de sélection.")
    if not call.applications_deadline:
        problems.append("Fixez la date limite de dépôt des candidatures.")
    elif call.applications_deadline <= timezone.now():
        problems.append("La date limite de dépôt des candidatures est déjà passée.")
    if not call.cahier_des_charges:
        problems.append("Joignez le cahier des charges (PDF).")
    if call.targeting_mode != Call.TargetingMode.NONE and not call.targeting_kinds:
        problems.append("Précisez les territoires ciblés, ou choisissez « aucun ciblage ».")
    return problems


def fire_call(call: Call, user, transition: str, reason: str = "") -> Call:
    """Fire a call transition with its checks and stamps."""

    def on_fire(locked: Call):
        now = timezone.now()
        if transition == "publish":
            if problems := publication_problems(locked):
                raise ValidationError(problems)
            locked.published_at = now
            locked.publication_date = locked.publication_date or timezone.localdate()
        elif transition == "decide_laureates":
            pending = locked.applications.filter(
                state__in=[Application.State.SUBMITTED, Application.State.INFO_REQUESTED, Application.State.ELIGIBLE]
            ).count()
            if pending:
                raise ValidationError(
                    f"{pending} candidature(s) attendent encore une décision (recevabilité, lauréat, liste d'attente ou refus)."
                )
            endowment = locked.state_endowment()
            if endowment < locked.minimum_endowment:
                kind = "un appel commun ARS-DREETS" if locked.is_joint else "un appel d'une seule agence"
                raise ValidationError(
                    f"Les lauréats ne sont dotés que de {euros(endowment)} : le minimum national est de "
                    f"{euros(locked.minimum_endowment)} pour {kind}."
                )
            locked.laureates_decided_at = now
        elif transition == "transmit":
            locked.transmitted_at = now
            locked.transmitted_late = timezone.localdate(now) > locked.campaign.transmission_deadline

    return CALL_WORKFLOW.fire(call, transition, user, reason, on_fire=on_fire)


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------


@dataclass
class ApplicationContent:
    """Everything an applicant fills in, validated as a whole by `save_application`."""

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


def _agency_refusal(call: Call, agency: str) -> str:
    if agency not in ("ARS", "DREETS"):
        return f"Enveloppe inconnue : « {agency} »."
    owner = call.agencies[0]
    return (
        f"Cet appel est porté par {AGENCY_NAMES[owner]} seule : aucune demande ni attribution n'est possible sur "
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
            errors["requests"] = _agency_refusal(call, a)
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


def create_application(user, call: Call, content: ApplicationContent, client_token=None) -> tuple[Application, bool]:
    """Create a draft for the user's organisation; a replayed token returns the first one.

    Returns (application, created).
    """
    policy.require(user, "calls.apply", call)
    if client_token:
        existing = Application.objects.filter(client_token=client_token).first()
        if existing:
            if existing.created_by_id != user.pk:
                raise ValidationError("Ce jeton de création appartient à une autre candidature.")
            return existing, False
    validate_content(call, content)
    try:
        with transaction.atomic():
            app = Application(call=call, organisation=user.organisation, created_by=user, title=content.title.strip())
            if client_token:
                app.client_token = client_token
            app.save()
            _write_content(app, content)
            record(actor=user, obj=app, action="calls.application.created", to_state=app.state)
    except IntegrityError:
        existing = Application.objects.filter(client_token=client_token).first() if client_token else None
        if existing is None:
            raise
        return existing, False
    return app, True


def update_application(app: Application, user, content: ApplicationContent) -> Application:
    """Save the draft (applicant only, draft only)."""
    policy.require(user, "calls.edit_application", app)
    validate_content(app.call, content)
    with transaction.atomic():
        _write_content(app, content)
        record(actor=user, obj=app, action="calls.application.saved")
    return app


def _write_content(app: Application, content: ApplicationContent):
    app.title = content.title.strip()
    app.description = content.description
    app.target_public = content.target_public
    app.carrier_siret = stdnum_siret.compact(content.carrier_siret or "")
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


def add_attachment(app: Application, user, label: str, upload) -> Attachment:
    policy.require(user, "calls.act_as_carrier", app)
    if app.state not in (Application.State.DRAFT, Application.State.INFO_REQUESTED):
        raise ValidationError("Les pièces jointes s'ajoutent au brouillon ou en réponse à une demande de complément.")
    attachment = Attachment.objects.create(application=app, label=label or upload.name, file=upload, uploaded_by=user)
    record(actor=user, obj=app, action="calls.application.attachment_added", after={"label": attachment.label})
    return attachment


def submission_problems(app: Application) -> list[str]:
    problems = []
    checks = {
        "Décrivez le projet.": bool(app.description.strip()),
        "Précisez le public visé.": bool(app.target_public.strip()),
        "Indiquez le SIRET de la structure porteuse.": bool(app.carrier_siret),
        "Rattachez le projet à au moins un axe.": app.call_axes.exists(),
        "Indiquez au moins un lieu d'action (commune).": app.places.exists(),
        "Détaillez le budget (au moins un poste de dépense).": app.budget_lines.exists(),
        "Indiquez le montant demandé sur au moins une enveloppe.": app.requests.filter(amount_requested__gt=0).exists(),
        "Proposez au moins un indicateur d'impact avec sa méthode de mesure.": app.indicators.exists(),
        "Indiquez le calendrier du projet (début et fin).": bool(app.start_date and app.end_date),
    }
    problems += [message for message, ok in checks.items() if not ok]
    return problems


def _deadline_label(call: Call) -> str:
    return timezone.localtime(call.applications_deadline).strftime("%d/%m/%Y à %H:%M:%S")


def submit_application(app: Application, user) -> Application:
    """Submit before the deadline (server clock, Europe/Paris); stamps a reference and sends the receipt."""

    def on_fire(locked: Application):
        now = timezone.now()
        call = Call.objects.select_for_update().get(pk=locked.call_id)
        if call.state != Call.State.PUBLISHED:
            raise ValidationError("Cet appel à projets ne reçoit plus de candidatures.")
        if call.applications_deadline and now > call.applications_deadline:
            raise ValidationError(
                f"La date limite de dépôt ({_deadline_label(call)}, heure de Paris) est dépassée : la candidature ne peut plus être déposée."
            )
        if problems := submission_problems(locked):
            raise ValidationError(problems)
        validate_content(call, content_of(locked))
        number = call.applications.exclude(reference="").count() + 1
        locked.reference = f"AAP{call.campaign.year}-{call.region_id}-{number:04d}"
        locked.submitted_at = now

    app = APPLICATION_WORKFLOW.fire(app, "submit", user, on_fire=on_fire)
    _mail(
        app.created_by.email,
        f"Accusé de réception — {app.reference}",
        f"Votre candidature « {app.title} » à l'appel « {app.call.title} » a été déposée le "
        f"{timezone.localtime(app.submitted_at):%d/%m/%Y à %H:%M:%S}.\nRéférence : {app.reference}.",
    )
    return app


def withdraw_application(app: Application, user, reason: str = "") -> Application:
    return APPLICATION_WORKFLOW.fire(app, "withdraw", user, reason)


def _mail(to: str, subject: str, body: str, attachments=()):
    message = EmailMessage(subject=f"[1000 premiers jours] {subject}", body=body, to=[to])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    transaction.on_commit(lambda: message.send(fail_silently=True))


def _fresh(app: Application) -> Application:
    """The application as stored now (callers may hold an instance from before a transition)."""
    return Application.objects.select_related("call__region", "call__campaign").get(pk=app.pk)


# ---------------------------------------------------------------------------
# Instruction
# ---------------------------------------------------------------------------


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""
    level: str = "national"


def eligibility_checks(app: Application) -> list[Check]:
    """Automatic eligibility: the national constraints, then the call's own."""
    call = app.call
    places = list(app.places.all())
    national_axes = app.national_axis_ids()
    outside = [p for p in places if p.region_id != call.region_id]
    siret_ok = True
    try:
        validate_siret(app.carrier_siret)
    except ValidationError:
        siret_ok = False
    checks = [
        Check("Rattachement à au moins un des 6 axes nationaux", bool(national_axes)),
        Check(
            f"Tous les lieux d'action sont en {call.region.name}",
            bool(places) and not outside,
            ", ".join(f"{p.name} hors région" for p in outside) or ("aucun lieu d'action" if not places else ""),
        ),
        Check(
            "Porteur doté d'un SIRET valide (convention de subvention possible)", siret_ok, app.carrier_siret or "SIRET absent"
        ),
    ]
    if call.required_axis_id:
        checks.append(Check(f"Axe exigé : {call.required_axis}", call.required_axis_id in national_axes, level="regional"))
    if call.targeting_mode == Call.TargetingMode.REQUIRED:
        checks.append(
            Check(
                "Ciblage géographique exigé", meets_targeting(app, places), ", ".join(call.targeting_labels()), level="regional"
            )
        )
    return checks


def meets_targeting(app: Application, places=None) -> bool:
    call = app.call
    places = places if places is not None else list(app.places.all())
    kinds = set(call.targeting_kinds)
    if kinds & set(app.targeting_kinds) - {Targeting.PLACES}:
        return True
    if Targeting.PLACES in kinds:
        communes = set(call.target_communes.values_list("insee_code", flat=True))
        departements = set(call.target_departements.values_list("code", flat=True))
        return any(p.insee_code in communes or p.departement_id in departements for p in places)
    return False


def set_checklist(app: Application, user, ticked: list[str]) -> Application:
    app = _fresh(app)
    policy.require(user, "calls.instruct", app)
    app.checklist = {item: item in ticked for item in app.call.checklist_items()}
    app.save(update_fields=["checklist", "updated_at"])
    record(actor=user, obj=app, action="calls.application.checklist", after=app.checklist)
    return app


def request_information(app: Application, user, question: str) -> InformationRequest:
    APPLICATION_WORKFLOW.check(app, "request_info", user)  # who and when before what
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Rédigez la demande de complément."})
    asked = {}

    def on_fire(locked: Application):
        asked["request"] = InformationRequest.objects.create(application=locked, question=question, asked_by=user)

    app = APPLICATION_WORKFLOW.fire(app, "request_info", user, question, on_fire=on_fire)
    request = asked["request"]
    _mail(
        app.created_by.email,
        f"Demande de complément — {app.reference}",
        f"Le service instructeur demande un complément pour « {app.title} » :\n\n{question}\n\nRépondez sur la plateforme.",
    )
    return request


def answer_information(app: Application, user, answer: str) -> InformationRequest:
    APPLICATION_WORKFLOW.check(app, "answer_info", user)  # who and when before what
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Rédigez votre réponse."})
    answered = {}

    def on_fire(locked: Application):
        request = locked.information_requests.filter(answered_at__isnull=True).last()
        if request is None:
            raise ValidationError("Aucune demande de complément n'attend de réponse.")
        request.answer, request.answered_by, request.answered_at = answer, user, timezone.now()
        request.save()
        answered["request"] = request

    APPLICATION_WORKFLOW.fire(app, "answer_info", user, answer, on_fire=on_fire)
    return answered["request"]


def declare_eligible(app: Application, user) -> Application:
    APPLICATION_WORKFLOW.check(app, "declare_eligible", user)  # who and when before what
    failed = [c.label for c in eligibility_checks(app) if not c.ok]
    if failed:
        raise ValidationError(["La candidature ne satisfait pas les contrôles de recevabilité :", *failed])
    return APPLICATION_WORKFLOW.fire(app, "declare_eligible", user)


def declare_ineligible(app: Application, user, reason: str) -> Application:
    def on_fire(locked):
        locked.decision_reason = reason.strip()
        locked.decided_at = timezone.now()

    return APPLICATION_WORKFLOW.fire(app, "declare_ineligible", user, reason, on_fire=on_fire)


def fire_application(app: Application, user, action: str, reason: str = "") -> Application:
    """The application transitions exposed as API actions, each through its service."""
    handlers = {
        "submit": lambda: submit_application(app, user),
        "withdraw": lambda: withdraw_application(app, user, reason),
        "request_info": lambda: request_information(app, user, reason).application,
        "answer_info": lambda: answer_information(app, user, reason).application,
        "declare_eligible": lambda: declare_eligible(app, user),
        "declare_ineligible": lambda: declare_ineligible(app, user, reason),
    }
    if action not in handlers:
        raise ValidationError(f"Action inconnue : « {action} ».")
    # Someone who may not even see the file must not learn its state from the refusal.
    policy.require(user, "calls.view_application", app)
    return handlers[action]()


# ---------------------------------------------------------------------------
# Jury
# ---------------------------------------------------------------------------


def add_jury_member(call: Call, user, member_user, kind: str) -> JuryMember:
    """Seat a partner representative (funder, operator or expert) on the call's jury."""
    policy.require(user, "calls.manage_jury", call)
    if not member_user.scope(Role.JURY_MEMBER).covers_region_wholly(call.region_id):
        raise ValidationError(
            {"member": f"{member_user.email} n'a pas le rôle de membre de jury pour la région {call.region.name}."}
        )
    if JuryMember.objects.filter(call=call, user=member_user).exists():
        raise ValidationError({"member": f"{member_user.email} siège déjà à ce jury."})
    member = JuryMember.objects.create(call=call, user=member_user, kind=kind)
    record(actor=user, obj=call, action="calls.jury.member_added", after={"member": member_user.email, "kind": kind})
    return member


def assign(call: Call, user, members=None, applications=None) -> dict:
    """Assign applications of the pool to jury members; recuse automatically where needed.

    A member whose organisation carries or partners an application gets a recused sheet
    (never a scorable one). Returns counts of created and recused sheets.
    """
    policy.require(user, "calls.manage_jury", call)
    members = list(members if members is not None else call.jury.select_related("user"))
    applications = list(
        (applications if applications is not None else call.applications.in_instruction_pool()).prefetch_related("partners")
    )
    existing = set(ScoreSheet.objects.filter(member__call=call).values_list("member_id", "application_id"))
    sheets = []
    for app in applications:
        involved = app.involved_organisation_ids()
        for member in members:
            if (member.pk, app.pk) in existing:
                continue
            recused = bool(member.user.organisation_id) and member.user.organisation_id in involved
            sheets.append(ScoreSheet(member=member, application=app, auto_recused=recused))
    ScoreSheet.objects.bulk_create(sheets)
    refresh_jury_stats({s.application_id for s in sheets})
    recused = sum(s.auto_recused for s in sheets)
    record(actor=user, obj=call, action="calls.jury.assigned", after={"sheets": len(sheets), "recused": recused})
    for s in sheets:
        if s.auto_recused:
            record(
                actor=user,
                obj=s.application,
                action="calls.jury.auto_recused",
                reason=f"{s.member.user.email} : son organisation porte ce projet ou y est partenaire.",
            )
    return {"created": len(sheets), "recused": recused}


def declare_conflict(sheet: ScoreSheet, user, *, has_conflict: bool, note: str = "") -> ScoreSheet:
    """The member states, before seeing the file, whether it has a conflict of interest."""
    policy.require(user, "calls.declare_conflict", sheet)
    if sheet.conflict_declared_at:
        raise ValidationError("Votre déclaration d'intérêts pour ce dossier est déjà enregistrée.")
    if has_conflict and not note.strip():
        raise ValidationError({"conflict_note": "Précisez la nature du conflit d'intérêts."})
    sheet.has_conflict, sheet.conflict_note, sheet.conflict_declared_at = has_conflict, note.strip(), timezone.now()
    sheet.save(update_fields=["has_conflict", "conflict_note", "conflict_declared_at"])
    refresh_jury_stats([sheet.application_id])
    record(
        actor=user,
        obj=sheet.application,
        action="calls.jury.conflict_declared" if has_conflict else "calls.jury.no_conflict",
        reason=note,
        after={"member": user.email},
    )
    return sheet


def weighted_score(criteria: list[Criterion], values: dict) -> Decimal | None:
    """Weighted score out of 20: Σ weight × value / max over the criteria not « sans objet »."""
    num, den = Decimal(0), Decimal(0)
    for c in criteria:
        value, not_applicable = values.get(c.pk, (None, False))
        if not_applicable or value is None:
            continue
        num += Decimal(c.weight) * Decimal(value) / Decimal(c.max_score)
        den += Decimal(c.weight)
    if not den:
        return None
    return (Decimal(20) * num / den).quantize(Decimal("0.01"))


def save_scores(sheet: ScoreSheet, user, values: dict, comment: str = "", submit: bool = False) -> ScoreSheet:
    """Save a member's scores (criterion id -> (value or None, sans objet)); submitting locks them."""
    with transaction.atomic():
        sheet = ScoreSheet.objects.select_for_update().select_related("application__call", "member").get(pk=sheet.pk)
        policy.require(user, "calls.score", sheet)
        criteria = list(sheet.application.call.criteria.all())
        by_id = {c.pk: c for c in criteria}
        errors = []
        for cid, (value, not_applicable) in values.items():
            criterion = by_id.get(cid)
            if criterion is None:
                errors.append("Critère inconnu pour cet appel.")
            elif not_applicable and value is not None:
                errors.append(f"« {criterion.label} » : choisissez une note ou « sans objet », pas les deux.")
            elif value is not None and not (0 <= value <= criterion.max_score):
                errors.append(f"La note du critère « {criterion.label} » doit être comprise entre 0 et {criterion.max_score}.")
        if submit:
            missing = [c.label for c in criteria if values.get(c.pk, (None, False)) == (None, False)]
            if missing:
                errors.append("Notez chaque critère (ou cochez « sans objet ») avant de valider : " + " ; ".join(missing))
            elif all(values[c.pk][1] for c in criteria):
                errors.append("Au moins un critère doit être noté.")
        if errors:
            raise ValidationError(errors)
        for cid, (value, not_applicable) in values.items():
            CriterionScore.objects.update_or_create(
                sheet=sheet, criterion_id=cid, defaults={"value": value, "not_applicable": not_applicable}
            )
        sheet.comment = comment or ""
        if submit:
            sheet.submitted_at = timezone.now()
            sheet.weighted_score = weighted_score(criteria, values)
        sheet.save()
        if submit:
            refresh_jury_stats([sheet.application_id])
        record(
            actor=user,
            obj=sheet.application,
            action="calls.jury.scores_submitted" if submit else "calls.jury.scores_saved",
            after={
                "member": user.email,
                "scores": {str(k): list(v) for k, v in values.items()},
                "weighted_score": str(sheet.weighted_score) if submit else None,
            },
        )
    return sheet


def refresh_jury_stats(application_ids) -> None:
    """Recompute the jury statistics stored on the given applications from their score sheets."""
    submitted = Q(sheets__submitted_at__isnull=False)
    active = Q(sheets__auto_recused=False, sheets__has_conflict=False)
    rows = (
        Application.objects.filter(pk__in=list(application_ids))
        .annotate(
            s_mean=Avg("sheets__weighted_score", filter=submitted),
            s_low=Min("sheets__weighted_score", filter=submitted),
            s_high=Max("sheets__weighted_score", filter=submitted),
            s_count=Count("sheets", filter=submitted),
            s_expected=Count("sheets", filter=active),
            s_recused=Count("sheets", filter=~active & Q(sheets__isnull=False)),
        )
        .values_list("pk", "s_mean", "s_low", "s_high", "s_count", "s_expected", "s_recused")
    )
    updates = []
    for pk, mean, low, high, count, expected, recused in rows:
        app = Application(
            pk=pk,
            mean_score=None if mean is None else Decimal(mean).quantize(Decimal("0.01")),
            low_score=low,
            high_score=high,
            scores_count=count,
            expected_count=expected,
            recused_count=recused,
        )
        updates.append(app)
    Application.objects.bulk_update(
        updates, ["mean_score", "low_score", "high_score", "scores_count", "expected_count", "recused_count"], batch_size=500
    )


def ranking(call: Call):
    """Applications of the pool with weighted mean, spread, count and missing scores, best first."""
    return (
        call.applications.in_instruction_pool()
        .select_related("organisation")
        .only(*RANKING_FIELDS)
        .order_by(F("mean_score").desc(nulls_last=True), "reference")
    )


RANKING_FIELDS = [
    "pk",
    "call_id",
    "reference",
    "title",
    "state",
    "decision_reason",
    "mean_score",
    "low_score",
    "high_score",
    "scores_count",
    "expected_count",
    "recused_count",
    "organisation__name",
]


def set_deliberation_notes(app: Application, user, notes: str) -> Application:
    app = _fresh(app)
    policy.require(user, "calls.instruct", app)
    app.deliberation_notes = notes
    app.save(update_fields=["deliberation_notes", "updated_at"])
    record(actor=user, obj=app, action="calls.jury.deliberation", reason=notes)
    return app


# ---------------------------------------------------------------------------
# Decisions and money
# ---------------------------------------------------------------------------

OUTCOMES = {"laureate": "select", "waiting_list": "waitlist", "rejected": "reject"}


def _allocate(app: Application, allocations: dict) -> dict:
    """Charge each amount to its envelope under a row lock, never beyond what is left or requested."""
    call = app.call
    for agency in allocations:
        if agency not in call.agencies:
            raise ValidationError({"allocations": _agency_refusal(call, agency)})
    envelopes = list(Envelope.objects.select_for_update().filter(call=call).order_by("pk"))
    requests = {r.envelope_id: r for r in EnvelopeRequest.objects.select_for_update().filter(application=app)}
    done = {}
    for envelope in envelopes:
        amount = Decimal(allocations.get(envelope.agency, 0) or 0).quantize(Decimal("0.01"))
        if amount < 0:
            raise ValidationError({"allocations": "Un montant attribué ne peut pas être négatif."})
        request = requests.get(envelope.pk)
        requested = request.amount_requested if request else ZERO
        if amount > requested:
            raise ValidationError(
                {
                    "allocations": (
                        f"Le montant attribué sur l'enveloppe {envelope.agency} ({euros(amount)}) dépasse le montant demandé "
                        f"par le porteur sur cette enveloppe ({euros(requested)})."
                    )
                }
            )
        others = (
            EnvelopeRequest.objects.filter(envelope=envelope)
            .exclude(application=app)
            .aggregate(total=Sum("amount_allocated"))["total"]
            or ZERO
        )
        if others + amount > envelope.total:
            raise ValidationError(
                {
                    "allocations": (
                        f"L'enveloppe {envelope.agency} ({euros(envelope.total)}) serait dépassée : {euros(others)} déjà attribués, "
                        f"il reste {euros(envelope.total - others)}."
                    )
                }
            )
        if request is not None:
            request.amount_allocated = amount
            request.save(update_fields=["amount_allocated"])
        envelope.allocated = others + amount
        envelope.save(update_fields=["allocated"])
        done[envelope.agency] = str(amount)
    return done


def _release(app: Application):
    _allocate(app, {})


def _require_decision_period(app: Application):
    """Decisions are taken once applications are closed and until the laureates are decided
    (a state of the call, checked by the workflow side, not by the policy)."""
    if Call.objects.filter(pk=app.call_id).values_list("state", flat=True).get() != Call.State.CLOSED:
        raise ValidationError(
            "Les décisions se prennent une fois les candidatures closes et avant l'arrêt de la liste des lauréats."
        )


def decide(app: Application, user, outcome: str, reason: str, allocations: dict | None = None) -> Application:
    """Laureate (with an amount per envelope), waiting list or rejected — each with a reason.

    Safe under concurrent managers: the envelope rows are locked and re-summed, and the
    database CHECK constraints refuse any over-allocation that would slip through.
    """
    policy.require(user, "calls.decide", app)  # who before what: every outcome is the same rule
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Décision inconnue : lauréat, liste d'attente ou non retenu."})
    APPLICATION_WORKFLOW.check(app, OUTCOMES[outcome], user)
    _require_decision_period(app)
    allocations = {k: v for k, v in (allocations or {}).items() if v not in (None, "")}
    if outcome == "laureate" and not any(Decimal(v) > 0 for v in allocations.values()):
        raise ValidationError({"allocations": "Indiquez le montant attribué sur au moins une enveloppe."})

    def on_fire(locked: Application):
        _require_decision_period(locked)
        locked.decision_reason = reason.strip()
        locked.decided_at = timezone.now()
        charged = _allocate(locked, allocations if outcome == "laureate" else {})
        record(actor=user, obj=locked, action="calls.decision.allocation", after=charged)

    try:
        # (the transition's own savepoint is rolled back on the IntegrityError: the
        # connection stays usable)
        return APPLICATION_WORKFLOW.fire(app, OUTCOMES[outcome], user, reason, on_fire=on_fire)
    except IntegrityError:
        raise ValidationError(
            {"allocations": "L'enveloppe serait dépassée : une autre attribution vient d'être enregistrée. Rechargez la page."}
        ) from None


def reopen_decision(app: Application, user, reason: str) -> Application:
    def on_fire(locked):
        _require_decision_period(locked)
        _release(locked)
        locked.decision_reason = ""
        locked.decided_at = None
        locked.notified_at = None

    return APPLICATION_WORKFLOW.fire(app, "reopen", user, reason, on_fire=on_fire)


def notify_decisions(call: Call, user) -> int:
    """Send each decided applicant its decision letter (PDF attached); returns how many were sent."""
    from .letters import decision_letter_pdf

    policy.require(user, "calls.manage_call", call)
    call.refresh_from_db(fields=["state"])
    if call.state not in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED):
        raise ValidationError("Les décisions se notifient une fois la liste des lauréats arrêtée.")
    sent = 0
    for app in call.applications.filter(state__in=Application.DECIDED_STATES, notified_at__isnull=True).select_related(
        "created_by", "call"
    ):
        pdf = decision_letter_pdf(app)
        _mail(
            app.created_by.email,
            f"Décision — {app.reference}",
            f"Veuillez trouver ci-joint la décision relative à votre candidature « {app.title} ».",
            attachments=[(f"decision-{app.reference}.pdf", pdf, "application/pdf")],
        )
        app.notified_at = timezone.now()
        app.save(update_fields=["notified_at", "updated_at"])
        record(actor=user, obj=app, action="calls.decision.notified")
        sent += 1
    return sent


def record_convention(app: Application, user, signed_on: datetime.date) -> Application:
    app = _fresh(app)
    policy.require(user, "calls.instruct", app)
    if app.state != Application.State.LAUREATE:
        raise ValidationError("Seul un projet lauréat fait l'objet d'une convention.")
    app.convention_signed_on = signed_on
    app.save(update_fields=["convention_signed_on", "updated_at"])
    record(actor=user, obj=app, action="calls.convention.signed", after={"signed_on": signed_on.isoformat()})
    return app


def record_payment(request: EnvelopeRequest, user, amount: Decimal, paid_on: datetime.date, label: str = "") -> Payment:
    app = Application.objects.select_related("call").get(pk=request.application_id)
    policy.require(user, "calls.instruct", app)
    if app.state != Application.State.LAUREATE:
        raise ValidationError("Seul un projet lauréat reçoit des versements.")
    with transaction.atomic():
        request = EnvelopeRequest.objects.select_for_update().get(pk=request.pk)
        paid = request.payments.aggregate(total=Sum("amount"))["total"] or ZERO
        if amount <= 0:
            raise ValidationError({"amount": "Le montant versé doit être positif."})
        if paid + amount > request.amount_allocated:
            raise ValidationError(
                {
                    "amount": f"Les versements ({euros(paid + amount)}) dépasseraient le montant attribué sur l'enveloppe {request.envelope.agency} ({euros(request.amount_allocated)})."
                }
            )
        payment = Payment.objects.create(request=request, amount=amount, paid_on=paid_on, label=label, recorded_by=user)
        record(
            actor=user,
            obj=app,
            action="calls.payment.recorded",
            after={"agency": request.envelope.agency, "amount": str(amount), "paid_on": paid_on.isoformat()},
        )
    return payment


def transmit(call: Call, user) -> Call:
    return fire_call(call, user, "transmit")


# ---------------------------------------------------------------------------
# Follow-up
# ---------------------------------------------------------------------------


def record_start(app: Application, user, started_on: datetime.date) -> Application:
    app = _fresh(app)
    policy.require(user, "calls.follow_up", app)
    app.project_started_on = started_on
    app.save(update_fields=["project_started_on", "updated_at"])
    record(actor=user, obj=app, action="calls.followup.started", after={"started_on": started_on.isoformat()})
    return app


def add_indicator_value(indicator: Indicator, user, measured_on, value: str, comment: str = "") -> IndicatorValue:
    policy.require(user, "calls.follow_up", _fresh(indicator.application))
    item = IndicatorValue.objects.create(
        indicator=indicator, measured_on=measured_on, value=value, comment=comment, recorded_by=user
    )
    record(
        actor=user,
        obj=indicator.application,
        action="calls.followup.indicator",
        after={"indicator": indicator.name, "measured_on": measured_on.isoformat(), "value": value},
    )
    return item


def record_evaluation(app: Application, user, evaluation: str, could_become_permanent: bool | None) -> Application:
    app = _fresh(app)
    policy.require(user, "calls.follow_up", app)
    if not evaluation.strip():
        raise ValidationError({"final_evaluation": "Rédigez l'évaluation finale."})
    app.final_evaluation, app.could_become_permanent = evaluation.strip(), could_become_permanent
    app.save(update_fields=["final_evaluation", "could_become_permanent", "updated_at"])
    record(actor=user, obj=app, action="calls.followup.evaluation", after={"could_become_permanent": could_become_permanent})
    return app
