"""A call's definition and lifecycle: creation with the national defaults, changes, transitions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.nomenclatures.models import Axis, FundingSource

from ..models import (
    Application,
    Call,
    CallAxis,
    Campaign,
    Criterion,
    Envelope,
    agency_of,
    euros,
)
from ..workflows import CALL_WORKFLOW


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


def transmit(call: Call, user) -> Call:
    return fire_call(call, user, "transmit")
