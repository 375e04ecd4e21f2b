"""Registering a training organisation, and who owns its SIRET.

A SIRET is registered once: a second registration is refused with how to join the
organisation already registered (as DORA does for its structures, without its join
requests: members are added by the platform's administrators). Before an organisation's
first offer is published, its moderator compares the declared name with the Sirene
register's identity of the SIRET, and sees which members ProConnect has tied to it.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from stdnum.fr import siret as stdnum_siret

from tpj.audit.models import AuditEvent
from tpj.audit.services import record
from tpj.core import policy, sirene

from ..models import Offer, TrainingOrganisation

# The audit action ProConnect's login records when its `siret` claim ties an account to the
# organisation of that SIRET (tpj.accounts.oidc.link_organisation).
PROCONNECT_SIRET = "accounts.proconnect_organisation"


@transaction.atomic
def register_organisation(user, organisation: TrainingOrganisation) -> TrainingOrganisation:
    """Save a validated (full_clean) organisation and make `user` its first member.

    Two registrations of one SIRET at the same moment both pass the form's check: the
    database's unique SIRET keeps one, the other gets the French `ValidationError` the form
    gives (keyed « siret »), never an error page."""
    policy.require(user, "training.register_organisation")
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        if (existing := registered_with_siret(organisation.siret)) is None:
            raise
        organisation.pk = None
        raise ValidationError({"siret": siret_taken_message(existing)}) from None
    organisation.members.add(user)
    record(actor=user, obj=organisation, action="training.organisation_registered")
    return organisation


def registered_with_siret(siret: str, exclude_pk=None) -> TrainingOrganisation | None:
    """The organisation already registered with `siret` (typed with or without spaces), if any."""
    siret = stdnum_siret.compact(siret or "")
    if not siret:
        return None
    return (
        TrainingOrganisation.objects.filter(siret=siret)
        .exclude(pk=exclude_pk)
        .select_related("commune")
        .only("pk", "name", "siret", "commune__name")
        .first()
    )


def public_contact(organisation: TrainingOrganisation) -> str:
    """The contact address the organisation publishes on its offers ("" when none is public)."""
    return (
        Offer.objects.published()
        .filter(organisation=organisation)
        .exclude(contact_email="")
        .order_by("-published_at", "-id")
        .values_list("contact_email", flat=True)
        .first()
        or ""
    )


def siret_taken_message(organisation: TrainingOrganisation) -> str:
    """Why a second organisation with `organisation`'s SIRET is refused, and how to join it
    instead: whom to contact (its public contact when its offers publish one)."""
    if contact := public_contact(organisation):
        who = f"écrivez à l'organisme ({contact}, l'adresse de contact de ses offres) : un de ses membres"
    else:
        who = "adressez-vous à la personne de l'organisme qui gère déjà ses offres sur la plateforme : elle"
    return (
        "Un organisme de formation portant ce SIRET est déjà inscrit. Il s'agit de "
        f"« {organisation.name} » ({organisation.commune.name}) ; un organisme ne s'inscrit qu'une fois. Pour "
        f"publier des offres en son nom, demandez à en devenir membre : {who} demandera votre ajout aux "
        "administrateurs de la plateforme."
    )


# -- Who owns the SIRET (moderation) ---------------------------------------------------------


def _comparable(name: str) -> str:
    """A name without accents, case, punctuation or repeated spaces."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def names_differ(declared: str, legal: str) -> bool:
    """Whether the declared name differs from the register's legal name: not when one
    contains the other once accents, case and punctuation are set aside (« ASSOCIATION
    INSTITUT X » is « Institut X »)."""
    declared, legal = _comparable(declared), _comparable(legal)
    if not declared or not legal:
        return False
    return declared not in legal and legal not in declared


@dataclass(frozen=True)
class OwnershipCheck:
    """What the moderator checks of an organisation's SIRET before publishing its offers."""

    sirene: sirene.Lookup  # the register's identity of the SIRET, or a French message why not
    name_differs: bool  # the declared name is not the register's legal name
    first_offer: bool  # no offer of the organisation has been published yet
    proconnect_members: list = field(default_factory=list)  # members whose ProConnect SIRET is this one

    @property
    def proconnect_confirmed(self) -> bool:
        return bool(self.proconnect_members)


def proconnect_members(organisation: TrainingOrganisation) -> list:
    """The organisation's members whose ProConnect login asserted its SIRET (and who still
    belong to the organisation of that SIRET)."""
    members = organisation.members.filter(organisation__siret=organisation.siret)
    confirmed = AuditEvent.objects.filter(action=PROCONNECT_SIRET, actor__in=members, after__siret=organisation.siret).values(
        "actor"
    )
    return list(organisation.members.filter(pk__in=confirmed).order_by("last_name", "first_name", "pk"))


def ownership_check(organisation: TrainingOrganisation, adapter=None) -> OwnershipCheck:
    """The Sirene register's identity of the organisation's SIRET (the configured adapter,
    falling back to the recorded answers when the register does not answer), whether its
    legal name differs from the declared one, whether the organisation has ever had an offer
    published, and its members ProConnect tied to that SIRET."""
    lookup = sirene.lookup(organisation.siret, adapter=adapter)
    identity = lookup.identity
    return OwnershipCheck(
        sirene=lookup,
        name_differs=bool(identity and names_differ(organisation.name, identity.legal_name)),
        first_offer=not Offer.objects.filter(organisation=organisation, published_at__isnull=False).exists(),
        proconnect_members=proconnect_members(organisation),
    )
