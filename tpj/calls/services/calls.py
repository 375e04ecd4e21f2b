"""A call's definition and lifecycle: creation with the national defaults, changes, transitions."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.errors import Conflict
from tpj.nomenclatures.models import Axis, FundingSource

from ..models import (
    Call,
    CallAxis,
    Campaign,
    Criterion,
    Envelope,
    agency_of,
    euros,
)
from ..workflows import CALL_WORKFLOW
from . import checks


def create_call(user, campaign: Campaign, strand: str) -> Call:
    """Create a draft call for the manager's région, with the national defaults.

    All 6 national axes, the recommended weighted criteria, and one envelope per
    participating agency endowed with the national dotation.

    The campaign's row is locked while the rules are checked and the call is written, so
    that simultaneous creations are decided one after the other: only an open campaign takes
    a call, one call per (campaign, région, strand), and an agency's national dotation is
    given once per campaign — an agency already in the joint call cannot run its own call
    too, nor the reverse. The database holds the same rules (`one_call_per_strand_region_year`,
    `one_dotation_per_agency_and_campaign`, trigger `calls_campaign_open_guard`); a violation
    that would still reach it is a `Conflict` (409), never a 500.
    """
    policy.require(user, "calls.create_call")
    org = user.organisation
    agency = agency_of(org)
    if strand != Call.Strand.JOINT and strand != agency.lower():
        raise ValidationError({"strand": f"Votre agence ({agency}) ne peut lancer seule que le volet qui la concerne."})
    try:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if not campaign.accepts_calls:
                raise ValidationError({"campaign": campaign.closed_message()})
            if Call.objects.filter(campaign=campaign, region_id=org.region_id, strand=strand).exists():
                raise Conflict(f"Cet appel à projets existe déjà pour la campagne {campaign.year}.")
            if taken := dotations_taken(campaign, org.region_id, Call.AGENCIES[strand]):
                raise Conflict(taken)
            call = Call.objects.create(campaign=campaign, region_id=org.region_id, strand=strand, created_by=user)
            for axis in Axis.objects.order_by("number"):
                call_axis = CallAxis.objects.create(call=call, label=axis.label, position=axis.number)
                call_axis.national_axes.add(axis)
            for position, (label, weight) in enumerate(Criterion.DEFAULTS):
                Criterion.objects.create(call=call, label=label, weight=weight, position=position)
            for a in call.agencies:
                Envelope.objects.create(
                    call=call,
                    campaign=campaign,
                    region_id=org.region_id,
                    agency=a,
                    funding_source=FundingSource.objects.get(agency=a),
                    national_dotation=campaign.national_dotation,
                )
            record(actor=user, obj=call, action="calls.call.created", to_state=call.state, after={"strand": strand})
    except IntegrityError:
        raise Conflict(
            f"Un appel de cette campagne vient d'être créé pour votre région ou la campagne {campaign.year} "
            "n'est plus ouverte : rechargez la page."
        ) from None
    return call


def dotations_taken(campaign: Campaign, region_id, agencies) -> str:
    """Why the agencies' national dotation of this campaign is already given to a call ("" when it is not)."""
    taken = (
        Envelope.objects.filter(campaign=campaign, region_id=region_id, agency__in=agencies)
        .select_related("call")
        .order_by("agency")
        .first()
    )
    if taken is None:
        return ""
    return (
        f"La {taken.agency} de votre région prend déjà part à l'appel « {taken.call.title} » de la campagne "
        f"{campaign.year} : sa dotation nationale ({euros(taken.national_dotation)}) y est engagée, elle ne peut "
        "financer un second appel de la même campagne."
    )


def record_call_change(call: Call, user, what: str, after=None) -> Call:
    """Audit a change of the call's definition (managers of the call, while it may still change).

    Locks the call's row until the caller's transaction ends (the pages and the API save the
    change in the same transaction): a transition fired at the same time (closing the
    applications) waits for the change, or the change is refused once the call moved on.
    Returns the locked call.
    """
    policy.require(user, "calls.manage_call", call)
    with transaction.atomic():
        locked = lock_definition(call)
        if problems := checks.definition_problems(locked):
            raise ValidationError(problems)
        record(actor=user, obj=locked, action=f"calls.call.{what}", after=after)
    return locked


def lock_definition(call: Call) -> Call:
    """The call as stored now, its row and its envelopes' rows locked until the transaction ends.

    A change of the definition is validated and saved on these rows: a transition or a
    decision (which locks the envelopes to charge them) waits for it, and the change never
    writes back a state, a stamp or an allocated total read before them.
    """
    locked = Call.objects.select_for_update(of=("self",)).select_related("region", "campaign", "required_axis").get(pk=call.pk)
    list(Envelope.objects.select_for_update().filter(call=locked).order_by("pk"))
    return locked


def fire_call(call: Call, user, transition: str, reason: str = "") -> Call:
    """Fire a call transition; its guards and stamps are declared with it (workflows.py)."""
    return CALL_WORKFLOW.fire(call, transition, user, reason)


def transmit(call: Call, user) -> Call:
    """Transmit the laureate list to the national team (stamped late after the national deadline)."""
    return fire_call(call, user, "transmit")
