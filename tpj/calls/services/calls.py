"""A call's definition and lifecycle: creation with the national defaults, changes, transitions."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.errors import Conflict
from tpj.nomenclatures.models import FundingSource

from ..models import (
    Call,
    CallAxis,
    Campaign,
    Criterion,
    Envelope,
    agency_of,
    euros,
)
from ..models.kinds import KIND_OF_STRAND, KINDS
from ..workflows import CALL_WORKFLOW
from . import checks
from .campaigns import call_declaration, missing_declaration_message


def create_call(user, campaign: Campaign, strand: str, region_id: str | None = None) -> Call:
    """Create a draft call for the manager's région, with the national defaults.

    The strand says the call's kind (models/kinds.py), whose rules apply: one axis per item of
    its national list (the 6 axes, or the 7 training themes), the recommended weighted
    criteria, and one envelope per participating agency, endowed with the national dotation
    when the kind has one (a territorial training call's envelope starts empty: the commissaire
    sets its amount). `region_id` is for the national team creating a territorial call; a
    manager's call is in its own région.

    The campaign's row is locked while the rules are checked and the call is written, so
    that simultaneous creations are decided one after the other: only an open campaign takes
    a call, one call per (campaign, région, strand), and an agency's national dotation is
    given once per campaign — an agency already in the joint call cannot run its own call
    too, nor the reverse. The database holds the same rules (`one_call_per_strand_region_year`,
    `one_dotation_per_agency_and_campaign`, trigger `calls_campaign_open_guard`); a violation
    that would still reach it is a `Conflict` (409), never a 500.

    The call rests on its agency's declaration of intent for the campaign (for a joint call,
    either agency's): without one, creation is refused and says to declare first — after the
    national deadline the declaration is still taken, and recorded late (`declare_intent`) —
    for the kinds that require one (not a territorial training call).
    """
    kind = KIND_OF_STRAND.get(strand)
    if kind is None:
        raise ValidationError({"strand": "Choisissez un volet proposé."})
    definition = KINDS[kind]
    org = user.organisation
    own = getattr(org, "region_id", None)
    region_id = own if definition.agency_bound else (region_id or _own_region(user, definition.manager_role))
    # The policy decides on the call to be (its kind, its région): for a 1000-jours call, a call
    # manager of an ARS or a DREETS; for a territorial training call, whoever would manage it.
    policy.require(user, "calls.create_call", Call(kind=kind, strand=strand, region_id=region_id, campaign=campaign))
    if definition.agency_bound:
        agency = agency_of(org)
        if strand != Call.Strand.JOINT and strand != agency.lower():
            raise ValidationError({"strand": f"Votre agence ({agency}) ne peut lancer seule que le volet qui la concerne."})
    elif not region_id:
        raise ValidationError({"region": "Choisissez la région de l'appel."})
    try:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if not campaign.accepts_calls:
                raise ValidationError({"campaign": campaign.closed_message()})
            if Call.objects.filter(campaign=campaign, region_id=region_id, strand=strand).exists():
                raise Conflict(f"Cet appel à projets existe déjà pour la campagne {campaign.year}.")
            if taken := dotations_taken(campaign, region_id, Call.AGENCIES[strand]):
                raise Conflict(taken)
            if definition.requires_intent_declaration and call_declaration(campaign, region_id, Call.AGENCIES[strand]) is None:
                raise ValidationError({"campaign": missing_declaration_message(campaign)})
            call = Call.objects.create(campaign=campaign, region_id=region_id, kind=kind, strand=strand, created_by=user)
            reference = definition.reference  # the axes offered: one per item of the kind's national list
            for item in reference.items():
                call_axis = CallAxis.objects.create(call=call, label=item.label, position=item.number)
                getattr(call_axis, reference.field).add(item)
            for position, (label, weight) in enumerate(Criterion.DEFAULTS):
                Criterion.objects.create(call=call, label=label, weight=weight, position=position)
            for a in call.agencies:
                Envelope.objects.create(
                    call=call,
                    campaign=campaign,
                    region_id=region_id,
                    agency=a,
                    funding_source=FundingSource.objects.get(slug=definition.funding_source)
                    if definition.funding_source
                    else FundingSource.objects.get(agency=a),
                    national_dotation=campaign.national_dotation if definition.national_dotation else 0,
                )
            record(
                actor=user,
                obj=call,
                action="calls.call.created",
                to_state=call.state,
                after={"strand": strand, "kind": kind},
            )
    except IntegrityError:
        raise Conflict(
            f"Un appel de cette campagne vient d'être créé pour votre région ou la campagne {campaign.year} "
            "n'est plus ouverte : rechargez la page."
        ) from None
    return call


def _own_region(user, role) -> str | None:
    """The région of the user's scope for `role` when it is one région (else its organisation's)."""
    scope = user.scope(role)
    if len(scope.regions) == 1 and not scope.national:
        return next(iter(scope.regions))
    return None if scope.national else getattr(user.organisation, "region_id", None)


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
