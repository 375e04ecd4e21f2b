"""The claim of an entry by a professional, declared as data (issue 17 §5, services/claims.py).

A claim is created and submitted in one transaction (the moderators of the entry's territory
are told); one of them confirms it, the claimant becomes a member, or refuses it with a
reason; the claimant is told either way. Until then the claimant may withdraw it (and ask
again later).
"""

from enum import StrEnum

from django.urls import reverse
from django.utils import timezone

from tpj.audit.services import record
from tpj.core.workflow import Transition, Workflow
from tpj.notifications.recipients import NOBODY, Recipients

from .models import ClaimState
from .recipients import moderators_covering


class ClaimMove(StrEnum):
    SUBMIT = "submit"
    CONFIRM = "confirm"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


def moderators_of(claim):
    """The territorial moderators of the claimed entry (a member among them is left out by "registry.decide_claim")."""
    return moderators_covering(region=claim.entry.region_id, departement=claim.entry.departement_id)


def claimant_of(claim):
    return [claim.claimant]


def _claim_url(claim) -> str:
    return reverse("registry:claim", args=[claim.pk])


def _entry_url(claim) -> str:
    return reverse("registry:entry", args=[claim.entry_id])


def _stamp_decision(claim, firing):
    claim.decided_by = firing.user
    claim.decided_at = timezone.now()
    claim.reason = firing.reason


def _claimant_active(claim):
    return [] if claim.claimant.is_active else ["Le compte du demandeur est désactivé : refusez la demande."]


def _add_member(claim, firing):
    """The claimant manages the entry from now on (recorded on the entry as any member added)."""
    claim.entry.members.add(claim.claimant)
    record(actor=firing.user, obj=claim.entry, action="registry.member_added", reason=claim.claimant.email)


MODERATORS = Recipients(
    "les modérateurs du territoire de la fiche", moderators_of, url=_claim_url, may_see="registry.decide_claim"
)
CLAIMANT = Recipients("la personne qui revendique la fiche", claimant_of, url=_entry_url, may_see="registry.view_claim")

CLAIM_WORKFLOW = Workflow(
    name="registry.claim",
    state_field="state",
    group="Annuaire",
    transitions=[
        Transition(
            ClaimMove.SUBMIT,
            "Revendiquer une fiche",
            (ClaimState.DRAFT,),
            ClaimState.PENDING,
            "registry.submit_claim",
            notifies=(MODERATORS,),
        ),
        Transition(
            ClaimMove.CONFIRM,
            "Confirmer une revendication",
            (ClaimState.PENDING,),
            ClaimState.CONFIRMED,
            "registry.decide_claim",
            guards=(_claimant_active,),
            stamps=(_stamp_decision,),
            effects=(_add_member,),
            notifies=(CLAIMANT,),
        ),
        Transition(
            ClaimMove.REFUSE,
            "Refuser une revendication",
            (ClaimState.PENDING,),
            ClaimState.REFUSED,
            "registry.decide_claim",
            requires_reason=True,
            stamps=(_stamp_decision,),
            notifies=(CLAIMANT,),
        ),
        # Before any decision.
        Transition(
            ClaimMove.WITHDRAW,
            "Retirer sa revendication",
            (ClaimState.PENDING,),
            ClaimState.WITHDRAWN,
            "registry.withdraw_claim",
            # The claim simply leaves the moderators' queue: nobody has anything to do about it.
            notifies=NOBODY,
        ),
    ],
)
