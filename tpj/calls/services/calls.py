"""A call's definition and lifecycle: creation with the national defaults, changes, transitions."""

from django.core.exceptions import ValidationError
from django.db import transaction

from tpj.audit.services import record
from tpj.core import policy
from tpj.nomenclatures.models import Axis, FundingSource

from ..models import (
    Call,
    CallAxis,
    Campaign,
    Criterion,
    Envelope,
    agency_of,
)
from ..workflows import CALL_WORKFLOW
from . import checks


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
    """Audit a change of the call's definition (managers of the call, while it may still change)."""
    policy.require(user, "calls.manage_call", call)
    if problems := checks.definition_problems(call):
        raise ValidationError(problems)
    record(actor=user, obj=call, action=f"calls.call.{what}", after=after)


def fire_call(call: Call, user, transition: str, reason: str = "") -> Call:
    """Fire a call transition; its guards and stamps are declared with it (workflows.py)."""
    return CALL_WORKFLOW.fire(call, transition, user, reason)


def transmit(call: Call, user) -> Call:
    """Transmit the laureate list to the national team (stamped late after the national deadline)."""
    return fire_call(call, user, "transmit")
