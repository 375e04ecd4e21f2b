"""Who the offers' events concern, and the page where each of them acts (tpj.notifications)."""

from django.db.models import Q
from django.urls import reverse

from tpj.accounts.models import Role, ScopeLevel, User
from tpj.notifications.recipients import Recipients


def moderators_of(offer):
    """The national team, and the commissaires whose scope covers the organisation's région
    (a member among them is left out by "training.moderate")."""
    organisation = offer.organisation
    commissaires = Q(role_assignments__role=Role.COMMISSAIRE, role_assignments__is_active=True) & (
        Q(role_assignments__scope_level=ScopeLevel.NATIONAL)
        | Q(role_assignments__scope_level=ScopeLevel.REGION, role_assignments__region=organisation.region_id)
    )
    national = Q(role_assignments__role=Role.NATIONAL_TEAM, role_assignments__is_active=True)
    return User.objects.filter(commissaires | national, is_active=True).distinct()


def members_of(offer):
    return offer.organisation.members.filter(is_active=True)


def moderation_url(offer) -> str:
    return reverse("training:moderate", args=[offer.pk])


def edit_url(offer) -> str:
    return reverse("training:edit", args=[offer.pk])


def public_url(offer) -> str:
    return reverse("training:offer", args=[offer.pk])


MODERATORS = Recipients(
    "l'équipe nationale et le commissaire à la lutte contre la pauvreté de la région de l'organisme",
    moderators_of,
    url=moderation_url,
    may_see="training.moderate",
)


def members(url) -> Recipients:
    return Recipients("les membres de l'organisme de formation", members_of, url=url, may_see="training.view_private")
